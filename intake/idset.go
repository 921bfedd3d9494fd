package intake

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// idKey is the 128-bit digest of a record's kind and id. 128 bits of SHA-256
// keep accidental collisions out of reach for any realistic volume (a force
// would need about 2^64 records) and make deliberate ones, which could hide a
// real event behind a forged duplicate, infeasible.
type idKey [2]uint64

// keyOf digests kind and id.
func keyOf(kind, id string) idKey {
	var buf [256]byte // ids are short: keep the digest input on the stack
	in := append(append(append(buf[:0], kind...), 0), id...)
	sum := sha256.Sum256(in)
	k := idKey{binary.LittleEndian.Uint64(sum[0:8]), binary.LittleEndian.Uint64(sum[8:16])}
	if k == (idKey{}) {
		k[0] = 1 // the zero key marks an empty slot
	}
	return k
}

// idSet is an open-addressing hash set of idKeys: 16 bytes a slot, no
// per-entry allocation, so tens of millions of ids fit in a few hundred MiB.
// It is not safe for concurrent use.
type idSet struct {
	slots []idKey
	n     int
}

func newIDSet(capacity int) *idSet {
	size := 1024
	for size*6/10 < capacity {
		size *= 2
	}
	return &idSet{slots: make([]idKey, size)}
}

// Len returns the number of keys held.
func (s *idSet) Len() int { return s.n }

// Has reports whether k is in the set.
func (s *idSet) Has(k idKey) bool {
	mask := uint64(len(s.slots) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return true
		case idKey{}:
			return false
		}
	}
}

// Add inserts k and reports whether it was new.
func (s *idSet) Add(k idKey) bool {
	if (s.n+1)*10 > len(s.slots)*6 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := k[0] & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case idKey{}:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

func (s *idSet) grow() {
	old := s.slots
	s.slots = make([]idKey, len(old)*2)
	s.n = 0
	for _, k := range old {
		if k != (idKey{}) {
			s.Add(k)
		}
	}
}

// snapshotMagic identifies an id snapshot file, version 1.
const snapshotMagic = "LANTERN-IDS-1\n"

// writeSnapshot saves the set and the event-log sequence it covers to path,
// atomically: a temporary file, fsynced, renamed over the old one. A trailing
// SHA-256 of everything before it detects a torn or altered file.
func (s *idSet) writeSnapshot(path string, seq uint64) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ids-*")
	if err != nil {
		return fmt.Errorf("write id snapshot: %w", err)
	}
	defer os.Remove(tmp.Name())
	sum := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, sum), 1<<20)
	var hdr [16]byte
	binary.LittleEndian.PutUint64(hdr[0:8], seq)
	binary.LittleEndian.PutUint64(hdr[8:16], uint64(s.n))
	w.WriteString(snapshotMagic)
	w.Write(hdr[:])
	var buf [16]byte
	for _, k := range s.slots {
		if k != (idKey{}) {
			binary.LittleEndian.PutUint64(buf[0:8], k[0])
			binary.LittleEndian.PutUint64(buf[8:16], k[1])
			w.Write(buf[:])
		}
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write id snapshot: %w", err)
	}
	if _, err := tmp.Write(sum.Sum(nil)); err != nil {
		tmp.Close()
		return fmt.Errorf("write id snapshot: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync id snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write id snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("install id snapshot: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// errNoSnapshot means there is no usable snapshot; the caller rebuilds from
// the start of the log.
var errNoSnapshot = errors.New("no id snapshot")

// readSnapshot loads a snapshot written by writeSnapshot and returns the set
// and the log sequence it covers. A missing, torn or altered file gives
// errNoSnapshot (wrapped), never a partial set.
func readSnapshot(path string) (*idSet, uint64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, errNoSnapshot
	} else if err != nil {
		return nil, 0, fmt.Errorf("read id snapshot: %w", err)
	}
	head := len(snapshotMagic) + 16
	if len(b) < head+sha256.Size || string(b[:len(snapshotMagic)]) != snapshotMagic {
		return nil, 0, fmt.Errorf("%w: %s is not an id snapshot", errNoSnapshot, path)
	}
	body, tail := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if sum := sha256.Sum256(body); string(sum[:]) != string(tail) {
		return nil, 0, fmt.Errorf("%w: %s fails its checksum", errNoSnapshot, path)
	}
	seq := binary.LittleEndian.Uint64(b[len(snapshotMagic):])
	n := binary.LittleEndian.Uint64(b[len(snapshotMagic)+8:])
	keys := body[head:]
	if uint64(len(keys)) != n*16 {
		return nil, 0, fmt.Errorf("%w: %s holds %d bytes of keys for %d ids", errNoSnapshot, path, len(keys), n)
	}
	s := newIDSet(int(n))
	for i := 0; i < len(keys); i += 16 {
		s.Add(idKey{binary.LittleEndian.Uint64(keys[i:]), binary.LittleEndian.Uint64(keys[i+8:])})
	}
	return s, seq, nil
}

// syncDir fsyncs a directory so a rename in it survives a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
