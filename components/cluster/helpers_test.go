package cluster

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// devArgs is the dev stack's shape: 3 Docker brokers, 1 core and 2 GiB each.
func devArgs() Args {
	return Args{
		Config: Config{
			Mode:     ModeDocker,
			Brokers:  3,
			Image:    "redpandadata/redpanda:v25.2.1",
			CPUCores: 1,
			Memory:   MustQuantity("2Gi"),
		},
		ReservedHostPorts: map[int]string{
			9090: "prometheus",
			3000: "grafana",
		},
		MaxTopicReplicationFactor: 3,
	}
}

func ptr[T any](v T) *T { return &v }

// bytesOf is a size of b bytes, written in binary units as a stack file would.
func bytesOf(b int64) Quantity {
	return Quantity{*resource.NewQuantity(b, resource.BinarySI)}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write golden %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (create it with -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed (rerun with -update if intended):\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line, enough to see what moved.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(no line differs; check trailing bytes)"
}
