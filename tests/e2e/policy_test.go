package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// busctl runs the built busctl binary and returns its output and exit code.
func busctl(t *testing.T, ctx context.Context, args ...string) (string, int) {
	t.Helper()
	bin := filepath.Join(repoRoot(t), ".cache", "bin", "busctl")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("busctl is not built: run scripts/toolchain (%v)", err)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--root", repoRoot(t))...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("running busctl: %v", err)
		return "", -1
	}
}

// TestPolicyCheckOnLocalStack: replication factor 1 on market-telemetry is a warning on the
// local stack, a blocking violation with --mandatory, and the repository's config passes.
func TestPolicyCheckOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	brokerAdmin(t)
	bad := localConfigWith(t, func(cfg map[string]any) { setTopicField(t, cfg, "market-telemetry", "replicationFactor", 1) })

	out, code := busctl(t, ctx, "policy-check", "--stack", "local", "--config", bad, "--mandatory")
	if code == 0 {
		t.Fatalf("policy-check --mandatory passed a topic with replication factor 1:\n%s", out)
	}
	for _, want := range []string{"mandatory", "topic-replication", `topic "market-telemetry"`, "replicationFactor 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, code = busctl(t, ctx, "policy-check", "--stack", "local", "--config", bad)
	if code != 0 || !strings.Contains(out, "advisory") || !strings.Contains(out, "topic-replication") {
		t.Errorf("without --mandatory the violation must be an advisory warning (exit %d):\n%s", code, out)
	}

	out, code = busctl(t, ctx, "policy-check", "--stack", "local", "--mandatory")
	if code != 0 {
		t.Errorf("the repository's local config fails the mandatory policy check (exit %d):\n%s", code, out)
	}
}
