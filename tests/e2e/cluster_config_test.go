package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// clusterDefaults is what Kafka's own kafka-configs reports as the cluster-wide broker
// default (--entity-type brokers --entity-default), run through scripts/local-cluster.
func clusterDefaults(t *testing.T, ctx context.Context) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "scripts", "local-cluster"), "run-class", "org.apache.kafka.tools.ConfigCommand",
		"--bootstrap-server", strings.Join(kafkatest.Bootstrap(), ","), "--describe", "--entity-type", "brokers", "--entity-default")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kafka-configs --describe --entity-type brokers --entity-default: %v\n%s", err, out)
	}
	return string(out)
}

// withClusterConfig is Pulumi.local.yaml with the gate off and the given clusterConfig.
func withClusterConfig(t *testing.T, props map[string]any) string {
	t.Helper()
	return localConfigWith(t, func(cfg map[string]any) {
		setGate(cfg, map[string]any{"enabled": false})
		if props != nil {
			cfg["market-bus:clusterConfig"] = props
		}
	})
}

// TestClusterConfigOnLocalCluster: a ClusterConfig of message.max.bytes is applied and read
// back by Kafka's own kafka-configs; an out-of-band change made with kafka-configs is drift
// that `busctl drift` names and `up --refresh` puts back; a preview of an unknown property
// fails and changes nothing; removing the key resets the cluster-wide value.
func TestClusterConfigOnLocalCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t) // fails at once, naming the fix, when the cluster is not up
	logs := &testLog{t: t}
	if got := clusterDefaults(t, ctx); strings.Contains(got, "message.max.bytes=") {
		t.Fatalf("the cluster already has a cluster-wide message.max.bytes before the test:\n%s", got)
	}
	freshLocalStack(t, ctx, adm) // destroyed after the cleanup below
	without := withClusterConfig(t, nil)
	t.Cleanup(func() {
		// Whatever happened, the ClusterConfig leaves the stack, which resets the cluster-wide
		// value; freshLocalStack's cleanup then destroys the stack.
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer ccancel()
		restored := openLocal(t, cctx, without)
		if _, err := restored.Up(cctx, optup.ProgressStreams(logs)); err != nil {
			t.Errorf("removing the ClusterConfig from the local stack: %v", err)
		}
		if got := clusterDefaults(t, cctx); strings.Contains(got, "message.max.bytes=") {
			t.Errorf("message.max.bytes is still set cluster-wide after the ClusterConfig left the stack:\n%s", got)
		}
	})

	t.Run("preview of an unknown property fails", func(t *testing.T) {
		st := openLocal(t, ctx, withClusterConfig(t, map[string]any{"message.max.byte": 2097152}))
		_, err := st.Preview(ctx, optpreview.ProgressStreams(logs))
		if err == nil {
			t.Fatal("preview of message.max.byte (a typo) passed")
		}
		if !strings.Contains(err.Error(), "properties.message.max.byte") || !strings.Contains(err.Error(), "unknown property") {
			t.Errorf("preview error does not name the key and the reason:\n%v", err)
		}
		if got := clusterDefaults(t, ctx); strings.Contains(got, "message.max.byte") {
			t.Errorf("a failed preview changed the cluster:\n%s", got)
		}
	})

	declared := withClusterConfig(t, map[string]any{"message.max.bytes": 2097152})
	st := openLocal(t, ctx, declared)
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up with clusterConfig message.max.bytes: %v", err)
	}
	if got := clusterDefaults(t, ctx); !strings.Contains(got, "message.max.bytes=2097152") {
		t.Fatalf("kafka-configs does not report the cluster-wide message.max.bytes=2097152:\n%s", got)
	}

	t.Run("out-of-band change is drift until up --refresh", func(t *testing.T) {
		kafkaConfigs(t, ctx, "--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "message.max.bytes=3145728")
		r := runBusctl(t, ctx, nil, "drift", "-s", "local")
		if r.Code != 5 || !strings.Contains(r.Stdout, "message.max.bytes") || !strings.Contains(r.Stdout, "3145728") || !strings.Contains(r.Stdout, "cluster-config") {
			t.Fatalf("drift after kafka-configs --alter --entity-default: exit %d, want 5 with the table naming cluster-config:\n%s%s", r.Code, r.Stdout, r.Stderr)
		}
		if out, code := busctl(t, ctx, "up", "-s", "local", "--refresh", "--yes", "--config-file", declared); code != 0 {
			t.Fatalf("up --refresh: exit %d\n%s", code, out)
		}
		if got := clusterDefaults(t, ctx); !strings.Contains(got, "message.max.bytes=2097152") {
			t.Errorf("up --refresh did not put the declared value back:\n%s", got)
		}
		if out, code := busctl(t, ctx, "drift", "-s", "local"); code != 0 {
			t.Errorf("drift after up --refresh: exit %d, want 0\n%s", code, out)
		}
	})
}
