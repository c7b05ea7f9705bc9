package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbus/market-bus/tests/busctltest"
)

// busctl runs the built busctl binary in the repository root, on the test's own state
// backend, and returns its combined output and exit code.
func busctl(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	r := runBusctl(t, ctx, nil, args...)
	return r.Output(), r.Code
}

// busctlResult is one busctl run with its streams apart, for the --json tests.
type busctlResult = busctltest.Result

// runBusctl runs busctl with extra environment variables, stdin not a terminal. Its state
// backend is the test's own (testBackend), the one driver.Open gets in the same test, unless
// env names one.
func runBusctl(t *testing.T, ctx context.Context, env []string, args ...string) busctlResult {
	t.Helper()
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "PULUMI_BACKEND_URL=") }) {
		// A new slice: the caller's may have room that a later append of its own would share.
		env = append([]string{"PULUMI_BACKEND_URL=" + testBackend(t)}, env...)
	}
	return busctltest.Run(t, ctx, repoRoot(t), env, args...)
}

// TestPolicyCheckOnLocalStack: replication factor 1 on market-telemetry is a warning on the
// local stack, a blocking violation with --mandatory, and the repository's config passes.
func TestPolicyCheckOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The checks preview the local stack in the test's own backend: every topic is a create.
	noLocalTopics(t, ctx, brokerAdmin(t))
	bad := localConfigWith(t, func(cfg map[string]any) {
		setTopicField(t, cfg, "market-telemetry", "replicationFactor", 1)
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
