package nats

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// PurgeBefore removes the messages on subjects matching filter that the log
// stored before cutoff, and returns how many it removed. Messages on other
// subjects are kept whatever their age. It is how event retention is
// applied: raw events age out while the reference data that gives them
// meaning stays.
func (l *Log) PurgeBefore(ctx context.Context, filter string, cutoff time.Time) (uint64, error) {
	stream, err := l.js.Stream(ctx, l.cfg.StreamName)
	if err != nil {
		return 0, fmt.Errorf("purge: open stream: %w", err)
	}
	// The first message at or after cutoff bounds what goes.
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverByStartTimePolicy,
		OptStartTime:   &cutoff,
	})
	if err != nil {
		return 0, fmt.Errorf("purge: find the first message kept: %w", err)
	}
	opts := []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject(filter)}
	info, err := cons.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge: find the first message kept: %w", err)
	}
	if info.NumPending > 0 {
		msgs, err := cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return 0, fmt.Errorf("purge: find the first message kept: %w", err)
		}
		n := 0
		for m := range msgs.Messages() {
			n++
			meta, err := m.Metadata()
			if err != nil {
				return 0, fmt.Errorf("purge: %w", err)
			}
			opts = append(opts, jetstream.WithPurgeSequence(meta.Sequence.Stream))
		}
		if err := msgs.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return 0, fmt.Errorf("purge: find the first message kept: %w", err)
		}
		if n == 0 {
			return 0, errors.New("purge: the first message kept did not arrive; nothing purged")
		}
	}
	before, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if err := stream.Purge(ctx, opts...); err != nil {
		return 0, fmt.Errorf("purge %s before %s: %w", filter, cutoff.Format(time.RFC3339), err)
	}
	after, err := stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	return before.State.Msgs - after.State.Msgs, nil
}
