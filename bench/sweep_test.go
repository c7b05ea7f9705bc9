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

// TestSweepDecisions drives the sweep with canned step results: which rate is best, when
// it stops, what it reports. Real runs would make these depend on the machine's speed.
func TestSweepDecisions(t *testing.T) {
	pass := func(rate int) *Result {
		return &Result{Config: Config{Rate: rate}, EndToEnd: LatencySummary{Count: 10, P99Us: 1000},
			Throughput: Throughput{ProduceMsgPerSec: float64(rate), ConsumeMsgPerSec: float64(rate)}}
	}
	slow := func(rate int) *Result { r := pass(rate); r.EndToEnd.P99Us = 20_000; return r }
	behind := func(rate int) *Result { r := pass(rate); r.Throughput.ConsumeMsgPerSec = float64(rate) * 0.9; return r }
	for _, tc := range []struct {
		name     string
		plan     SweepPlan
		outcome  map[int]func(int) *Result
		wantRan  []int
		wantBest int // 0: none found
	}{
		{"all pass: the highest wins", SweepPlan{Rates: []int{100, 200, 300}}, nil, []int{100, 200, 300}, 300},
		{"stops at the first slow step", SweepPlan{Rates: []int{100, 200, 300}}, map[int]func(int) *Result{200: slow}, []int{100, 200}, 100},
		{"falling behind fails a step", SweepPlan{Rates: []int{100, 200}}, map[int]func(int) *Result{100: behind}, []int{100}, 0},
		{"a later pass after a tolerated failure", SweepPlan{Rates: []int{100, 200, 300}, StopAfterFailures: 2},
			map[int]func(int) *Result{200: slow}, []int{100, 200, 300}, 300},
		{"two failures in a row stop it", SweepPlan{Rates: []int{100, 200, 300, 400}, StopAfterFailures: 2},
			map[int]func(int) *Result{200: slow, 300: behind}, []int{100, 200, 300}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ran []int
			run := func(_ context.Context, cfg Config) (*Result, error) {
				ran = append(ran, cfg.Rate)
				if f := tc.outcome[cfg.Rate]; f != nil {
					return f(cfg.Rate), nil
				}
				return pass(cfg.Rate), nil
			}
			res, err := sweep(context.Background(), Config{Rate: 1}, tc.plan, 10*time.Millisecond, run)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ran, tc.wantRan) {
				t.Errorf("ran %v, want %v", ran, tc.wantRan)
			}
			if res.Found != (tc.wantBest > 0) || res.BestRate != tc.wantBest {
				t.Errorf("found %v best %d, want best %d", res.Found, res.BestRate, tc.wantBest)
			}
			for _, s := range res.Steps {
				if s.Passed != (len(s.Reasons) == 0) {
					t.Errorf("step %d passed=%v with reasons %v", s.Rate, s.Passed, s.Reasons)
				}
			}
		})
	}
}

// TestSweep runs a real sweep on kfake and checks only what the machine's speed cannot
// change: every step runs at its rate, the topic is cleaned up, an impossible SLO fails on
// p99. Whether a step keeps up is TestSweepDecisions' business.
func TestSweep(t *testing.T) {
	c := newTestCluster(t)
	cfg := testConfig(c, "bench-sweep")
	cfg.WarmUp = 100 * time.Millisecond
	cfg.Duration = 500 * time.Millisecond
	cfg.DeleteTopic = true

	res, err := Sweep(context.Background(), cfg, SweepPlan{Rates: []int{200, 400}, StopAfterFailures: 2}, 10*time.Second)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if len(res.Steps) != 2 {
		t.Fatalf("sweep ran %d steps, want 2: %+v", len(res.Steps), res)
	}
	for i, want := range []int{200, 400} {
		s := res.Steps[i]
		if s.Rate != want || s.Result.Config.Rate != want {
			t.Errorf("step %d ran at %d (config %d), want %d", i, s.Rate, s.Result.Config.Rate, want)
		}
		if s.Result.Counts.Lost != 0 || s.Result.Counts.Sent != s.Result.Counts.Scheduled {
			t.Errorf("step %d counts %+v, want every scheduled record sent and none lost", i, s.Result.Counts)
		}
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
