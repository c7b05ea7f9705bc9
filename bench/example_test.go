package bench_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/marketbus/market-bus/bench"
)

// A post-deploy latency gate: run, write the artifacts, check thresholds.
func Example_gate() {
	cfg := bench.Defaults()
	cfg.Brokers = []string{"redpanda-0:9092", "redpanda-1:9092", "redpanda-2:9092"}
	cfg.Topic = "bench.fx-ticks"
	cfg.SchemaID = 17 // id of schemas/fx_tick.avsc in the registry
	cfg.Rate = 5000
	cfg.OnProgress = bench.ProgressWriter(os.Stderr)
	// TLS/SASL: cfg.ExtraOpts = []kgo.Opt{kgo.DialTLSConfig(tlsCfg), kgo.SASL(mech)}

	res, err := bench.Run(context.Background(), cfg)
	if err != nil {
		fmt.Println("benchmark failed:", err)
		return
	}
	_ = res.WriteJSON(os.Stdout)
	if f, err := os.Create("latency.svg"); err == nil {
		_ = res.WriteSVG(f)
		_ = f.Close()
	}
	for _, v := range (bench.Thresholds{MaxP99Ms: 10, MinMsgPerSec: 4750}).Check(res) {
		fmt.Println("violation:", v)
	}
}

// Find the highest rate whose corrected e2e p99 stays under 10 ms.
func ExampleSweep() {
	cfg := bench.Defaults()
	cfg.Brokers = []string{"localhost:9092"}
	cfg.SchemaID = 17
	cfg.WarmUp, cfg.Duration = 5*time.Second, 20*time.Second

	res, err := bench.Sweep(context.Background(), cfg, bench.SweepPlan{Start: 10_000, Step: 10_000, Max: 200_000}, 10*time.Millisecond)
	if err != nil {
		fmt.Println("sweep failed:", err)
	}
	if res != nil && res.Found {
		fmt.Println("max sustainable rate:", res.BestRate)
	}
}
