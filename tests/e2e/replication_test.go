package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/marketbus/market-bus/driver"
)

// rfStack is a stack of its own (not the shared local one) holding one disposable topic on
// the local cluster, with no schemas and no gate, so the test measures nothing and leaves
// the local stack alone.
func rfStack(t *testing.T, ctx context.Context, rf int, allow bool) auto.Stack {
	t.Helper()
	topic := map[string]any{"name": "e2e-rf-decrease", "partitions": 3, "replicationFactor": rf, "deletionProtection": false,
		"config": map[string]any{"retention.ms": "3600000", "min.insync.replicas": "1"}}
	if allow {
		topic["onReplicationDecrease"] = "allow"
	}
	file := ownStackFile(t, "e2e-rf", nil, []map[string]any{topic}, nil, map[string]any{"enabled": false})
	st, err := driver.Open(ctx, stackOptions(t, "e2e-rf", file))
	if err != nil {
		t.Fatalf("opening the e2e-rf stack: %v", err)
	}
	return st
}

// TestReplicationDecreaseOnLocalCluster: RF 3 -> 2 is refused by preview and up, naming what
// is lost and the opt-in, and leaves the topic at 3; with onReplicationDecrease: allow the
// same change is applied by reassignment.
func TestReplicationDecreaseOnLocalCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	logs := &testLog{t: t}
	st := rfStack(t, ctx, 3, false)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
			t.Errorf("destroying the e2e-rf stack: %v", err)
		}
		_ = st.Workspace().RemoveStack(ctx, "e2e-rf")
	})
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up with RF 3: %v", err)
	}
	assertTopic(t, ctx, adm, "e2e-rf-decrease", 3, 3, nil)

	lower := rfStack(t, ctx, 2, false)
	wants := []string{`topic "e2e-rf-decrease" has replication factor 3 and the program asks for 2`,
		"removes 1 of the 3 copies of each of its 3 partitions", "set onReplicationDecrease: allow on this topic"}
	_, err := lower.Preview(ctx, optpreview.ProgressStreams(logs))
	if err == nil {
		t.Fatal("preview accepted RF 3 -> 2 without the opt-in")
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("preview error does not say %q:\n%v", w, err)
		}
	}
	if _, err := lower.Up(ctx, optup.ProgressStreams(logs)); err == nil || !strings.Contains(err.Error(), wants[0]) {
		t.Errorf("up of RF 3 -> 2 without the opt-in: %v, want the refusal", err)
	}
	assertTopic(t, ctx, adm, "e2e-rf-decrease", 3, 3, nil)

	allowed := rfStack(t, ctx, 2, true)
	if _, err := allowed.Preview(ctx, optpreview.ProgressStreams(logs)); err != nil {
		t.Fatalf("preview with onReplicationDecrease: allow: %v", err)
	}
	if _, err := allowed.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up with onReplicationDecrease: allow: %v", err)
	}
	assertTopic(t, ctx, adm, "e2e-rf-decrease", 3, 2, nil)
}
