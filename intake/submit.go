package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"lantern"
	"lantern/ingest"
	"lantern/nats"
)

// Limits of one submission's work units.
const (
	chunkLines      = 4096      // lines decoded together, and published in one go
	maxMsgBytes     = 512 << 10 // payload of one event-log message
	maxMsgRecords   = 2000      // records in one event-log message
	MaxReportErrors = 1000      // per-line errors reported back; counts are always complete
)

// Input is one stream of records to submit.
type Input struct {
	Source  string          // file name or API source name, kept with any rejected row
	Kind    ingest.Kind     // what every line holds
	Reader  io.Reader       // JSON Lines (or CSV when Profile is set), optionally gzip-compressed
	Profile *ingest.Profile // CSV mapping profile; nil for JSON Lines
	// NoQuarantine reports rejected lines without storing them again: for
	// retrying rows that are already in quarantine.
	NoQuarantine bool
}

// LineError says why one line was rejected.
type LineError struct {
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// Summary reports what became of a submission. Accepted records are durable in
// the event log; rejected ones are in quarantine.
type Summary struct {
	Source     string        `json:"source"`
	Kind       string        `json:"kind"`
	Accepted   int           `json:"accepted"`
	Duplicates int           `json:"duplicates"`
	Rejected   int           `json:"rejected"`
	Errors     []LineError   `json:"errors,omitempty"` // the first MaxReportErrors rejections
	Elapsed    time.Duration `json:"-"`
}

// Rate returns records handled per second.
func (s *Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Accepted+s.Duplicates+s.Rejected) / s.Elapsed.Seconds()
}

// item is one line on its way through the pipeline.
type item struct {
	line int
	raw  []byte // the line as read; for CSV, the row re-encoded as CSV
	rec  *ingest.Record
	err  error
	key  idKey
}

// chunk is a batch of items decoded together.
type chunk struct {
	items []item
	err   error // a read error that ends the input
}

// Submit decodes every line of in, and appends the accepted records to the
// event log, returning only when each is durable there (or an error). Lines
// that fail are quarantined and reported; the rest go on. A duplicate of a
// record already accepted is counted and not appended again.
//
// An error means the input could not be read to its end or the log or store
// failed: the Summary then counts what was handled before, all of which is
// durable, and a retry of the same input is safe.
func (in *Intake) Submit(ctx context.Context, inp Input) (*Summary, error) {
	start := time.Now()
	sum := &Summary{Source: inp.Source, Kind: string(inp.Kind)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	format := "jsonl"
	if inp.Profile != nil {
		format = "csv:" + inp.Profile.Name()
	}
	chunks := make(chan chunk, 2)
	go in.decodeAll(ctx, inp, chunks)
	var err error
	for c := range chunks {
		if err == nil && c.items != nil {
			err = in.accept(ctx, inp, format, c.items, sum)
		}
		if err == nil && c.err != nil {
			err = c.err
		}
		if err != nil {
			cancel() // stop the reader; keep draining so it can exit
		}
	}
	sum.Elapsed = time.Since(start)
	in.records.WithLabelValues(sum.Kind, "accepted").Add(float64(sum.Accepted))
	in.records.WithLabelValues(sum.Kind, "duplicate").Add(float64(sum.Duplicates))
	in.records.WithLabelValues(sum.Kind, "rejected").Add(float64(sum.Rejected))
	return sum, err
}

// lineSource yields raw lines of the input with their line numbers.
type lineSource interface {
	next() (raw []byte, line int, rec *ingest.Record, err error)
}

// decodeAll reads the input in chunks and decodes each chunk on several
// goroutines, sending chunks in input order.
func (in *Intake) decodeAll(ctx context.Context, inp Input, out chan<- chunk) {
	defer close(out)
	src, err := newLineSource(inp, in.cfg.Phones)
	if err != nil {
		out <- chunk{err: lantern.FieldErrorf("input", "%v", err)}
		return
	}
	workers := in.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	decoders := make([]*ingest.Decoder, workers)
	for i := range decoders {
		decoders[i] = ingest.NewDecoder(inp.Kind, in.cfg.Phones)
	}
	for {
		items, readErr := readChunk(src)
		if len(items) > 0 {
			decodeChunk(items, decoders, inp.Kind)
		}
		select {
		case out <- chunk{items: items, err: readErr}:
		case <-ctx.Done():
			return
		}
		if readErr != nil || len(items) == 0 {
			return
		}
	}
}

// readChunk reads up to chunkLines lines. It returns a nil error at the end
// of the input with whatever lines remained.
func readChunk(src lineSource) ([]item, error) {
	items := make([]item, 0, chunkLines)
	for len(items) < chunkLines {
		raw, line, rec, err := src.next()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		var le *ingest.LineError
		if errors.As(err, &le) {
			items = append(items, item{line: line, raw: raw, err: le.Err})
			continue
		}
		if err != nil {
			return items, fmt.Errorf("read input at line %d: %w", line, err)
		}
		items = append(items, item{line: line, raw: raw, rec: rec})
	}
	return items, nil
}

// decodeChunk decodes the items that still need it, splitting the chunk
// among decoders, and digests each record's id.
func decodeChunk(items []item, decoders []*ingest.Decoder, kind ingest.Kind) {
	var wg sync.WaitGroup
	per := (len(items) + len(decoders) - 1) / len(decoders)
	for w := range decoders {
		lo, hi := w*per, min((w+1)*per, len(items))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func(d *ingest.Decoder, part []item) {
			defer wg.Done()
			for i := range part {
				it := &part[i]
				if it.err == nil && it.rec == nil {
					it.rec, it.err = d.Decode(it.raw)
				}
				if it.err == nil {
					it.key = keyOf(string(kind), it.rec.ID)
				}
			}
		}(decoders[w], items[lo:hi])
	}
	wg.Wait()
}

// accept judges one decoded chunk against everything accepted before,
// publishes the accepted records, and quarantines the rest. It holds the
// accept lock throughout, so the log's order is the order of judgement.
func (in *Intake) accept(ctx context.Context, inp Input, format string, items []item, sum *Summary) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return lantern.Errorf(lantern.EUNAVAILABLE, "intake is shutting down")
	}
	pending := map[idKey]struct{}{}
	has := func(k idKey) bool {
		if _, ok := pending[k]; ok {
			return true
		}
		return in.ids.Has(k)
	}
	add := func(k idKey) bool { pending[k] = struct{}{}; return true }

	var accepted []*ingest.Record
	var rejected []*lantern.Rejection
	reject := func(it *item, err error) {
		field, reason := lantern.ErrorField(err), lantern.ErrorMessage(err)
		if lantern.ErrorCode(err) == lantern.EINTERNAL {
			reason = err.Error()
		}
		sum.Rejected++
		if len(sum.Errors) < MaxReportErrors {
			sum.Errors = append(sum.Errors, LineError{Line: it.line, Field: field, Reason: reason})
		}
		// The same bad row sent again from the same source is reported
		// again but kept in quarantine once. (Across a crash this is best
		// effort: these keys live in the id snapshot, not in the log.)
		k := keyOf(rejectedNS, inp.Source+"\x00"+string(it.raw))
		if inp.NoQuarantine || has(k) {
			return
		}
		add(k)
		rejected = append(rejected, in.rejection(inp, format, it, field, reason))
	}
	for i := range items {
		it := &items[i]
		switch {
		case it.err != nil:
			reject(it, it.err)
		case has(it.key):
			sum.Duplicates++
		default:
			if err := checkRefs(has, it.rec); err != nil {
				reject(it, err)
				continue
			}
			add(it.key)
			markKnown(add, it.rec)
			accepted = append(accepted, it.rec)
		}
	}
	if len(rejected) > 0 {
		if err := in.cfg.Store.AddRejections(ctx, rejected...); err != nil {
			return fmt.Errorf("quarantine %d rows: %w", len(rejected), err)
		}
	}
	if len(accepted) == 0 {
		in.commit(pending, 0)
		return nil
	}
	dups, lastSeq, err := in.publish(ctx, accepted)
	if err != nil {
		return err
	}
	in.commit(pending, lastSeq)
	if !isEvent(inp.Kind) {
		if err := applyRefs(ctx, in.cfg.Store, accepted); err != nil {
			return err
		}
	}
	// A message the log reports as a duplicate was stored by an earlier,
	// interrupted attempt at this same batch: its records are in the log once.
	sum.Accepted += len(accepted) - dups
	sum.Duplicates += dups
	if in.cfg.Now().Sub(in.lastSnap) > in.cfg.SnapshotEvery {
		if err := in.snapshotLocked(); err != nil {
			in.cfg.Logger.Warn("id snapshot failed; the next start will replay more of the log", "error", err)
		}
	}
	return nil
}

// commit adds a chunk's keys to the id set once what they stand for is
// durable: records in the log, rejected rows in quarantine.
func (in *Intake) commit(pending map[idKey]struct{}, lastSeq uint64) {
	for k := range pending {
		in.ids.Add(k)
	}
	in.seq = max(in.seq, lastSeq)
}

// rejection builds the quarantine row for a rejected line, sealing its raw
// bytes (truncated to lantern.MaxRejectedRaw).
func (in *Intake) rejection(inp Input, format string, it *item, field, reason string) *lantern.Rejection {
	raw := it.raw
	if len(raw) > lantern.MaxRejectedRaw {
		raw = raw[:lantern.MaxRejectedRaw]
		reason += fmt.Sprintf(" (row kept truncated to its first %d bytes)", lantern.MaxRejectedRaw)
	}
	now := in.cfg.Now().UTC()
	return &lantern.Rejection{
		Source: inp.Source, Kind: string(inp.Kind), Format: format, Line: it.line,
		Field: field, Reason: reason, State: lantern.RejectionOpen,
		Raw:        in.cfg.Sealer.Seal(raw, SealAD(string(inp.Kind), inp.Source)),
		ReceivedAt: now, UpdatedAt: now,
	}
}

// SealAD binds a sealed row to its kind and source.
func SealAD(kind, source string) []byte { return []byte(kind + "\x00" + source) }

// publish encodes accepted records into event-log messages, one subject per
// message and at most maxMsgRecords or maxMsgBytes each, publishes them, and
// waits until all are stored. It returns how many records the log reported as
// duplicates and the highest sequence stored.
func (in *Intake) publish(ctx context.Context, recs []*ingest.Record) (dups int, lastSeq uint64, err error) {
	type open struct {
		buf   bytes.Buffer
		count int
	}
	bySubject := map[string]*open{}
	var msgs []nats.Msg
	var counts []int
	flush := func(subject string, o *open) {
		data := bytes.Clone(o.buf.Bytes())
		sum := sha256.Sum256(data)
		msgs = append(msgs, nats.Msg{Subject: subject, ID: hex.EncodeToString(sum[:16]), Data: data})
		counts = append(counts, o.count)
		o.buf.Reset()
		o.count = 0
	}
	var order []string
	var line []byte
	for _, r := range recs {
		subj := subjectOf(r)
		o := bySubject[subj]
		if o == nil {
			o = &open{}
			bySubject[subj] = o
			order = append(order, subj)
		}
		line = r.AppendJSON(line[:0])
		if o.count > 0 && (o.count >= maxMsgRecords || o.buf.Len()+len(line)+1 > maxMsgBytes) {
			flush(subj, o)
		}
		o.buf.Write(line)
		o.buf.WriteByte('\n')
		o.count++
	}
	for _, s := range order {
		if o := bySubject[s]; o.count > 0 {
			flush(s, o)
		}
	}
	res, err := in.cfg.Log.PublishBatch(ctx, msgs)
	if err != nil {
		return 0, 0, fmt.Errorf("append to event log: %w", err)
	}
	for i, r := range res {
		if r.Duplicate {
			dups += counts[i]
		}
		lastSeq = max(lastSeq, r.Seq)
	}
	return dups, lastSeq, nil
}
