package nats_test

import (
	"strings"
	"sync"
	"testing"

	"lantern/nats"
	"lantern/nats/natstest"
)

// TestKeyValueConcurrentOnCluster opens the same bucket from two clients at
// once on a three-node cluster, as two monitors starting together do: both
// get it.
func TestKeyValueConcurrentOnCluster(t *testing.T) {
	urls := strings.Join(natstest.StartCluster(t, 3), ",")
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := nats.Open(t.Context(), nats.Config{URL: urls, Replicas: 3})
			if err != nil {
				t.Error(err)
				return
			}
			defer l.Close()
			if _, err := l.KeyValue(t.Context(), "TEST_BUCKET", "test"); err != nil {
				t.Errorf("client %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
}
