package bench

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSweepPlanSteps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		plan    SweepPlan
		want    []int
		wantErr string
	}{
		{"list", SweepPlan{Rates: []int{100, 200, 500}}, []int{100, 200, 500}, ""},
		{"list wins over range", SweepPlan{Rates: []int{7}, Start: 1, Step: 1, Max: 3}, []int{7}, ""},
		{"range", SweepPlan{Start: 1000, Step: 1000, Max: 3500}, []int{1000, 2000, 3000}, ""},
		{"single", SweepPlan{Start: 5, Step: 1, Max: 5}, []int{5}, ""},
		{"decreasing list", SweepPlan{Rates: []int{200, 100}}, nil, "rates must increase"},
		{"zero rate", SweepPlan{Rates: []int{0}}, nil, "rates[0] = 0"},
		{"no step", SweepPlan{Start: 1, Max: 10}, nil, "step > 0"},
		{"max below start", SweepPlan{Start: 10, Step: 1, Max: 5}, nil, "max >= start"},
		{"too many", SweepPlan{Start: 1, Step: 1, Max: 5000}, nil, "raise step"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.plan.Steps()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Steps() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Steps() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestSweepReasons(t *testing.T) {
	ok := &Result{
		EndToEnd:   LatencySummary{Count: 10, P99Us: 4000},
		Throughput: Throughput{ProduceMsgPerSec: 960, ConsumeMsgPerSec: 955},
	}
	if r := sweepReasons(ok, 1000, 5*time.Millisecond); r != nil {
		t.Errorf("passing step: %v", r)
	}
	slow := *ok
	slow.EndToEnd.P99Us = 5000 // p99 must stay under the SLO
	slow.Throughput.ConsumeMsgPerSec = 900
	slow.Counts.Lost = 2
	got := strings.Join(sweepReasons(&slow, 1000, 5*time.Millisecond), "\n")
	for _, w := range []string{"measured 5.00 ms vs SLO < 5.00 ms", "consume rate: measured 900 msg/s vs target >= 950 msg/s", "2 acked records lost"} {
		if !strings.Contains(got, w) {
			t.Errorf("reasons %q lack %q", got, w)
		}
	}
	if strings.Contains(got, "produce rate") {
		t.Errorf("reasons %q blame the produce rate", got)
	}
}

func TestSweep(t *testing.T) {
	c := newTestCluster(t)
	cfg := testConfig(c, "bench-sweep")
	cfg.WarmUp = 100 * time.Millisecond
	cfg.Duration = 500 * time.Millisecond
	cfg.DeleteTopic = true

	// A generous SLO: every rate passes and the highest is returned.
	res, err := Sweep(context.Background(), cfg, SweepPlan{Rates: []int{200, 400}}, 10*time.Second)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if !res.Found || res.BestRate != 400 || len(res.Steps) != 2 || !res.Steps[0].Passed || !res.Steps[1].Passed {
		t.Fatalf("sweep %+v, want both rates passing and best 400", res)
	}
	if got := res.Steps[1].Result.Config.Rate; got != 400 {
		t.Errorf("second step ran at %d msg/s", got)
	}
	if topicExists(t, c, cfg.Topic) {
		t.Error("sweep did not delete the topic it created")
	}

	// An impossible SLO: the first step fails and the sweep stops.
	res, err = Sweep(context.Background(), cfg, SweepPlan{Start: 200, Step: 200, Max: 600}, time.Microsecond)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if res.Found || len(res.Steps) != 1 || res.Steps[0].Passed || !strings.Contains(strings.Join(res.Steps[0].Reasons, " "), "e2e p99") {
		t.Fatalf("sweep %+v, want one failing step blamed on p99", res)
	}

	if _, err := Sweep(context.Background(), cfg, SweepPlan{Rates: []int{100}}, 0); err == nil {
		t.Error("Sweep accepted a zero SLO")
	}
}
