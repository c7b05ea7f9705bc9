package bench

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const testSchemaID = 42

// newTestCluster starts an in-process 3-broker cluster, closed at cleanup.
func newTestCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(3)}, opts...)...)
	if err != nil {
		t.Fatalf("kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// testConfig is a short run against c.
func testConfig(c *kfake.Cluster, topic string) Config {
	cfg := Defaults()
	cfg.Brokers = c.ListenAddrs()
	cfg.Topic = topic
	cfg.Partitions = 3
	cfg.Rate = 500
	cfg.WarmUp = 200 * time.Millisecond
	cfg.Duration = time.Second
	cfg.MessageSize = 256
	cfg.DrainTimeout = 5 * time.Second
	cfg.SchemaID = testSchemaID
	return cfg
}

// waitGoroutines waits until the goroutine count is back to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d > %d before the run\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunNormal(t *testing.T) {
	c := newTestCluster(t)
	cfg := testConfig(c, "bench-normal")
	cfg.Producers = 2
	cfg.Consumers = 2
	var (
		mu       sync.Mutex
		progress []Progress
	)
	cfg.OnProgress = func(p Progress) { mu.Lock(); progress = append(progress, p); mu.Unlock() }

	before := runtime.NumGoroutine()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	waitGoroutines(t, before)

	n := cfg.scheduledRecords()
	if n != 600 {
		t.Fatalf("scheduled %d, want 600 (500 msg/s x 1.2 s)", n)
	}
	ct := res.Counts
	if ct.Scheduled != n || ct.Sent != n || ct.Acked != n || ct.Received != n {
		t.Errorf("counts %+v, want scheduled = sent = acked = received = %d", ct, n)
	}
	if ct.Lost != 0 || ct.Duplicates != 0 || ct.ProduceErrors != 0 || ct.ConsumeErrors != 0 {
		t.Errorf("counts %+v, want no loss, duplicates or errors", ct)
	}
	if !res.Validation.OK() || res.Validation.Checked != n {
		t.Errorf("validation %+v, want %d checked and none failed", res.Validation, n)
	}
	if len(res.DataErrors()) != 0 {
		t.Errorf("DataErrors = %v", res.DataErrors())
	}
	if !res.TopicCreated || res.Partitions != 3 {
		t.Errorf("topic created %v partitions %d, want true, 3", res.TopicCreated, res.Partitions)
	}
	// Only the 1 s window (500 of the 600 records) is measured.
	for name, s := range map[string]LatencySummary{
		"publish": res.Publish, "send delay": res.SendDelay, "e2e": res.EndToEnd, "e2e uncorrected": res.EndToEndUncorrected,
	} {
		if s.Count < 490 || s.Count > 510 {
			t.Errorf("%s measured %d records, want about 500 (window only)", name, s.Count)
		}
		if !(s.P50Us <= s.P90Us && s.P90Us <= s.P99Us && s.P99Us <= s.P999Us && s.P999Us <= s.MaxUs) {
			t.Errorf("%s percentiles not monotonic: %+v", name, s)
		}
	}
	// Corrected e2e includes the send delay, so it is never below the
	// uncorrected one at the same percentile.
	if res.EndToEnd.P50Us < res.EndToEndUncorrected.P50Us {
		t.Errorf("e2e p50 corrected %d µs < uncorrected %d µs", res.EndToEnd.P50Us, res.EndToEndUncorrected.P50Us)
	}
	// How fast the window went depends on the machine, so the achieved rates are checked
	// against what was counted, not against the clock: some records in the window, never
	// more than were sent.
	tp := res.Throughput
	for name, rate := range map[string]float64{"produce": tp.ProduceMsgPerSec, "consume": tp.ConsumeMsgPerSec} {
		if inWindow := rate * res.WindowSeconds; inWindow < 1 || inWindow > float64(n)+0.5 {
			t.Errorf("%s rate %.1f msg/s over %.3f s = %.1f records, want 1..%d", name, rate, res.WindowSeconds, inWindow, n)
		}
	}
	if want := tp.ProduceMsgPerSec * 256 / 1e6; tp.ProduceMBPerSec < want*0.99 || tp.ProduceMBPerSec > want*1.01 {
		t.Errorf("produce MB/s %.4f, want %.4f (256-byte messages)", tp.ProduceMBPerSec, want)
	}
	if len(res.Curves) != 3 {
		t.Errorf("curves: %d, want 3", len(res.Curves))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(progress) == 0 {
		t.Fatal("no progress reported in a 1.2 s run")
	}
	if p := progress[0]; p.TargetRate != 500 || p.Sent == 0 || p.SendRate <= 0 {
		t.Errorf("first progress %+v, want target 500 and sends", p)
	}
}

func TestRunCancel(t *testing.T) {
	c := newTestCluster(t)
	cfg := testConfig(c, "bench-cancel")
	cfg.Duration = time.Minute
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, cfg)
	if !errors.Is(err, context.DeadlineExceeded) || res != nil {
		t.Fatalf("Run = %v, %v; want nil and a deadline error", res, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %v after cancellation", took)
	}
	waitGoroutines(t, before)
}

func TestRunTopicLifecycle(t *testing.T) {
	c := newTestCluster(t)
	cfg := testConfig(c, "bench-missing")
	cfg.CreateTopic = false
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "create_topic is false") {
		t.Fatalf("Run on a missing topic = %v, want a create_topic error", err)
	}

	cfg = testConfig(c, "bench-delete")
	cfg.Duration = 300 * time.Millisecond
	cfg.DeleteTopic = true
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.TopicCreated || !res.TopicDeleted {
		t.Errorf("created %v deleted %v, want both", res.TopicCreated, res.TopicDeleted)
	}
	if topicExists(t, c, cfg.Topic) {
		t.Error("topic still exists after the run")
	}
}

func topicExists(t *testing.T, c *kfake.Cluster, topic string) bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	details, err := kadm.NewClient(cl).ListTopics(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := details[topic]
	return ok && d.Err == nil
}
