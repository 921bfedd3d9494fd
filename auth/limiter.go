package auth

import (
	"sync"
	"time"
)

// limiter counts failures per key and, once a key has failed Threshold
// times, refuses it for Base, doubling with each further failure up to Max.
// A key is forgotten Max after its last failure. It lives in memory: a
// restart forgets it, which the lock stored with each user survives.
type limiter struct {
	threshold int
	base, max time.Duration

	mu   sync.Mutex
	keys map[string]*limitState
}

type limitState struct {
	failures int
	last     time.Time
	until    time.Time
}

// maxLimiterKeys bounds the memory a flood of distinct keys can take.
const maxLimiterKeys = 100_000

func newLimiter(threshold int, base, max time.Duration) *limiter {
	return &limiter{threshold: threshold, base: base, max: max, keys: map[string]*limitState{}}
}

// blocked reports until when key is refused, if it is at now.
func (l *limiter) blocked(key string, now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.keys[key]
	if !ok || !now.Before(s.until) {
		return time.Time{}, false
	}
	return s.until, true
}

// fail records a failure of key at now and returns until when it is now
// refused (zero when it is not).
func (l *limiter) fail(key string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.keys[key]
	if !ok || now.Sub(s.last) > l.max {
		if len(l.keys) >= maxLimiterKeys {
			l.prune(now)
		}
		s = &limitState{}
		l.keys[key] = s
	}
	s.failures++
	s.last = now
	if d := backoff(s.failures, l.threshold, l.base, l.max); d > 0 {
		s.until = now.Add(d)
	}
	return s.until
}

// reset forgets key, after a success.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// prune drops keys whose failures have been forgotten, or, when none
// have, the whole map: refusing nobody is better than growing without end.
func (l *limiter) prune(now time.Time) {
	for k, s := range l.keys {
		if now.Sub(s.last) > l.max {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= maxLimiterKeys {
		clear(l.keys)
	}
}

// backoff is how long to refuse after failures failures: nothing below
// threshold, then base doubling with each failure, capped at max.
func backoff(failures, threshold int, base, max time.Duration) time.Duration {
	if failures < threshold {
		return 0
	}
	d := base
	for i := threshold; i < failures && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
