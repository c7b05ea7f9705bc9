package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/marketbus/market-bus/tests/busctltest"
)

// busctl runs the built busctl binary in the repository root and returns its combined
// output and exit code.
func busctl(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	r := runBusctl(t, ctx, nil, args...)
	return r.Output(), r.Code
}

// busctlResult is one busctl run with its streams apart, for the --json tests.
type busctlResult = busctltest.Result

// runBusctl runs busctl with extra environment variables, stdin not a terminal.
func runBusctl(t *testing.T, ctx context.Context, env []string, args ...string) busctlResult {
	t.Helper()
	return busctltest.Run(t, ctx, repoRoot(t), env, args...)
}

// TestPolicyCheckOnLocalStack: replication factor 1 on market-telemetry is a warning on the
// local stack, a blocking violation with --mandatory, and the repository's config passes.
func TestPolicyCheckOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	brokerAdmin(t)
	// The opt-in keeps the provider's own refusal of a replication decrease out of the way:
	// this test is about what the policy pack says of replication factor 1.
	bad := localConfigWith(t, func(cfg map[string]any) {
		setTopicField(t, cfg, "market-telemetry", "replicationFactor", 1)
		setTopicField(t, cfg, "market-telemetry", "onReplicationDecrease", "allow")
	})

	out, code := busctl(t, ctx, "policy-check", "--stack", "local", "--config-file", bad, "--mandatory")
	if code != 3 {
		t.Fatalf("policy-check --mandatory on a topic with replication factor 1: exit %d, want 3 (mandatory violation):\n%s", code, out)
	}
	for _, want := range []string{"mandatory", "topic-replication", `topic "market-telemetry"`, "replicationFactor 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, code = busctl(t, ctx, "policy-check", "--stack", "local", "--config-file", bad)
	if code != 0 || !strings.Contains(out, "advisory") || !strings.Contains(out, "topic-replication") {
		t.Errorf("without --mandatory the violation must be an advisory warning (exit %d):\n%s", code, out)
	}

	out, code = busctl(t, ctx, "policy-check", "--stack", "local", "--mandatory")
	if code != 0 {
		t.Errorf("the repository's local config fails the mandatory policy check (exit %d):\n%s", code, out)
	}
}
