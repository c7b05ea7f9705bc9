package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/marketbus/market-bus/bench"
	"github.com/marketbus/market-bus/gatedefaults"
)

// benchFlags are the settings of an ad-hoc run; zero values take bench.Defaults.
type benchFlags struct {
	brokers, topic, acks, compression, sweep, reportDir    string
	cpuProfile                                             string
	rate, size, producers, consumers, partitions, schemaID int
	duration, warmup, linger                               time.Duration
	sloMs                                                  float64
	json                                                   bool
}

func (a *app) benchCmd() *cobra.Command {
	var b benchFlags
	c := &cobra.Command{
		Use:   "bench",
		Short: "An ad-hoc latency/throughput run against the stack's cluster",
		Long: "Measure end-to-end latency and throughput with the latency gate's engine, or --sweep rates to\n" +
			"find the highest one under --slo-ms. Brokers and schema id come from the stack's outputs unless\n" +
			"--brokers and --schema-id are given (then no stack is needed). --json prints the report.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx := c.Context()
			var st *auto.Stack
			if b.brokers == "" || b.schemaID == 0 {
				if err := a.resolve(); err != nil {
					return err
				}
				s, err := a.open(ctx)
				if err != nil {
					return err
				}
				st = &s
			}
			cfg, err := b.config(ctx, st)
			if err != nil {
				return err
			}
			out := a.out
			if b.json {
				out = a.errOut
			}
			return runBench(ctx, b, cfg, out, a.out)
		},
	}
	a.stackFlags(c.Flags())
	b.register(c.Flags())
	return c
}

func (b *benchFlags) register(fs *pflag.FlagSet) {
	// The flags start from the gate's own profile (bench.Defaults, package gatedefaults), so
	// an ad-hoc run measures what the gate measures unless told otherwise.
	d := bench.Defaults()
	fs.StringVar(&b.brokers, "brokers", "", "bootstrap servers (default: the stack's bootstrapServers output)")
	fs.StringVar(&b.topic, "topic", d.Topic, "topic to write to; created when missing")
	fs.StringVar(&b.acks, "acks", d.Acks, "all, leader or none")
	fs.StringVar(&b.compression, "compression", d.Compression, "none, gzip, snappy, lz4 or zstd")
	fs.StringVar(&b.sweep, "sweep", "", "rate sweep START:STEP:MAX: find the highest rate whose p99 stays under --slo-ms")
	fs.StringVar(&b.reportDir, "report-dir", "reports/bench", "where the JSON report and SVG curve go")
	fs.IntVar(&b.rate, "rate", 10000, "offered load in msg/s (open loop)")
	fs.IntVar(&b.size, "size", d.MessageSize, "record size in bytes")
	fs.IntVar(&b.producers, "producers", d.Producers, "producer clients")
	fs.IntVar(&b.consumers, "consumers", d.Consumers, "consumer clients")
	fs.IntVar(&b.partitions, "partitions", int(d.Partitions), "partitions when the topic is created")
	fs.IntVar(&b.schemaID, "schema-id", 0, "schema id in the payloads (default: the stack's fx-stream-global-value id)")
	fs.DurationVar(&b.duration, "duration", 20*time.Second, "measured window")
	fs.DurationVar(&b.warmup, "warmup", 5*time.Second, "warm-up before the window")
	fs.DurationVar(&b.linger, "linger", d.Linger, "producer linger")
	fs.Float64Var(&b.sloMs, "slo-ms", gatedefaults.MaxP99LatencyMs, "p99 SLO for --sweep, in ms")
	fs.StringVar(&b.cpuProfile, "cpu-profile", "", "write a Go CPU profile of the whole run to this file (go tool pprof reads it)")
	jsonFlag(fs, &b.json)
}

// config builds the run from the flags, filling brokers and schema id from the stack.
func (b *benchFlags) config(ctx context.Context, st *auto.Stack) (bench.Config, error) {
	c := bench.Defaults()
	if b.brokers != "" {
		c.Brokers = strings.Split(b.brokers, ",")
	}
	c.SchemaID = b.schemaID
	if (len(c.Brokers) == 0 || c.SchemaID == 0) && st != nil {
		outs, err := st.Outputs(ctx)
		if err != nil {
			return c, fmt.Errorf("reading the stack's outputs: %w", err)
		}
		if len(c.Brokers) == 0 {
			c.Brokers = stringList(outs["bootstrapServers"].Value)
		}
		if c.SchemaID == 0 {
			c.SchemaID = schemaIDOf(outs["schemas"].Value, "fx-stream-global-value")
		}
		if urls := stringList(outs["schemaRegistryUrls"].Value); len(urls) > 0 {
			c.RegistryURL = urls[0] // decode with the writer schema of each record's id
		}
	}
	if len(c.Brokers) == 0 {
		return c, errors.New("no brokers: deploy the stack first (busctl up) or pass --brokers")
	}
	if c.SchemaID == 0 {
		return c, errors.New("no schema id: deploy the stack first (it registers fx-stream-global-value) or pass --schema-id")
	}
	c.Topic, c.CreateTopic, c.Partitions = b.topic, true, int32(b.partitions)
	c.Rate, c.Duration, c.WarmUp, c.MessageSize = b.rate, b.duration, b.warmup, b.size
	c.Acks, c.Linger, c.Compression = b.acks, b.linger, b.compression
	c.Producers, c.Consumers, c.ClientID = b.producers, b.consumers, "busctl-bench"
	return c, c.Validate()
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func schemaIDOf(v any, subject string) int {
	m, _ := v.(map[string]any)
	s, _ := m[subject].(map[string]any)
	id, _ := s["schemaId"].(float64)
	return int(id)
}

// runBench runs one measurement, or a sweep, printing progress once a second to out and
// writing the report next to an SVG of the latency curve; with --json the report (or the
// sweep's steps) also goes to jsonOut.
func runBench(ctx context.Context, b benchFlags, c bench.Config, out, jsonOut io.Writer) (err error) {
	c.OnProgress = bench.ProgressWriter(out)
	if b.cpuProfile != "" {
		stop, perr := startCPUProfile(b.cpuProfile)
		if perr != nil {
			return perr
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	if b.sweep != "" {
		plan, err := parseSweep(b.sweep)
		if err != nil {
			return err
		}
		res, err := bench.Sweep(ctx, c, plan, time.Duration(b.sloMs*float64(time.Millisecond)))
		if res != nil && b.json {
			if jerr := writeJSON(jsonOut, res); jerr != nil {
				return jerr
			}
		}
		if res != nil {
			for _, s := range res.Steps {
				fmt.Fprintf(out, "rate %7d msg/s: passed=%v p99=%.2f ms achieved=%.0f msg/s %s\n",
					s.Rate, s.Passed, s.Result.EndToEnd.P99Ms(), s.Result.Throughput.ProduceMsgPerSec, strings.Join(s.Reasons, "; "))
			}
			if res.Found {
				fmt.Fprintf(out, "highest rate with p99 under %.0f ms: %d msg/s\n", b.sloMs, res.BestRate)
			} else {
				fmt.Fprintf(out, "no rate kept p99 under %.0f ms\n", b.sloMs)
			}
		}
		return err
	}
	res, err := bench.Run(ctx, c)
	if err != nil {
		return err
	}
	e := res.EndToEnd
	fmt.Fprintf(out, "\ne2e latency (corrected): avg %.2f ms, p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f ms\n",
		e.AvgMs(), float64(e.P50Us)/1000, float64(e.P90Us)/1000, e.P99Ms(), float64(e.P999Us)/1000, float64(e.MaxUs)/1000)
	u := res.EndToEndUncorrected
	fmt.Fprintf(out, "e2e latency (uncorrected): avg %.2f ms, p50 %.2f, p99 %.2f, max %.2f ms\n",
		u.AvgMs(), float64(u.P50Us)/1000, u.P99Ms(), float64(u.MaxUs)/1000)
	fmt.Fprintf(out, "publish p99 %.2f ms; produced %.0f msg/s (%.1f MB/s), consumed %.0f msg/s; lost %d, duplicates %d, invalid %d\n",
		res.Publish.P99Ms(), res.Throughput.ProduceMsgPerSec, res.Throughput.ProduceMBPerSec, res.Throughput.ConsumeMsgPerSec,
		res.Counts.Lost, res.Counts.Duplicates, res.Validation.Failed)
	if err := os.MkdirAll(b.reportDir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(b.reportDir, "bench-"+res.StartedAt.UTC().Format("20060102T150405Z"))
	for ext, write := range map[string]func(io.Writer) error{".json": res.WriteJSON, ".svg": res.WriteSVG} {
		f, err := os.Create(base + ext)
		if err != nil {
			return err
		}
		if err := errors.Join(write(f), f.Close()); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "report: %s.json, latency curve: %s.svg\n", base, base)
	if b.json {
		return res.WriteJSON(jsonOut)
	}
	return nil
}

// startCPUProfile profiles this process (producers, consumers, codec and franz-go alike)
// until stop is called: the bench's own CPU per record, which on a small machine competes
// with the brokers it measures.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(fmt.Errorf("--cpu-profile: %w", err), f.Close())
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// parseSweep reads START:STEP:MAX.
func parseSweep(s string) (bench.SweepPlan, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return bench.SweepPlan{}, fmt.Errorf("--sweep %q: write it as START:STEP:MAX, e.g. 10000:5000:60000", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v <= 0 {
			return bench.SweepPlan{}, fmt.Errorf("--sweep %q: %q is not a positive whole number", s, p)
		}
		n[i] = v
	}
	return bench.SweepPlan{Start: n[0], Step: n[1], Max: n[2]}, nil
}
