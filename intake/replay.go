package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"lantern/ingest"
	"lantern/nats"
)

// LogRecord is one record read back from the event log.
type LogRecord struct {
	Seq    uint64 // the stream sequence of the message holding it
	Record *ingest.Record
}

// ReadLog calls fn for every record in the event log from stream sequence
// from (inclusive) to the end of the log as it stood when ReadLog began, in
// log order. Messages on subjects intake does not write are skipped. A line
// that does not decode is an error: intake only ever writes valid records.
func ReadLog(ctx context.Context, log *nats.Log, phones *ingest.PhoneHasher, from uint64, fn func(LogRecord) error) (last uint64, err error) {
	js := log.JetStream()
	stream, err := js.Stream(ctx, log.Stream())
	if err != nil {
		return 0, fmt.Errorf("open stream: %w", err)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	last = info.State.LastSeq
	from = max(from, 1)
	if info.State.Msgs == 0 || last < from {
		return last, nil
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   from,
	})
	if err != nil {
		return 0, fmt.Errorf("replay consumer: %w", err)
	}
	dec := NewMessageDecoder(phones)
	failures := 0
	for {
		batch, err := cons.Fetch(256, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			// A cluster electing a leader answers nobody for a moment.
			if failures < 20 && ctx.Err() == nil && transientFetch(err) {
				failures++
				time.Sleep(time.Duration(failures) * 100 * time.Millisecond)
				continue
			}
			return 0, fmt.Errorf("replay fetch: %w", err)
		}
		failures = 0
		got := 0
		for msg := range batch.Messages() {
			got++
			meta, err := msg.Metadata()
			if err != nil {
				return 0, fmt.Errorf("replay metadata: %w", err)
			}
			seq := meta.Sequence.Stream
			if err := dec.Each(msg.Subject(), msg.Data(), func(rec *ingest.Record) error {
				return fn(LogRecord{Seq: seq, Record: rec})
			}); err != nil {
				return 0, fmt.Errorf("event log message %d: %w", seq, err)
			}
			if seq >= last {
				return last, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			if failures < 20 && ctx.Err() == nil && transientFetch(err) {
				failures++
				time.Sleep(time.Duration(failures) * 100 * time.Millisecond)
				continue
			}
			return 0, fmt.Errorf("replay fetch: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if got == 0 {
			return 0, fmt.Errorf("replay stalled before sequence %d", last)
		}
	}
}

// transientFetch reports whether a failed fetch may succeed if tried again.
func transientFetch(err error) bool {
	return errors.Is(err, natsgo.ErrNoResponders) || errors.Is(err, natsgo.ErrTimeout) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, jetstream.ErrNoHeartbeat)
}

// MessageDecoder decodes the records of event-log messages. It is not safe
// for concurrent use.
type MessageDecoder struct {
	phones   *ingest.PhoneHasher
	decoders map[ingest.Kind]*ingest.Decoder
}

// NewMessageDecoder returns a MessageDecoder hashing phone numbers with
// phones (records in the log hold hashes already; it is needed only to
// decode them the way intake did).
func NewMessageDecoder(phones *ingest.PhoneHasher) *MessageDecoder {
	return &MessageDecoder{phones: phones, decoders: map[ingest.Kind]*ingest.Decoder{}}
}

func (d *MessageDecoder) decoder(kind ingest.Kind) *ingest.Decoder {
	dec := d.decoders[kind]
	if dec == nil {
		dec = ingest.NewDecoder(kind, d.phones)
		d.decoders[kind] = dec
	}
	return dec
}

// Each calls fn for every record of a message on subject, in order. A
// message on a subject intake does not write is skipped. A line that does not
// decode is an error: intake only ever writes valid records.
func (d *MessageDecoder) Each(subject string, data []byte, fn func(*ingest.Record) error) error {
	kind, ok := kindOfSubject(subject)
	if !ok {
		return nil
	}
	return eachLine(data, func(line []byte) error {
		k := kind
		if k == mixedKind {
			name, rest, found := bytes.Cut(line, []byte{' '})
			pk, err := ingest.ParseKind(string(name))
			if !found || err != nil || (pk != ingest.KindAccess && pk != ingest.KindComms) {
				return fmt.Errorf("a line on %s does not start with its kind", subject)
			}
			k, line = pk, rest
		}
		rec, err := d.decoder(k).Decode(line)
		if err != nil {
			return fmt.Errorf("an invalid %s record: %w", k, err)
		}
		return fn(rec)
	})
}

// eachLine calls fn for each non-empty line of data.
func eachLine(data []byte, fn func([]byte) error) error {
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) > 0 {
			if err := fn(line); err != nil {
				return err
			}
		}
	}
	return nil
}

// replay brings the id set and the store's reference tables up to date with
// the event log from the snapshot's sequence onwards.
func (in *Intake) replay(ctx context.Context) (int, error) {
	var refs []*ingest.Record
	n := 0
	flush := func() error {
		if len(refs) == 0 {
			return nil
		}
		err := in.applyRefs(ctx, refs)
		refs = refs[:0]
		return err
	}
	last, err := ReadLog(ctx, in.cfg.Log, in.cfg.Phones, in.seq+1, func(lr LogRecord) error {
		r := lr.Record
		n++
		in.ids.Add(keyOf(string(r.Kind), r.ID))
		markKnown(in.ids.Add, r)
		if !isEvent(r.Kind) {
			refs = append(refs, r)
			if len(refs) >= 1000 {
				return flush()
			}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	in.seq = max(in.seq, last)
	return n, nil
}
