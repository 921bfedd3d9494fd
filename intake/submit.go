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
	Source     string      `json:"source"`
	Kind       string      `json:"kind"`
	Accepted   int         `json:"accepted"`
	Duplicates int         `json:"duplicates"`
	Rejected   int         `json:"rejected"`
	Errors     []LineError `json:"errors,omitempty"` // the first MaxReportErrors rejections
	// FirstTime and LastTime are the earliest and latest time of the
	// records accepted.
	FirstTime time.Time     `json:"first_time,omitzero"`
	LastTime  time.Time     `json:"last_time,omitzero"`
	Elapsed   time.Duration `json:"-"`
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
	src  int // the input it came from, an index into SubmitMerged's inputs
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
	sums, err := in.SubmitMerged(ctx, []Input{inp})
	return sums[0], err
}

// SubmitMerged submits several inputs as one stream ordered by time: each
// input is read in its own order, and the inputs are interleaved so that,
// when each is in time order (as a system's audit export is), the event log
// receives their records in time order too. That is what detection needs to
// see a member of staff's system use and phone calls as they happened. A
// line that does not decode keeps its place in its own input. It returns one
// Summary per input, in the order given, with Submit's guarantees.
func (in *Intake) SubmitMerged(ctx context.Context, inps []Input) ([]*Summary, error) {
	start := time.Now()
	sums := make([]*Summary, len(inps))
	formats := make([]string, len(inps))
	for i, inp := range inps {
		sums[i] = &Summary{Source: inp.Source, Kind: string(inp.Kind)}
		formats[i] = "jsonl"
		if inp.Profile != nil {
			formats[i] = "csv:" + inp.Profile.Name()
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	streams := make([]chan chunk, len(inps))
	for i, inp := range inps {
		streams[i] = make(chan chunk, 2)
		go in.decodeAll(ctx, i, inp, streams[i])
	}
	var chunks <-chan chunk = streams[0]
	if len(inps) > 1 {
		merged := make(chan chunk, 2)
		go mergeByTime(ctx, streams, merged)
		chunks = merged
	}
	var err error
	for c := range chunks {
		runs := [][]item{c.items}
		if len(c.items) > 0 && isEvent(inps[c.items[0].src].Kind) {
			runs = splitBySpan(c.items, maxChunkSpan)
		}
		for _, items := range runs {
			if err == nil {
				err = in.accept(ctx, inps, formats, items, sums)
			}
		}
		if err == nil && c.err != nil {
			err = c.err
		}
		if err != nil {
			cancel() // stop the readers; keep draining so they can exit
		}
	}
	if len(inps) > 1 {
		for _, s := range streams {
			for range s { // let every reader finish after a cancel
			}
		}
	}
	for _, sum := range sums {
		sum.Elapsed = time.Since(start)
		in.records.WithLabelValues(sum.Kind, "accepted").Add(float64(sum.Accepted))
		in.records.WithLabelValues(sum.Kind, "duplicate").Add(float64(sum.Duplicates))
		in.records.WithLabelValues(sum.Kind, "rejected").Add(float64(sum.Rejected))
	}
	return sums, err
}

// lineSource yields raw lines of the input with their line numbers.
type lineSource interface {
	next() (raw []byte, line int, rec *ingest.Record, err error)
}

// decodeAll reads the input in chunks and decodes each chunk on several
// goroutines, sending chunks in input order.
func (in *Intake) decodeAll(ctx context.Context, src int, inp Input, out chan<- chunk) {
	defer close(out)
	lines, err := newLineSource(inp, in.cfg.Phones)
	if err != nil {
		out <- chunk{err: lantern.FieldErrorf("input", "%s: %v", inp.Source, err)}
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
		items, readErr := readChunk(lines, src)
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
func readChunk(lines lineSource, src int) ([]item, error) {
	items := make([]item, 0, chunkLines)
	for len(items) < chunkLines {
		raw, line, rec, err := lines.next()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		var le *ingest.LineError
		if errors.As(err, &le) {
			items = append(items, item{src: src, line: line, raw: raw, err: le.Err})
			continue
		}
		if err != nil {
			return items, fmt.Errorf("read input at line %d: %w", line, err)
		}
		items = append(items, item{src: src, line: line, raw: raw, rec: rec})
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
func (in *Intake) accept(ctx context.Context, inps []Input, formats []string, items []item, sums []*Summary) error {
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
	var srcOf []int // the input of each accepted record
	var rejected []*lantern.Rejection
	reject := func(it *item, err error) {
		inp, sum := &inps[it.src], sums[it.src]
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
		rejected = append(rejected, in.rejection(*inp, formats[it.src], it, field, reason))
	}
	for i := range items {
		it := &items[i]
		switch {
		case it.err != nil:
			reject(it, it.err)
		case has(it.key):
			sums[it.src].Duplicates++
		default:
			if err := checkRefs(has, it.rec); err != nil {
				reject(it, err)
				continue
			}
			add(it.key)
			markKnown(add, it.rec)
			accepted = append(accepted, it.rec)
			srcOf = append(srcOf, it.src)
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
	var refs []*ingest.Record
	for _, r := range accepted {
		if !isEvent(r.Kind) {
			refs = append(refs, r)
		}
	}
	if err := in.applyRefs(ctx, refs); err != nil {
		return err
	}
	// A message the log reports as a duplicate was stored by an earlier,
	// interrupted attempt at this same batch: its records are in the log once.
	for i, r := range accepted {
		sum := sums[srcOf[i]]
		if dups[i] {
			sum.Duplicates++
			continue
		}
		sum.Accepted++
		if sum.FirstTime.IsZero() || r.Time.Before(sum.FirstTime) {
			sum.FirstTime = r.Time
		}
		if r.Time.After(sum.LastTime) {
			sum.LastTime = r.Time
		}
	}
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
// waits until all are stored. It returns, per record, whether the log
// reported its message as a duplicate, and the highest sequence stored.
func (in *Intake) publish(ctx context.Context, recs []*ingest.Record) (dups []bool, lastSeq uint64, err error) {
	type open struct {
		buf  bytes.Buffer
		recs []int
	}
	bySubject := map[string]*open{}
	var msgs []nats.Msg
	var members [][]int // the records of each message
	flush := func(subject string, o *open) {
		data := bytes.Clone(o.buf.Bytes())
		sum := sha256.Sum256(data)
		msgs = append(msgs, nats.Msg{Subject: subject, ID: hex.EncodeToString(sum[:16]), Data: data})
		members = append(members, o.recs)
		o.buf.Reset()
		o.recs = nil
	}
	var order []string
	var line []byte
	for i, r := range recs {
		subj := subjectOf(r)
		o := bySubject[subj]
		if o == nil {
			o = &open{}
			bySubject[subj] = o
			order = append(order, subj)
		}
		line = line[:0]
		if isEvent(r.Kind) {
			line = append(append(line, r.Kind...), ' ')
		}
		line = r.AppendJSON(line)
		if len(o.recs) > 0 && (len(o.recs) >= maxMsgRecords || o.buf.Len()+len(line)+1 > maxMsgBytes) {
			flush(subj, o)
		}
		o.buf.Write(line)
		o.buf.WriteByte('\n')
		o.recs = append(o.recs, i)
	}
	for _, s := range order {
		if o := bySubject[s]; len(o.recs) > 0 {
			flush(s, o)
		}
	}
	res, err := in.cfg.Log.PublishBatch(ctx, msgs)
	if err != nil {
		return nil, 0, fmt.Errorf("append to event log: %w", err)
	}
	dups = make([]bool, len(recs))
	for i, r := range res {
		if r.Duplicate {
			for _, j := range members[i] {
				dups[j] = true
			}
		}
		lastSeq = max(lastSeq, r.Seq)
	}
	return dups, lastSeq, nil
}

// maxChunkSpan bounds the stretch of time one chunk of events covers. The
// event log keeps a partition's records in order, but a chunk's records go to
// the log grouped by partition; detection tolerates staff being interleaved
// out of time order by up to a day, so a quiet input (a small force, a night)
// is cut into chunks that span at most this.
const maxChunkSpan = 6 * time.Hour

// splitBySpan cuts items into runs whose records lie within span of the run's
// first record (a record earlier than that does not cut; a line that did not
// decode goes with the run it is in).
func splitBySpan(items []item, span time.Duration) [][]item {
	var out [][]item
	start := 0
	var first time.Time
	for i := range items {
		r := items[i].rec
		if r == nil {
			continue
		}
		if first.IsZero() {
			first = r.Time
			continue
		}
		if r.Time.Sub(first) > span {
			out = append(out, items[start:i])
			start, first = i, r.Time
		}
	}
	if start < len(items) {
		out = append(out, items[start:])
	}
	return out
}

// mergeByTime interleaves the decoded chunks of several inputs into chunks
// ordered by record time: it repeatedly takes the earliest head among the
// inputs (ties to the input given first). An item that did not decode has no
// time of its own and goes with the record before it in its input. A chunk
// carrying a read error ends the merge with that error after the items
// before it.
func mergeByTime(ctx context.Context, streams []chan chunk, out chan<- chunk) {
	defer close(out)
	type head struct {
		items []item
		open  bool
		err   error     // the read error that ended this input, once its items are taken
		last  time.Time // time of the last record taken from this input
	}
	heads := make([]head, len(streams))
	// fill makes sure input i has an item at hand, unless it has ended.
	fill := func(i int) {
		h := &heads[i]
		for len(h.items) == 0 && h.open {
			c, ok := <-streams[i]
			if !ok {
				h.open = false
				break
			}
			h.items = c.items
			if c.err != nil {
				h.err, h.open = c.err, false
			}
		}
	}
	send := func(c chunk) bool {
		select {
		case out <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	batch := make([]item, 0, chunkLines)
	// fail sends what was merged so far, then the error.
	fail := func(err error) {
		if len(batch) == 0 || send(chunk{items: batch}) {
			send(chunk{err: err})
		}
	}
	for i := range heads {
		heads[i].open = true
		fill(i)
		if len(heads[i].items) == 0 && heads[i].err != nil {
			fail(heads[i].err)
			return
		}
	}
	at := func(i int) time.Time {
		if it := &heads[i].items[0]; it.rec != nil {
			return it.rec.Time
		}
		return heads[i].last
	}
	for {
		best := -1
		for i := range heads {
			if len(heads[i].items) > 0 && (best < 0 || at(i).Before(at(best))) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		h := &heads[best]
		it := h.items[0]
		h.items = h.items[1:]
		if it.rec != nil {
			h.last = it.rec.Time
		}
		batch = append(batch, it)
		if len(batch) == chunkLines {
			if !send(chunk{items: batch}) {
				return
			}
			batch = make([]item, 0, chunkLines)
		}
		fill(best)
		if len(h.items) == 0 && h.err != nil {
			fail(h.err)
			return
		}
	}
	if len(batch) > 0 {
		send(chunk{items: batch})
	}
}
