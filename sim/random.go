package sim

import (
	"math"
	"math/rand/v2"
)

// Draws used throughout the simulation. All take the world's one generator,
// so that a seed fixes every choice.

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns a whole number in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// logUniform returns a number between lo and hi whose logarithm is uniform:
// most cases are short, a few run long.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return lo * math.Exp(r.Float64()*math.Log(hi/lo))
}

// poisson returns a Poisson-distributed count with the given mean.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// weighted returns an index drawn with probability proportional to weight(i).
func weighted(r *rand.Rand, n int, weight func(i int) float64) int {
	total := 0.0
	for i := range n {
		total += weight(i)
	}
	x := r.Float64() * total
	for i := range n {
		if x -= weight(i); x < 0 {
			return i
		}
	}
	return n - 1
}

// pick returns a random element of a non-empty slice.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// secondsIn returns a random instant in [w.start, w.end).
func secondsIn(r *rand.Rand, w window) int64 {
	if w.end <= w.start {
		return w.start
	}
	return w.start + r.Int64N(w.end-w.start)
}
