// Package busctltest runs the built busctl as a user would, a subprocess with stdin not a
// terminal, for the test packages that drive it (tests/e2e, tests/k8s).
package busctltest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Result is one busctl run with its streams apart and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Output is both streams, for messages and checks that do not care which one.
func (r Result) Output() string { return r.Stdout + r.Stderr }

// Run runs root's .cache/bin/busctl in root with args and env added to the environment. A
// non-zero exit is a Result; busctl missing or not starting fails the test.
func Run(t testing.TB, ctx context.Context, root string, env []string, args ...string) Result {
	t.Helper()
	bin := filepath.Join(root, ".cache", "bin", "busctl")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("busctl is not built: run scripts/toolchain (%v)", err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.Code = exit.ExitCode()
	default:
		t.Fatalf("running busctl %v: %v", args, err)
	}
	return r
}
