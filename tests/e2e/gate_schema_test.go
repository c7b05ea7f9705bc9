package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestSchemasOnLocalStack: up registers both subjects, reformatted schema files are no
// change, and an incompatible edit fails the preview naming the field.
func TestSchemasOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	freshLocalStack(t, ctx, brokerAdmin(t))
	logs := &testLog{t: t}
	st := openLocal(t, ctx, behaviourConfig(t))
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up: %v", err)
	}
	resp, err := http.Get(kafkatest.RegistryURL() + "/subjects")
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	_ = json.NewDecoder(resp.Body).Decode(&subjects)
	resp.Body.Close()
	for _, want := range []string{"market-telemetry-value", "fx-stream-global-value"} {
		if !strings.Contains(strings.Join(subjects, ","), want) {
			t.Errorf("registry subjects %v lack %s", subjects, want)
		}
	}

	schemaDir := filepath.Join(repoRoot(t), "schemas")
	tmp := t.TempDir()
	reformatted := map[string]string{}
	for _, f := range []string{"market_telemetry.avsc", "fx_tick.avsc"} {
		raw, err := os.ReadFile(filepath.Join(schemaDir, f))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := json.Indent(&b, raw, "", "        "); err != nil {
			t.Fatal(err)
		}
		reformatted[f] = filepath.Join(tmp, f)
		if err := os.WriteFile(reformatted[f], b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("reformatted schema files are no change", func(t *testing.T) {
		file := localConfigWith(t, func(cfg map[string]any) {
			setGate(cfg, map[string]any{"enabled": false})
			setSchemaFile(t, cfg, "market-telemetry-value", reformatted["market_telemetry.avsc"])
			setSchemaFile(t, cfg, "fx-stream-global-value", reformatted["fx_tick.avsc"])
		})
		re := openLocal(t, ctx, file)
		pre, err := re.Preview(ctx, optpreview.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if !onlySame(pre.ChangeSummary) {
			t.Errorf("reformatted schemas show changes: %v", pre.ChangeSummary)
		}
	})

	t.Run("incompatible edit fails preview naming the field", func(t *testing.T) {
		raw, _ := os.ReadFile(filepath.Join(schemaDir, "market_telemetry.avsc"))
		broken := strings.Replace(string(raw), `{"name": "value", "type": "double"`, `{"name": "value", "type": "string"`, 1)
		if broken == string(raw) {
			t.Fatal("market_telemetry.avsc no longer has a double field named value")
		}
		path := filepath.Join(tmp, "broken.avsc")
		if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		file := localConfigWith(t, func(cfg map[string]any) {
			setGate(cfg, map[string]any{"enabled": false})
			setSchemaFile(t, cfg, "market-telemetry-value", path)
		})
		bad := openLocal(t, ctx, file)
		_, err := bad.Preview(ctx, optpreview.ProgressStreams(logs))
		if err == nil || !strings.Contains(err.Error(), "not compatible") || !strings.Contains(err.Error(), `field "value"`) {
			t.Fatalf("preview err = %v, want an incompatibility naming field \"value\"", err)
		}
	})
}

// TestLatencyGateOnLocalStack: an impossible threshold fails up with measured vs target,
// and the next up with a reachable threshold measures again and passes, publishing outputs;
// busctl gate measures again on demand. The mechanism is what is tested here: whether the
// local cluster meets the seed's SLO at the local stack's load is measured by
// scripts/gate-soak (and `make up-local`), not asserted in CI, where it depends on the
// machine (this build machine measured p99 215 ms at 40,000 msg/s on 2026-11-30).
func TestLatencyGateOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	freshLocalStack(t, ctx, brokerAdmin(t))
	logs := &testLog{t: t}
	impossible := localConfigWith(t, func(cfg map[string]any) {
		setGate(cfg, map[string]any{"maxP99LatencyMs": 0.5, "maxAvgLatencyMs": 0.5, "durationSeconds": 5, "warmupSeconds": 2, "trigger": "e2e-impossible"})
	})
	failing := openLocal(t, ctx, impossible)
	_, err := failing.Up(ctx, optup.ProgressStreams(logs))
	if err == nil || !strings.Contains(err.Error(), "latency gate failed") || !strings.Contains(err.Error(), "vs target <= 0.50 ms") {
		t.Fatalf("up with an impossible threshold: err = %v, want measured vs target", err)
	}

	reachable := tokenConfig(t)
	fixed := openLocal(t, ctx, reachable)
	res, err := fixed.Up(ctx, optup.ProgressStreams(logs))
	if err != nil {
		t.Fatalf("up with a reachable threshold: %v", err)
	}
	gate, _ := res.Outputs["latencyGate"].Value.(map[string]any)
	for _, k := range []string{"avgLatencyMs", "p50LatencyMs", "p99LatencyMs", "maxLatencyMs", "throughputMsgPerSec"} {
		if v, _ := gate[k].(float64); v <= 0 {
			t.Errorf("latencyGate.%s = %v, want a measurement", k, gate[k])
		}
	}
	if gate["passed"] != true {
		t.Errorf("latencyGate.passed = %v", gate["passed"])
	}

	// busctl gate measures again on demand, with nothing else changed.
	out, code := busctl(t, ctx, "gate", "--stack", "local", "--config-file", reachable)
	if code != 0 || !strings.Contains(out, "latency-gate") || !strings.Contains(out, "p99LatencyMs") {
		t.Fatalf("busctl gate (exit %d):\n%s", code, out)
	}
	after, err := fixed.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := after["latencyGate"].Value.(map[string]any)
	if again["measuredAt"] == gate["measuredAt"] {
		t.Errorf("busctl gate did not measure again: measuredAt stayed %v", gate["measuredAt"])
	}
}
