package sim

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
)

// item is a record waiting to be written, with the instant that orders it
// and a sequence number that breaks ties in the order records were made.
type item[T any] struct {
	t   int64
	seq uint64
	v   T
}

// sink writes the records of one kind to one file in time order. The
// simulation adds records as it makes them, in any order within the day
// being simulated and the next; flush hands everything before a given
// instant to the sink's writer goroutine, which sorts, encodes and writes
// it while the simulation goes on. Two batches at most are in hand at once,
// so memory stays bounded by a few days of records whatever the length of
// the run, and a slow disk slows the simulation rather than filling memory.
type sink[T any] struct {
	path    string
	enc     func(b []byte, t int64, v *T) []byte
	pending []item[T]
	seq     uint64

	batches chan []item[T] // to the writer
	free    chan []item[T] // back from the writer, for reuse
	done    chan error     // the writer's result, when batches is closed

	f      *os.File
	n      int64       // records written; read after close
	failed atomic.Bool // the writer has met an error, which close returns
}

func newSink[T any](path string, enc func(b []byte, t int64, v *T) []byte) (*sink[T], error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	s := &sink[T]{path: path, enc: enc, f: f,
		batches: make(chan []item[T], 1), free: make(chan []item[T], 2), done: make(chan error, 1)}
	s.free <- nil
	s.free <- nil
	go s.write()
	return s, nil
}

// add queues a record that takes effect at t.
func (s *sink[T]) add(t int64, v T) {
	s.seq++
	s.pending = append(s.pending, item[T]{t, s.seq, v})
}

// flush hands every pending record before the instant before to the writer.
func (s *sink[T]) flush(before int64) {
	batch := (<-s.free)[:0]
	j := 0
	for _, it := range s.pending {
		if it.t < before {
			batch = append(batch, it)
		} else {
			s.pending[j] = it
			j++
		}
	}
	clear(s.pending[j:])
	s.pending = s.pending[:j]
	s.batches <- batch
}

// write is the writer goroutine: it writes each batch in order of time and
// sequence. A record older than one already written means the simulation
// made it too late to keep the file ordered: a bug, reported by close.
func (s *sink[T]) write() {
	w := bufio.NewWriterSize(s.f, 1<<20)
	var (
		err  error
		buf  []byte
		last int64 = -1 << 62
	)
	for batch := range s.batches {
		if err == nil && len(batch) > 0 {
			slices.SortFunc(batch, func(a, b item[T]) int {
				if c := cmp.Compare(a.t, b.t); c != 0 {
					return c
				}
				return cmp.Compare(a.seq, b.seq)
			})
			if first := batch[0].t; first < last {
				err = fmt.Errorf("%s: a record at %s was made after one at %s was written", s.path, unixTime(first), unixTime(last))
			}
			for i := 0; i < len(batch) && err == nil; i++ {
				buf = append(s.enc(buf[:0], batch[i].t, &batch[i].v), '\n')
				_, err = w.Write(buf)
			}
			last = batch[len(batch)-1].t
			s.n += int64(len(batch))
			s.failed.Store(err != nil)
		}
		clear(batch)
		s.free <- batch
	}
	if e := w.Flush(); err == nil {
		err = e
	}
	s.done <- err
}

// close writes everything pending, waits for the writer and closes the file.
func (s *sink[T]) close() error {
	s.flush(1 << 62)
	close(s.batches)
	err := <-s.done
	if e := s.f.Close(); err == nil {
		err = e
	}
	return err
}

// abortIfOpen stops the writer and closes the file after a failure,
// dropping what is pending, and returns the writer's error. A nil sink (one
// that failed to open) does nothing.
func (s *sink[T]) abortIfOpen() error {
	if s == nil {
		return nil
	}
	s.pending = nil
	close(s.batches)
	err := <-s.done
	s.f.Close()
	return err
}
