package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marketbus/market-bus/policies/guardrails"
	"github.com/marketbus/market-bus/tests/kafkatest"
)

// upLocal brings the test's local stack (in its own backend, see runBusctl) to the
// repository's config with busctl itself.
func upLocal(t *testing.T, ctx context.Context) {
	t.Helper()
	if out, code := busctl(t, ctx, "up", "-s", "local", "--yes", "--config-file", tokenConfig(t)); code != 0 {
		t.Fatalf("busctl up -s local --yes: exit %d\n%s", code, out)
	}
}

// TestBusctlJSONOutputs: --json on preview, up, outputs, policy-check and gate prints one
// JSON document on stdout (progress goes to stderr), and `outputs NAME` prints a string raw.
func TestBusctlJSONOutputs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	freshLocalStack(t, ctx, brokerAdmin(t))
	decode := func(name string, r busctlResult) map[string]any {
		t.Helper()
		if r.Code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", name, r.Code, r.Stdout, r.Stderr)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
			t.Fatalf("%s: stdout is not one JSON document: %v\n%s", name, err, r.Stdout)
		}
		return v
	}
	tok := tokenConfig(t)
	up := decode("up --json", runBusctl(t, ctx, nil, "up", "-s", "local", "--yes", "--json", "--config-file", tok))
	outs, _ := up["outputs"].(map[string]any)
	if _, ok := up["summary"].(map[string]any); !ok || outs["bootstrapServers"] == nil {
		t.Errorf("up --json lacks summary or outputs: %v", up)
	}
	pre := decode("preview --json", runBusctl(t, ctx, nil, "preview", "-s", "local", "--json", "--config-file", tok))
	steps, _ := pre["steps"].([]any)
	found := false
	for _, s := range steps {
		m, _ := s.(map[string]any)
		if strings.HasSuffix(m["urn"].(string), "::market-telemetry") && m["op"] == "same" {
			found = true
		}
	}
	if !found {
		t.Errorf("preview --json has no same-step for market-telemetry: %v", steps)
	}
	// The local stack's outputs (an external cluster: no rpkProfile, which the dev and prod
	// stacks export): bootstrapServers and latencyGate.
	all := decode("outputs --json", runBusctl(t, ctx, nil, "outputs", "-s", "local", "--json"))
	gateOut, _ := all["latencyGate"].(map[string]any)
	if all["bootstrapServers"] == nil || gateOut == nil {
		t.Fatalf("outputs --json lacks bootstrapServers or latencyGate: %v", all)
	}
	// One output by name: a non-string prints as JSON on its own.
	raw := decode("outputs latencyGate", runBusctl(t, ctx, nil, "outputs", "-s", "local", "latencyGate"))
	if raw["measuredAt"] != gateOut["measuredAt"] {
		t.Errorf("outputs latencyGate printed %v, want the latencyGate of outputs --json %v", raw, gateOut)
	}
	pc := decode("policy-check --json", runBusctl(t, ctx, nil, "policy-check", "-s", "local", "--json", "--config-file", tok))
	if _, ok := pc["violations"].([]any); !ok {
		t.Errorf("policy-check --json lacks a violations list: %v", pc)
	}
	gate := decode("gate --json", runBusctl(t, ctx, nil, "gate", "-s", "local", "--json", "--config-file", tok))
	if v, _ := gate["p99LatencyMs"].(float64); v <= 0 || gate["passed"] != true {
		t.Errorf("gate --json: %v", gate)
	}
}

// TestBusctlUpStopsOnMandatoryPolicy: up runs the policy pack; a mandatory violation (here
// raised with --policy-config, as on a production stack) stops it before anything changes.
func TestBusctlUpStopsOnMandatoryPolicy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	freshLocalStack(t, ctx, adm) // destroyed at the end in case the policy fails to stop up
	const topic = "e2e-policy-would-create"
	bad := localConfigWith(t, func(cfg map[string]any) {
		list, _ := cfg["market-bus:topics"].([]any)
		cfg["market-bus:topics"] = append(list, map[string]any{"name": topic, "partitions": 3, "replicationFactor": 1, "deletionProtection": false})
	})
	policyConfig := filepath.Join(t.TempDir(), "mandatory.json")
	if err := guardrails.MandatoryConfig().Write(policyConfig); err != nil {
		t.Fatal(err)
	}
	out, code := busctl(t, ctx, "up", "-s", "local", "--yes", "--config-file", bad, "--policy-config", policyConfig)
	if code != 3 || !strings.Contains(out, "topic-replication") || !strings.Contains(out, "nothing was changed") {
		t.Fatalf("up with a mandatory violation: exit %d, want 3 naming the policy:\n%s", code, out)
	}
	if topicExists(t, ctx, adm, topic) {
		t.Errorf("topic %s was created although a mandatory policy failed", topic)
	}
}

// TestBusctlGateTouchesNothingElse: `busctl gate` replaces only the latency gate: a pending
// retention edit stays pending (the topic keeps its retention), and the gate measures again.
// A gate that misses its thresholds exits 4.
func TestBusctlGateTouchesNothingElse(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	freshLocalStack(t, ctx, adm)
	upLocal(t, ctx)
	edited := localConfigWith(t, func(cfg map[string]any) {
		setTopicField(t, cfg, "market-telemetry", "config", map[string]any{
			"retention.ms": "259200000", "cleanup.policy": "delete", "min.insync.replicas": "2"})
	})
	before := runBusctl(t, ctx, nil, "outputs", "-s", "local", "latencyGate")
	r := runBusctl(t, ctx, nil, "gate", "-s", "local", "--config-file", edited, "--json")
	if r.Code != 0 {
		t.Fatalf("gate with a pending retention edit: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	assertTopic(t, ctx, adm, "market-telemetry", 12, 3, map[string]string{"retention.ms": "604800000"})
	if r.Stdout == before.Stdout {
		t.Errorf("gate did not measure again: latencyGate unchanged")
	}
	// The edit is still pending: the next preview updates the topic.
	pre := runBusctl(t, ctx, nil, "preview", "-s", "local", "--config-file", edited, "--json")
	var plan struct {
		Steps []struct{ URN, Op string }
	}
	if err := json.Unmarshal([]byte(pre.Stdout), &plan); err != nil {
		t.Fatalf("preview --json: %v\n%s%s", err, pre.Stdout, pre.Stderr)
	}
	pending := false
	for _, s := range plan.Steps {
		pending = pending || strings.HasSuffix(s.URN, "::market-telemetry") && s.Op == "update"
	}
	if !pending {
		t.Errorf("the retention edit is no longer pending after gate: %+v", plan.Steps)
	}

	impossible := localConfigWith(t, func(cfg map[string]any) {
		setGate(cfg, map[string]any{"maxP99LatencyMs": 0.5, "maxAvgLatencyMs": 0.5, "durationSeconds": 5, "warmupSeconds": 2})
	})
	out, code := busctl(t, ctx, "gate", "-s", "local", "--config-file", impossible)
	if code != 4 || !strings.Contains(out, "missed its thresholds") {
		t.Errorf("gate with impossible thresholds: exit %d, want 4:\n%s", code, out)
	}
	// The engine streams the gate's failure (its step line and its diagnostics); busctl's own
	// closing error must not repeat it, nor the streamed output.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "busctl:") && strings.Contains(line, "latency gate failed at") {
			t.Errorf("busctl's error repeats the gate's failure:\n%s", line)
		}
	}
	if strings.Count(out, "Updating (local)") > 1 {
		t.Errorf("busctl repeats the engine's output after streaming it:\n%s", out)
	}
}

// TestBusctlDrift: a retention.ms change made with Kafka's own kafka-configs tool is drift
// (exit 5, named in the table); `up --refresh` puts the declared value back and drift is clean.
func TestBusctlDrift(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	freshLocalStack(t, ctx, adm)
	upLocal(t, ctx)
	if out, code := busctl(t, ctx, "drift", "-s", "local"); code != 0 {
		t.Fatalf("drift right after up: exit %d, want 0\n%s", code, out)
	}
	kafkaConfigs(t, ctx, "--alter", "--entity-type", "topics", "--entity-name", "market-telemetry", "--add-config", "retention.ms=3600000")
	r := runBusctl(t, ctx, nil, "drift", "-s", "local")
	if r.Code != 5 || !strings.Contains(r.Stdout, "retention.ms") || !strings.Contains(r.Stdout, "3600000") || !strings.Contains(r.Stdout, "market-telemetry") {
		t.Fatalf("drift after kafka-configs --alter: exit %d, want 5 with the table:\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	js := runBusctl(t, ctx, nil, "drift", "-s", "local", "--json")
	var doc struct{ Drifted []drifted }
	if err := json.Unmarshal([]byte(js.Stdout), &doc); err != nil || js.Code != 5 || len(doc.Drifted) == 0 {
		t.Errorf("drift --json: exit %d, err %v:\n%s", js.Code, err, js.Stdout)
	}
	if out, code := busctl(t, ctx, "up", "-s", "local", "--refresh", "--yes", "--config-file", tokenConfig(t)); code != 0 {
		t.Fatalf("up --refresh: exit %d\n%s", code, out)
	}
	assertTopic(t, ctx, adm, "market-telemetry", 12, 3, map[string]string{"retention.ms": "604800000"})
	if out, code := busctl(t, ctx, "drift", "-s", "local"); code != 0 {
		t.Errorf("drift after up --refresh: exit %d, want 0\n%s", code, out)
	}
}

type drifted struct{ Resource, Property string }

// kafkaConfigs runs Kafka's kafka-configs (org.apache.kafka.tools.ConfigCommand) from the
// jars scripts/local-cluster caches: the out-of-band change is made by Kafka's tool, not ours.
func kafkaConfigs(t *testing.T, ctx context.Context, args ...string) {
	t.Helper()
	root := repoRoot(t)
	cmd := exec.CommandContext(ctx, "java", append([]string{
		"-Dlog4j2.configurationFile=" + filepath.Join(root, "tests", "kafka", "config", "tools-log4j2.xml"),
		"-cp", filepath.Join(root, ".cache", "kafka", "lib", "*"),
		"org.apache.kafka.tools.ConfigCommand", "--bootstrap-server", strings.Join(kafkatest.Bootstrap(), ","),
	}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kafka-configs %v: %v\n%s", args, err, out)
	}
}

// TestBusctlInterruptLeavesNoLock: SIGINT to busctl during a gate run cancels the update
// cleanly: busctl exits non-zero, the stack is not locked, and the next command runs.
func TestBusctlInterruptLeavesNoLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	freshLocalStack(t, ctx, brokerAdmin(t))
	upLocal(t, ctx)
	root := repoRoot(t)
	cmd := exec.CommandContext(ctx, filepath.Join(root, ".cache", "bin", "busctl"), "gate", "-s", "local", "--config-file", tokenConfig(t))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "PULUMI_BACKEND_URL="+testBackend(t))
	var out bytes.Buffer
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	// Interrupt once the gate's replacement is under way (the engine prints its step).
	seen := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		signalled := false
		for {
			n, err := pr.Read(buf)
			out.Write(buf[:n])
			if !signalled && strings.Contains(out.String(), "latency-gate") && strings.Contains(out.String(), "replac") {
				signalled = true
				close(seen)
			}
			if err != nil {
				if !signalled {
					close(seen)
				}
				return
			}
		}
	}()
	<-seen
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if err == nil {
		t.Errorf("busctl gate exited 0 after SIGINT:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "interrupted") {
		t.Errorf("busctl did not say it was interrupted:\n%s", out.String())
	}
	locks, _ := filepath.Glob(filepath.Join(backendDir(t), ".pulumi", "locks", "*", "*", "local", "*.json"))
	if len(locks) > 0 {
		t.Errorf("the stack is left locked after one Ctrl-C: %v\n%s", locks, out.String())
	}
	upLocal(t, ctx) // not locked: the next update runs and completes the gate
}
