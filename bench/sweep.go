package bench

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// sweepMinAchieved is the fraction of the target rate a step must achieve.
const sweepMinAchieved = 0.95

// SweepPlan lists the rates of a sweep: Rates if set, otherwise Start,
// Start+Step, ... up to Max.
type SweepPlan struct {
	Rates []int `json:"rates,omitempty"`
	Start int   `json:"start,omitempty"`
	Step  int   `json:"step,omitempty"`
	Max   int   `json:"max,omitempty"`
	// StopAfterFailures ends the sweep after this many consecutive failing
	// steps (0 means 1): past saturation, higher rates only build backlog.
	StopAfterFailures int `json:"stop_after_failures,omitempty"`
}

// Steps returns the rates to run, increasing.
func (p SweepPlan) Steps() ([]int, error) {
	if len(p.Rates) > 0 {
		for i, r := range p.Rates {
			if r <= 0 {
				return nil, fmt.Errorf("bench sweep: rates[%d] = %d: must be > 0", i, r)
			}
			if i > 0 && r <= p.Rates[i-1] {
				return nil, fmt.Errorf("bench sweep: rates[%d] = %d: rates must increase (previous %d)", i, r, p.Rates[i-1])
			}
		}
		return append([]int(nil), p.Rates...), nil
	}
	if p.Start <= 0 || p.Step <= 0 || p.Max < p.Start {
		return nil, fmt.Errorf("bench sweep: start=%d step=%d max=%d: need start > 0, step > 0, max >= start (or list rates)", p.Start, p.Step, p.Max)
	}
	const maxSteps = 1000
	var out []int
	for r := p.Start; r <= p.Max; r += p.Step {
		if len(out) == maxSteps {
			return nil, fmt.Errorf("bench sweep: start=%d step=%d max=%d gives more than %d steps: raise step", p.Start, p.Step, p.Max, maxSteps)
		}
		out = append(out, r)
	}
	return out, nil
}

// SweepStep is the outcome of one rate of a sweep.
type SweepStep struct {
	Rate   int  `json:"rate"`
	Passed bool `json:"passed"`
	// Reasons explains a failed step.
	Reasons []string `json:"reasons,omitempty"`
	Result  *Result  `json:"result"`
}

// SweepResult is the outcome of [Sweep].
type SweepResult struct {
	SLOMs float64 `json:"slo_ms"`
	// Found reports whether any rate passed; BestRate is the highest one.
	Found    bool        `json:"found"`
	BestRate int         `json:"best_rate"`
	Steps    []SweepStep `json:"steps"`
}

// Sweep runs cfg at each rate of plan, in increasing order, and returns the
// highest rate that passed: corrected e2e p99 below slo, achieved produce
// and consume rates at least 95% of the target, and no lost records or
// produce errors. cfg.WarmUp and cfg.Duration are used as given for every
// step (keep them short). The topic is created once if needed and, with
// cfg.DeleteTopic, deleted after the last step.
//
// On a failed run or a cancelled ctx, Sweep returns the steps so far with
// the error.
func Sweep(ctx context.Context, cfg Config, plan SweepPlan, slo time.Duration) (*SweepResult, error) {
	return sweep(ctx, cfg, plan, slo, Run)
}

// sweep is Sweep with the run of one step as a parameter, so that its decisions can be
// tested on results that do not depend on how fast the test machine is.
func sweep(ctx context.Context, cfg Config, plan SweepPlan, slo time.Duration,
	run func(context.Context, Config) (*Result, error)) (*SweepResult, error) {
	rates, err := plan.Steps()
	if err != nil {
		return nil, err
	}
	if slo <= 0 {
		return nil, fmt.Errorf("bench sweep: slo = %v: must be > 0, e.g. 10ms", slo)
	}
	stopAfter := max(plan.StopAfterFailures, 1)
	deleteAfter := cfg.DeleteTopic
	cfg.DeleteTopic = false
	created := false

	out := &SweepResult{SLOMs: float64(slo) / float64(time.Millisecond)}
	var runErr error
	failures := 0
	for _, rate := range rates {
		step := cfg
		step.Rate = rate
		res, err := run(ctx, step)
		if err != nil {
			runErr = fmt.Errorf("bench sweep: rate %d: %w", rate, err)
			break
		}
		created = created || res.TopicCreated
		reasons := sweepReasons(res, rate, slo)
		out.Steps = append(out.Steps, SweepStep{Rate: rate, Passed: len(reasons) == 0, Reasons: reasons, Result: res})
		if len(reasons) == 0 {
			out.Found, out.BestRate = true, rate
			failures = 0
			continue
		}
		if failures++; failures >= stopAfter {
			break
		}
	}
	if created && deleteAfter {
		if err := deleteTopic(ctx, &cfg); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	return out, runErr
}

// sweepReasons lists why res fails the sweep criteria at rate; nil passes.
func sweepReasons(res *Result, rate int, slo time.Duration) []string {
	var out []string
	sloUs := slo.Microseconds()
	if res.EndToEnd.Count == 0 {
		out = append(out, "no record measured in the window")
	} else if res.EndToEnd.P99Us >= sloUs {
		out = append(out, fmt.Sprintf("e2e p99 (corrected): measured %.2f ms vs SLO < %.2f ms", res.EndToEnd.P99Ms(), float64(sloUs)/1000))
	}
	want := sweepMinAchieved * float64(rate)
	if res.Throughput.ProduceMsgPerSec < want {
		out = append(out, fmt.Sprintf("produce rate: measured %.0f msg/s vs target >= %.0f msg/s (95%% of %d)", res.Throughput.ProduceMsgPerSec, want, rate))
	}
	if res.Throughput.ConsumeMsgPerSec < want {
		out = append(out, fmt.Sprintf("consume rate: measured %.0f msg/s vs target >= %.0f msg/s (95%% of %d)", res.Throughput.ConsumeMsgPerSec, want, rate))
	}
	if res.Counts.Lost > 0 {
		out = append(out, fmt.Sprintf("%d acked records lost", res.Counts.Lost))
	}
	if res.Counts.ProduceErrors > 0 {
		out = append(out, fmt.Sprintf("%d produce errors", res.Counts.ProduceErrors))
	}
	return out
}
