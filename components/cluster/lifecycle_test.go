package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runScript runs a rendered script with bash, StartDir pointed at dir and
// the fake commands in bin first on PATH.
func runScript(t *testing.T, script, dir, bin string, env ...string) string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatalf("bash is needed to run the rendered hook scripts: %v", err)
	}
	path := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(script, StartDir, dir)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, path)
	cmd.Env = append([]string{"PATH=" + bin + ":" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, out)
	}
	return string(out)
}

// fake writes an executable shell script named name into bin.
func fake(t *testing.T, bin, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/bash\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
}

// TestEntrypointRunsRenderedArgs runs the entrypoint as pod redpanda-<i>
// would: rpk must receive exactly the renderer's arguments for broker i,
// JSON, brackets and all, with no word splitting or globbing.
func TestEntrypointRunsRenderedArgs(t *testing.T) {
	for _, b := range renderedProd(t) {
		dir, bin := t.TempDir(), t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ArgsFile(b.Index)), []byte(RenderArgsFile(b)), 0o600); err != nil {
			t.Fatal(err)
		}
		// A file a glob of the JSON could match, were it expanded.
		if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		fake(t, bin, "rpk", `printf '%s\n' "$@"`)
		got := runScript(t, RenderEntrypoint(), dir, bin, "HOSTNAME=redpanda-"+strconv.Itoa(b.Index))
		if got != RenderArgsFile(b) {
			t.Errorf("broker %d: rpk got\n%s\nwant\n%s", b.Index, got, RenderArgsFile(b))
		}
	}
}

// fakeAdmin is a curl that plays the admin API: node 7, a drain that
// reports not-yet-draining, then draining, then finished. It logs every
// call to $LOG.
const fakeAdmin = `echo "$*" >> "$LOG"
state="$LOG.state"; n=$(cat "$state" 2>/dev/null || echo 0)
case "$*" in
  *node_config*) echo '{"node_id": 7, "rack": null}' ;;
  *"-X PUT"*) printf 200 ;;
  *"-X DELETE"*) printf 400 ;;
  */v1/maintenance*)
    n=$((n+1)); echo $n > "$state"
    case $n in
      1) echo '{"draining": false, "finished": false}' ;;
      2) echo '{"draining": true, "finished": false}' ;;
      *) echo '{"draining": true, "finished": true}' ;;
    esac ;;
esac
`

func TestPreStopDrainsThenReturns(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	fake(t, bin, "curl", fakeAdmin)
	fake(t, bin, "sleep", "true")
	log := filepath.Join(dir, "calls")
	out := runScript(t, RenderPreStop(renderedProd(t)[0]), dir, bin, "LOG="+log)
	calls, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"-sk -m 5 -f https://localhost:9644/v1/node_config",
		"-sk -m 5 -o /dev/null -w %{http_code} -X PUT https://localhost:9644/v1/brokers/7/maintenance",
		"-sk -m 5 https://localhost:9644/v1/maintenance",
		"-sk -m 5 https://localhost:9644/v1/maintenance",
		"-sk -m 5 https://localhost:9644/v1/maintenance",
	}
	if got := strings.Split(strings.TrimSpace(string(calls)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("admin calls:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(out, "preStop: node 7 drained") {
		t.Errorf("output:\n%s", out)
	}
}

func TestPostStartClearsMaintenance(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	fake(t, bin, "curl", fakeAdmin)
	fake(t, bin, "sleep", "true")
	log := filepath.Join(dir, "calls")
	out := runScript(t, RenderPostStart(renderedProd(t)[0]), dir, bin, "LOG="+log)
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "-X DELETE https://localhost:9644/v1/brokers/7/maintenance") {
		t.Errorf("admin calls:\n%s", calls)
	}
	if !strings.Contains(out, "node 7 is out of maintenance mode (HTTP 400)") {
		t.Errorf("output:\n%s", out)
	}
}
