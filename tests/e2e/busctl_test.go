package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestBusctlBench: an ad-hoc run prints the measurements and writes the JSON report and the
// SVG latency curve; a sweep names the highest rate under the SLO. busctl bench creates its
// topic and leaves it, so the test deletes both of its topics.
func TestBusctlBench(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := adm.DeleteTopics(ctx, "e2e-bench", "e2e-sweep"); err != nil {
			t.Errorf("deleting the bench topics: %v", err)
		}
	})
	dir := t.TempDir()
	brokers := strings.Join(kafkatest.Bootstrap(), ",")
	out, code := busctl(t, ctx, "bench", "--stack", "local", "--brokers", brokers, "--schema-id", "1",
		"--topic", "e2e-bench", "--rate", "2000", "--duration", "3s", "--warmup", "1s", "--report-dir", dir)
	if code != 0 {
		t.Fatalf("busctl bench exit %d:\n%s", code, out)
	}
	for _, want := range []string{"e2e latency (corrected)", "lost 0, duplicates 0, invalid 0", "measure"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, pattern := range []string{"bench-*.json", "bench-*.svg"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) != 1 {
			t.Errorf("report %s: found %v", pattern, m)
		} else if info, err := os.Stat(m[0]); err != nil || info.Size() == 0 {
			t.Errorf("report %s is empty: %v", m[0], err)
		}
	}

	out, code = busctl(t, ctx, "bench", "--stack", "local", "--brokers", brokers, "--schema-id", "1",
		"--topic", "e2e-sweep", "--sweep", "1000:1000:2000", "--slo-ms", "10000", "--duration", "2s", "--warmup", "1s", "--report-dir", dir)
	// Whether a step keeps 95 % of its rate in a 2 s window depends on how busy the machine
	// is (bench's TestSweepDecisions covers that logic): here only that the sweep ran its
	// first step and printed a verdict that agrees with its steps.
	passed2000 := strings.Contains(out, "rate    2000 msg/s: passed=true")
	verdict := "highest rate with p99 under 10000 ms: 2000 msg/s"
	if !passed2000 {
		verdict = "highest rate with p99 under 10000 ms: 1000 msg/s"
		if !strings.Contains(out, "rate    1000 msg/s: passed=true") {
			verdict = "no rate kept p99 under 10000 ms"
		}
	}
	if code != 0 || !strings.Contains(out, "rate    1000 msg/s: passed=") || !strings.Contains(out, verdict) {
		t.Errorf("sweep (exit %d): want the 1000 msg/s step and the verdict %q:\n%s", code, verdict, out)
	}
}
