package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/marketbus/market-bus/driver"
)

// TestPreviewBeforeTheClusterExists: on a first deploy nothing answers yet. The preview must
// still succeed and plan every resource, and say through the engine's diagnostics that the
// broker and registry checks were skipped rather than silently pass.
func TestPreviewBeforeTheClusterExists(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	file := localConfigWith(t, func(cfg map[string]any) {
		// Pulumi.local.yaml leaves the cluster to the local stack's defaults.
		cluster, _ := cfg["market-bus:cluster"].(map[string]any)
		if cluster == nil {
			cluster = map[string]any{}
			cfg["market-bus:cluster"] = cluster
		}
		cluster["bootstrapServers"] = []any{"127.0.0.1:1"}
		cluster["schemaRegistryUrl"] = "http://127.0.0.1:2/apis/ccompat/v7"
	})
	st, err := driver.Open(ctx, stackOptions(t, "local", file))
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	var warnings []string
	go func() {
		for e := range ch {
			if d := e.DiagnosticEvent; d != nil && d.Severity == "warning" {
				warnings = append(warnings, d.Message)
			}
		}
		close(done)
	}()
	res, err := st.Preview(ctx, optpreview.EventStreams(ch))
	<-done
	if err != nil {
		t.Fatalf("preview against a cluster that does not exist yet failed: %v", err)
	}
	if res.ChangeSummary[apitype.OpCreate] < 6 {
		t.Errorf("preview plans %v, want the provider, topics, schemas and gate created", res.ChangeSummary)
	}
	all := strings.Join(warnings, "\n")
	for _, want := range []string{"not reachable during preview", "broker-side validation skipped", "checking Avro BACKWARD compatibility offline only"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q; warnings:\n%s", want, all)
		}
	}
}
