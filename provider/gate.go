package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/bench"
	"github.com/marketbus/market-bus/gatedefaults"
)

// benchConfig turns the gate's inputs and the provider's connection into a benchmark run.
func benchConfig(cfg Config, a LatencyGateArgs) (bench.Config, error) {
	c := bench.Defaults()
	c.Brokers = cfg.BootstrapServers
	c.Topic = deref(a.Topic, gatedefaults.Topic)
	c.CreateTopic = true
	c.Partitions = int32(deref(a.Partitions, gatedefaults.Partitions))
	c.ReplicationFactor = int16(deref(a.ReplicationFactor, gatedefaults.ReplicationFactor))
	c.Rate = a.Rate
	c.Duration = seconds(a.DurationSeconds)
	c.WarmUp = seconds(deref(a.WarmupSeconds, gatedefaults.WarmupSeconds))
	c.MaxWarmUp = seconds(deref(a.MaxWarmupSeconds, gatedefaults.MaxWarmupSeconds))
	// Steady means one second's p99 well inside the threshold, so the window does not open
	// on a cluster that only just stopped being slow.
	c.SteadyP99 = time.Duration(a.MaxP99LatencyMs / 2 * float64(time.Millisecond))
	c.MessageSize = deref(a.MessageSize, gatedefaults.MessageSize)
	c.Acks = deref(a.Acks, gatedefaults.Acks)
	c.Linger = time.Duration(deref(a.LingerMs, gatedefaults.LingerMs) * float64(time.Millisecond))
	c.BatchMaxBytes = int32(deref(a.BatchMaxBytes, gatedefaults.BatchMaxBytes))
	c.Compression = deref(a.Compression, gatedefaults.Compression)
	c.Producers = deref(a.Producers, gatedefaults.Producers)
	c.Consumers = deref(a.Consumers, gatedefaults.Consumers)
	c.SchemaID = a.SchemaID
	c.ClientID = "marketbus-latency-gate"
	if a.SASL != nil {
		cfg.SASL = a.SASL
	}
	sec, err := cfg.securityOpts()
	if err != nil {
		return c, err
	}
	c.ExtraOpts = sec
	if r := cfg.SchemaRegistry; r != nil {
		// Consumers decode with the writer schema the registry holds for each record's id.
		c.RegistryURL = r.URL
		// The same trust bundle and login as the provider's own registry client: the
		// cluster's CA, and the SASL user as basic auth unless the registry has its own.
		hc, err := cfg.httpClient(30 * time.Second)
		if err != nil {
			return c, err
		}
		c.RegistryOpts = []sr.ClientOpt{sr.HTTPClient(hc)}
		if r.Username != nil && r.Password != nil {
			c.RegistryOpts = append(c.RegistryOpts, sr.BasicAuth(*r.Username, *r.Password))
		}
	}
	return c, c.Validate()
}

func deref[T any](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func (a LatencyGateArgs) thresholds() bench.Thresholds {
	return bench.Thresholds{MaxAvgMs: a.MaxAvgLatencyMs, MaxP99Ms: a.MaxP99LatencyMs, MinMsgPerSec: a.MinThroughputMsgPerSec}
}

// Check validates the load and thresholds before anything runs.
func (LatencyGate) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[LatencyGateArgs], error) {
	args, failures, err := infer.DefaultCheck[LatencyGateArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[LatencyGateArgs]{Inputs: args, Failures: failures}, err
	}
	if err := args.thresholds().Validate(); err != nil {
		failures = append(failures, p.CheckFailure{Property: "maxP99LatencyMs", Reason: err.Error()})
	}
	probe := Config{BootstrapServers: []string{"127.0.0.1:9092"}}
	checked := args
	if v, ok := req.NewInputs.GetOk("schemaId"); ok && v.IsComputed() {
		// On a first deploy the schema is registered in the same update: its id is unknown at
		// preview, and the load is still worth checking.
		checked.SchemaID = 1
	}
	if _, err := benchConfig(probe, checked); err != nil && args.enabled() {
		failures = append(failures, p.CheckFailure{Property: "rate", Reason: err.Error()})
	}
	return infer.CheckResponse[LatencyGateArgs]{Inputs: args, Failures: failures}, nil
}

// Create measures; see run.
func (LatencyGate) Create(ctx context.Context, req infer.CreateRequest[LatencyGateArgs]) (infer.CreateResponse[LatencyGateState], error) {
	st, err := runGate(ctx, req.Inputs, req.DryRun)
	return infer.CreateResponse[LatencyGateState]{ID: "latency-gate", Output: st}, err
}

// Update measures again: any input change (load, thresholds, watched values) is a reason.
func (LatencyGate) Update(ctx context.Context, req infer.UpdateRequest[LatencyGateArgs, LatencyGateState]) (infer.UpdateResponse[LatencyGateState], error) {
	st, err := runGate(ctx, req.Inputs, req.DryRun)
	return infer.UpdateResponse[LatencyGateState]{Output: st}, err
}

// Read keeps the recorded measurement: a gate has nothing on the cluster to drift.
func (LatencyGate) Read(_ context.Context, req infer.ReadRequest[LatencyGateArgs, LatencyGateState]) (infer.ReadResponse[LatencyGateArgs, LatencyGateState], error) {
	return infer.ReadResponse[LatencyGateArgs, LatencyGateState](req), nil
}

// runGate runs the benchmark and compares it with the thresholds. During preview nothing
// runs: the measurements are unknown until the update.
func runGate(ctx context.Context, a LatencyGateArgs, dryRun bool) (LatencyGateState, error) {
	st := LatencyGateState{LatencyGateArgs: a}
	if !a.enabled() {
		st.Skipped, st.Passed = true, true
		return st, nil
	}
	if dryRun {
		return st, nil
	}
	cfg := infer.GetConfig[Config](ctx)
	bc, err := benchConfig(cfg, a)
	if err != nil {
		return st, fmt.Errorf("latency gate: %w", err)
	}
	log := p.GetLogger(ctx)
	bc.OnProgress = func(pr bench.Progress) {
		log.InfoStatusf("%s %.0fs: %.0f msg/s sent, %.0f received, p99 so far %.1f ms", pr.Phase, pr.Elapsed.Seconds(), pr.SendRate, pr.ReceiveRate, pr.P99Ms)
	}
	res, err := bench.Run(ctx, bc)
	if err != nil {
		return st, fmt.Errorf("latency gate: the benchmark did not complete: %w", err)
	}
	st.fill(res)
	if a.ReportDir != nil && *a.ReportDir != "" {
		if st.ReportJSON, st.ReportSVG, err = writeReports(*a.ReportDir, res); err != nil {
			log.Warningf("latency gate: reports not written: %v", err)
		}
	}
	violations := a.thresholds().Check(res)
	st.Passed = len(violations) == 0
	log.Infof("latency gate: avg %.2f ms, p99 %.2f ms, max %.2f ms, %.0f msg/s (%d received, %d lost) after a %.0f s warm-up",
		st.AvgLatencyMs, st.P99LatencyMs, st.MaxLatencyMs, st.ThroughputMsgPerSec, st.Received, st.Lost, st.WarmupSecondsUsed)
	if !st.Passed {
		// No state is recorded for a failed measurement, so the next `up` measures again.
		return st, errors.New(gateFailure(a, violations, res) + busyHostNote("/proc"))
	}
	return st, nil
}

// gateFailure explains a failed measurement: each threshold missed, then what went wrong with
// the data, with examples that carry the broker's own reason (a produce refused with
// TOPIC_AUTHORIZATION_FAILED reads as that, not as a bare count).
func gateFailure(a LatencyGateArgs, violations []bench.Violation, res *bench.Result) string {
	lines := make([]string, 0, len(violations))
	for _, v := range violations {
		lines = append(lines, "  - "+v.String())
	}
	for _, d := range res.DataErrors() {
		lines = append(lines, "  - "+d)
	}
	return fmt.Sprintf("latency gate failed at %d msg/s offered for %.0fs:\n%s", a.Rate, a.DurationSeconds, strings.Join(lines, "\n"))
}

// fill copies a run's measurements into the outputs.
func (st *LatencyGateState) fill(r *bench.Result) {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	e := r.EndToEnd
	st.MeasuredAt = r.StartedAt.UTC().Format(time.RFC3339)
	st.WarmupSecondsUsed = r.WarmUpSeconds
	st.AvgLatencyMs = e.AvgMs()
	st.P50LatencyMs = ms(e.P50Us)
	st.P90LatencyMs = ms(e.P90Us)
	st.P99LatencyMs = e.P99Ms()
	st.P999LatencyMs = ms(e.P999Us)
	st.MaxLatencyMs = ms(e.MaxUs)
	st.PublishP99Ms = r.Publish.P99Ms()
	st.ThroughputMsgPerSec = min(r.Throughput.ProduceMsgPerSec, r.Throughput.ConsumeMsgPerSec)
	st.ThroughputMBPerSec = min(r.Throughput.ProduceMBPerSec, r.Throughput.ConsumeMBPerSec)
	st.Received = int(r.Counts.Received)
	st.Lost = int(r.Counts.Lost)
	st.Duplicates = int(r.Counts.Duplicates)
	st.InvalidPayloads = int(r.Validation.Failed)
}

// writeReports writes the run's JSON report and SVG latency curve side by side.
func writeReports(dir string, r *bench.Result) (string, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	base := filepath.Join(dir, "gate-"+r.StartedAt.UTC().Format("20060102T150405Z"))
	write := func(path string, f func(*os.File) error) error {
		file, err := os.Create(path)
		if err != nil {
			return err
		}
		return errors.Join(f(file), file.Close())
	}
	if err := write(base+".json", func(f *os.File) error { return r.WriteJSON(f) }); err != nil {
		return "", "", err
	}
	if err := write(base+".svg", func(f *os.File) error { return r.WriteSVG(f) }); err != nil {
		return base + ".json", "", err
	}
	return base + ".json", base + ".svg", nil
}

// busyHostNote is what a gate failure adds when the machine itself was saturated while it
// measured, so a user can tell a slow cluster from a busy laptop; empty otherwise.
func busyHostNote(procRoot string) string {
	h, ok := sampleHostLoad(procRoot, time.Second, 5)
	if !ok || !h.saturated() {
		return ""
	}
	return "\n  the host looks saturated, so part of this latency is time spent waiting for a CPU: " + h.String() +
		"\n  measure again on a quieter machine (busctl gate) before blaming the cluster"
}
