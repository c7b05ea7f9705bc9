package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/driver"
)

// TestMain removes the tests' state backends once every test has ended, not when each test
// ends: the cleanups that destroy a test's stacks need its backend, and a removal registered
// on the backend's first use would run before any cleanup registered ahead of that use
// (cleanups run last-registered first).
func TestMain(m *testing.M) {
	code := m.Run()
	removeBackends()
	os.Exit(code)
}

// backends are the tests' state backend folders (see backendDir).
var backends struct {
	sync.Mutex
	byTest map[*testing.T]string
	// byName holds the backend of each running test by its name, for its subtests.
	byName map[string]string
	dirs   []string
}

// testBackend is the file:// URL of the test's own state backend: runBusctl hands it to
// busctl and stackOptions to driver.Open, so no test sees another's stacks, nor the
// repository's .state/backend, nor what a killed run left.
func testBackend(t *testing.T) string { return "file://" + backendDir(t) }

// backendDir is the folder of the test's own file backend, made on the test's first call and
// the same on every later one. A subtest uses its parent's when the parent has one: subtests
// work on the stack their parent deployed. The folder comes from os.MkdirTemp, not
// t.TempDir: a subtest's name may hold "#" (an unnamed one is "#00"), which would end the
// path of a file:// URL.
func backendDir(t *testing.T) string {
	t.Helper()
	backends.Lock()
	defer backends.Unlock()
	if dir, ok := backends.byTest[t]; ok {
		return dir
	}
	for name := t.Name(); strings.Contains(name, "/"); {
		name = name[:strings.LastIndex(name, "/")]
		if dir, ok := backends.byName[name]; ok {
			return dir
		}
	}
	dir, err := os.MkdirTemp("", "market-bus-e2e-state-")
	if err != nil {
		t.Fatalf("making the test's state backend: %v", err)
	}
	if backends.byTest == nil {
		backends.byTest, backends.byName = map[*testing.T]string{}, map[string]string{}
	}
	name := t.Name()
	backends.byTest[t], backends.byName[name] = dir, dir
	backends.dirs = append(backends.dirs, dir)
	// A later run of the same test (-count) gets a backend of its own.
	t.Cleanup(func() {
		backends.Lock()
		defer backends.Unlock()
		delete(backends.byName, name)
	})
	return dir
}

// removeBackends removes every test's backend and the work folder that busctl and
// driver.Open keep for it under .state/work (driver.Options.WorkDir).
func removeBackends() {
	root, err := filepath.Abs(filepath.Join("..", "..")) // repoRoot, without a test
	backends.Lock()
	defer backends.Unlock()
	for _, dir := range backends.dirs {
		paths := []string{dir}
		if err == nil {
			opts := driver.Options{Root: root, Stack: "any", BackendURL: "file://" + dir}
			paths = append(paths, filepath.Dir(opts.WorkDir()))
		}
		for _, p := range paths {
			if rerr := os.RemoveAll(p); rerr != nil {
				fmt.Fprintf(os.Stderr, "e2e: removing %s: %v\n", p, rerr)
			}
		}
	}
}

// stackOptions are the driver options of stack with file as its config ("" for the
// repository's Pulumi.<stack>.yaml), in the test's own backend.
func stackOptions(t *testing.T, stack, file string) driver.Options {
	t.Helper()
	return driver.Options{Root: repoRoot(t), Stack: stack, StackFile: file, BackendURL: testBackend(t)}
}

// destroyAtEnd destroys stack in the test's backend when the test ends, passed or failed,
// opened with file ("" for the repository's Pulumi.<stack>.yaml; destroy does not run the
// program). The local cluster is shared by every e2e test: what a test created there would
// outlive its backend, and the next test could not create it again.
func destroyAtEnd(t *testing.T, stack, file string) {
	t.Helper()
	opts := stackOptions(t, stack, file)
	logs := &testLog{t: t}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		st, err := driver.Open(ctx, opts)
		if err == nil {
			_, err = st.Destroy(ctx, optdestroy.ProgressStreams(logs))
		}
		if err != nil {
			t.Errorf("destroying the %s stack: %v", stack, err)
		}
	})
}

// freshLocalStack readies a test that deploys the local stack: it creates the repository's
// topics anew from the test's own backend, so the cluster must not hold them yet, and it is
// destroyed when the test ends.
func freshLocalStack(t *testing.T, ctx context.Context, adm *kadm.Client) {
	t.Helper()
	noLocalTopics(t, ctx, adm)
	destroyAtEnd(t, "local", "")
}

// noLocalTopics fails the test, naming the fix, when the cluster already has a topic of
// Pulumi.local.yaml: a local stack in a new backend previews and creates them, and the
// provider creates no topic over one that its stack does not manage.
func noLocalTopics(t *testing.T, ctx context.Context, adm *kadm.Client) {
	t.Helper()
	var held []string
	for _, name := range localTopics(t) {
		if topicExists(t, ctx, adm, name) {
			held = append(held, name)
		}
	}
	if len(held) > 0 {
		t.Fatalf("the local cluster already has the local stack's topics %v; this test deploys the local stack from a state "+
			"backend of its own and cannot create them over these. Destroy what holds them: "+
			"`.cache/bin/busctl destroy -s local --yes` when the repository's .state/backend holds them (`make up-local`), "+
			"or delete the topics (or `scripts/local-cluster wipe`) when an interrupted test run left them", held)
	}
}
