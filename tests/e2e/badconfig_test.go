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

// TestBadConfigCreatesNothing runs the busctl binary on a stack file with mistakes next to
// a valid topic: it must exit non-zero, name each mistake with its fix, and leave the
// cluster untouched.
func TestBadConfigCreatesNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	root := repoRoot(t)
	busctl := filepath.Join(root, ".cache", "bin", "busctl")
	if _, err := os.Stat(busctl); err != nil {
		t.Fatalf("busctl is not built: run scripts/toolchain (%v)", err)
	}
	const valid = "e2e-bad-config-would-create"
	cfg := `config:
  market-bus:cluster:
    mode: external
    bootstrapServers: [127.0.0.1:19092, 127.0.0.1:29092, 127.0.0.1:39092]
  market-bus:topics:
    - name: ` + valid + `
      partitions: 3
      replicationFactor: 3
      deletionProtection: false
    - name: market-telemetry
      partitions: 12
      replicationFactor: 5
      config:
        retention.ms: 7d
`
	file := filepath.Join(t.TempDir(), "Pulumi.local.yaml")
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	destroyAtEnd(t, "local", "") // whatever up created, should the config get through after all
	cmd := exec.CommandContext(ctx, busctl, "up", "--stack", "local", "--root", root, "--config-file", file, "--yes")
	cmd.Env = append(os.Environ(), "PULUMI_BACKEND_URL="+testBackend(t))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("busctl up with a bad config: err %v, want a non-zero exit\n%s", err, out.String())
	}
	for _, want := range []string{
		"market-bus:topics[1].replicationFactor = 5", "lower it to at most 3",
		"market-bus:topics[1].config.retention.ms", `"7d"`, "nothing was created",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("busctl output does not mention %q:\n%s", want, out.String())
		}
	}
	if topicExists(t, ctx, adm, valid) {
		t.Errorf("topic %s was created although the config was rejected", valid)
	}
}
