package nats_test

import (
	"strconv"
	"testing"

	"lantern/nats"
)

// BenchmarkPublishBatch publishes 1000-message batches of 500-byte payloads,
// each with its own ID, to an embedded server without a listener.
func BenchmarkPublishBatch(b *testing.B) {
	const batchSize, payloadSize = 1000, 500
	for _, sync := range []bool{true, false} {
		b.Run("SyncAlways="+strconv.FormatBool(sync), func(b *testing.B) {
			l, err := nats.Open(b.Context(), nats.Config{DataDir: b.TempDir(), SyncAlways: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			payload := make([]byte, payloadSize)
			for i := range payload {
				payload[i] = 'a' + byte(i%26)
			}
			msgs := make([]nats.Msg, batchSize)
			for i := range msgs {
				msgs[i] = nats.Msg{Subject: "lantern.bench." + strconv.Itoa(i%64), Data: payload}
			}
			b.SetBytes(batchSize * payloadSize)
			batches := 0
			for b.Loop() {
				for i := range msgs {
					msgs[i].ID = strconv.Itoa(batches*batchSize + i)
				}
				if acks, err := l.PublishBatch(b.Context(), msgs); err != nil || nats.Dups(acks) != 0 {
					b.Fatalf("PublishBatch = %d, %v", nats.Dups(acks), err)
				}
				batches++
			}
			b.ReportMetric(float64(batches*batchSize)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
