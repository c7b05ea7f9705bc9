// Package k8s is the prod stack's end-to-end test on a real Kubernetes API server: the control
// plane of scripts/k8s-cluster (etcd, kube-apiserver with Pod Security admission, the
// controller manager, the scheduler, and kwok's fake broker nodes). `make test-k8s` starts it
// and runs this package; every step is checked on the API server with kubectl.
package k8s

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbus/market-bus/tests/busctltest"
)

// stack is the stack file's name, and namespace the one it deploys into.
const (
	stack     = "k8s-e2e"
	namespace = "redpanda-e2e"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// kubectl runs the cluster script's kubectl (the built one, on the script's kubeconfig) and
// returns its stdout; stderr is in the error.
func kubectl(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "scripts", "k8s-cluster"), append([]string{"kubectl"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), errors.New(strings.TrimSpace(stderr.String()) + " (" + err.Error() + ")")
	}
	return stdout.String(), nil
}

// getJSON reads one object (or list) from the API server into v.
func getJSON(t *testing.T, ctx context.Context, v any, args ...string) error {
	t.Helper()
	out, err := kubectl(t, ctx, append([]string{"get", "-o", "json"}, args...)...)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(out), v)
}

// busctlRun is one busctl command's result.
type busctlRun = busctltest.Result

// session is busctl's environment for the test's stack: a PULUMI_HOME holding the Kubernetes
// plugin, state outside the checkout, and the stack file the test edits.
type session struct {
	env  []string
	file string
}

func (s session) busctl(t *testing.T, ctx context.Context, args ...string) busctlRun {
	t.Helper()
	return busctltest.Run(t, ctx, repoRoot(t), s.env, append(args, "-s", stack, "--config-file", s.file)...)
}

// edit rewrites the test's stack file; old must occur exactly once.
func (s session) edit(t *testing.T, old, replacement string) {
	t.Helper()
	raw, err := os.ReadFile(s.file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), old); n != 1 {
		t.Fatalf("%q occurs %d times in %s, want once", old, n, s.file)
	}
	if err := os.WriteFile(s.file, []byte(strings.Replace(string(raw), old, replacement, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the timeout passes; the last reason is the failure.
// Generous timeouts: only the control plane's own pace is waited for, never a busy machine.
func waitFor(t *testing.T, ctx context.Context, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: not reached after %s: %s", what, timeout, why)
		}
		time.Sleep(time.Second)
	}
}
