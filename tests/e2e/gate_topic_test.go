package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/marketbus/market-bus/driver"
)

// TestGateTopicIsManagedOnLocalCluster: a gate topic left on the cluster by an earlier
// version (created by the gate, owned by nobody) is adopted as the stack's Topic: recreated
// with the declared shape and an hour's retention, the gate measures on it, and destroy
// deletes it. It runs on a stack of its own with a short, light gate.
func TestGateTopicIsManagedOnLocalCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	logs := &testLog{t: t}
	const topic, subject = "e2e-gate-scratch", "e2e-gate-scratch-value"
	// What an earlier gate left behind: same name, other shape, no owner.
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, topic); err != nil {
		t.Fatalf("creating the leftover topic: %v", err)
	}
	t.Cleanup(func() { _, _ = adm.DeleteTopics(context.Background(), topic) })
	file := ownStackFile(t, "e2e-gate-topic", nil, nil,
		[]map[string]any{{"subject": subject, "file": "schemas/fx_tick.avsc", "deletionMode": "hard"}},
		map[string]any{"topic": topic, "subject": subject, "partitions": 3, "replicationFactor": 3, "rate": 500,
			"durationSeconds": 3, "warmupSeconds": 1, "minThroughputMsgPerSec": 1, "maxAvgLatencyMs": 60000, "maxP99LatencyMs": 60000})
	st, err := driver.Open(ctx, stackOptions(t, "e2e-gate-topic", file))
	if err != nil {
		t.Fatalf("opening the stack: %v", err)
	}
	destroyAtEnd(t, "e2e-gate-topic", file) // its subject too, should the test stop early
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up: %v", err)
	}
	assertTopic(t, ctx, adm, topic, 3, 3, map[string]string{"retention.ms": "3600000", "retention.bytes": "268435456", "min.insync.replicas": "2"})
	if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if topicExists(t, ctx, adm, topic) {
		t.Errorf("topic %s survived destroy: the gate's topic goes with the stack", topic)
	}
}
