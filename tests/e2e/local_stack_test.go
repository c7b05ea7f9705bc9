// Package e2e runs the real program through the Automation API against the local 3-broker
// cluster (scripts/local-cluster) and checks the result with franz-go, never through our
// own provider.
package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/marketbus/market-bus/driver"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// openLocal opens the local stack the way `busctl --stack local` does (the same program,
// stack name and, varied by the test, stack file), in the test's own backend rather than the
// repository's .state/backend: what the test sees is what the README's main command does on
// a first deploy, never what an earlier test or deploy left in that state.
func openLocal(t *testing.T, ctx context.Context, stackFile string) auto.Stack {
	t.Helper()
	st, err := driver.Open(ctx, stackOptions(t, "local", stackFile))
	if err != nil {
		t.Fatalf("opening the local stack: %v", err)
	}
	return st
}

func onlySame(summary map[apitype.OpType]int) bool {
	for op, n := range summary {
		if op != apitype.OpSame && n > 0 {
			return false
		}
	}
	return true
}

// TestLocalStack walks the README's main path: up creates market-telemetry as specified, a
// second up and a preview change nothing, and a retention change is an in-place update. The
// stack is destroyed at the end, as `busctl destroy -s local` would.
func TestLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	freshLocalStack(t, ctx, adm)
	logs := &testLog{t: t}

	// The README's main command with the gate off: this test is about topics, and only the
	// gate's own test may fail because the machine is busy.
	quiet := behaviourConfig(t)
	st := openLocal(t, ctx, quiet)
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("busctl up --stack local: %v", err)
	}
	assertTopic(t, ctx, adm, "market-telemetry", 12, 3, map[string]string{
		"retention.ms": "604800000", "cleanup.policy": "delete", "min.insync.replicas": "2",
	})

	t.Run("second up and preview change nothing", func(t *testing.T) {
		res, err := st.Up(ctx, optup.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("second up: %v", err)
		}
		if !onlySame(summaryOf(res.Summary.ResourceChanges)) {
			t.Errorf("second up changed resources: %v", res.Summary.ResourceChanges)
		}
		pre, err := st.Preview(ctx, optpreview.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if !onlySame(pre.ChangeSummary) {
			t.Errorf("preview after up shows changes: %v", pre.ChangeSummary)
		}
	})

	t.Run("retention change updates in place", func(t *testing.T) {
		orig, err := os.ReadFile(quiet)
		if err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(orig), `retention.ms: "604800000"`, `retention.ms: "259200000"`, 1)
		if changed == string(orig) {
			t.Fatal("Pulumi.local.yaml no longer declares market-telemetry's retention as expected")
		}
		file := filepath.Join(t.TempDir(), "Pulumi.local.yaml")
		if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
		mod := openLocal(t, ctx, file)
		pre, err := mod.Preview(ctx, optpreview.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("preview of the retention change: %v", err)
		}
		// The topic is updated in place, and nothing else changes (the gate is off here).
		if pre.ChangeSummary[apitype.OpUpdate] != 1 || !noReplaceOrDelete(pre.ChangeSummary) {
			t.Errorf("preview = %v, want an in-place update of the topic only", pre.ChangeSummary)
		}
		before := topicID(t, ctx, adm, "market-telemetry")
		res, err := mod.Up(ctx, optup.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("up with the retention change: %v", err)
		}
		if got := summaryOf(res.Summary.ResourceChanges); got[apitype.OpUpdate] != 1 || !noReplaceOrDelete(got) {
			t.Errorf("up = %v, want the topic updated and nothing replaced", got)
		}
		assertTopic(t, ctx, adm, "market-telemetry", 12, 3, map[string]string{"retention.ms": "259200000"})
		if after := topicID(t, ctx, adm, "market-telemetry"); after != before {
			t.Errorf("topic id changed from %s to %s: the topic was recreated, not updated", before, after)
		}
	})
}

func noReplaceOrDelete(s map[apitype.OpType]int) bool {
	for _, op := range []apitype.OpType{apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced, apitype.OpDelete, apitype.OpCreate} {
		if s[op] > 0 {
			return false
		}
	}
	return true
}

func summaryOf(m *map[string]int) map[apitype.OpType]int {
	out := map[apitype.OpType]int{}
	if m == nil {
		return out
	}
	for k, v := range *m {
		out[apitype.OpType(k)] = v
	}
	return out
}

// testLog forwards engine progress to the test log, so a failure shows what Pulumi said.
type testLog struct{ t *testing.T }

func (l *testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
