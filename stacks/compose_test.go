package stacks

import (
	"bytes"
	"fmt"
	"github.com/marketbus/market-bus/components/cluster"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/components/monitoring"
)

// composeFileName is the Compose file the repository ships.
const composeFileName = "docker-compose.kafka.yml"

// renderDevCompose renders the dev stack's Compose file from Pulumi.dev.yaml,
// as `busctl render --stack dev --format compose` does.
func renderDevCompose(t *testing.T, mutate func(*Spec)) []byte {
	t.Helper()
	root := filepath.Join("..")
	spec, err := LoadStackFile(root, "dev", filepath.Join(root, "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(&spec)
	}
	b, err := ComposeFile(spec, composeFileName)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// composeStale says how shipped differs from rendered, or "" when it does not.
func composeStale(shipped, rendered []byte) string {
	if bytes.Equal(shipped, rendered) {
		return ""
	}
	s, r := strings.Split(string(shipped), "\n"), strings.Split(string(rendered), "\n")
	for i := 0; i < max(len(s), len(r)); i++ {
		var sl, rl string
		if i < len(s) {
			sl = s[i]
		}
		if i < len(r) {
			rl = r[i]
		}
		if sl != rl {
			return fmt.Sprintf("line %d:\n  file:     %.200s\n  renderer: %.200s", i+1, sl, rl)
		}
	}
	return "trailing bytes differ"
}

// TestComposeFileIsCurrent fails when docker-compose.kafka.yml differs from
// what the renderer makes of Pulumi.dev.yaml: the file must never be edited
// by hand or left behind a change of the renderer or the stack.
func TestComposeFileIsCurrent(t *testing.T) {
	shipped, err := os.ReadFile(filepath.Join("..", composeFileName))
	if err != nil {
		t.Fatalf("%v: generate it with `go run ./cmd/busctl render --stack dev --format compose --out %s`", err, composeFileName)
	}
	if diff := composeStale(shipped, renderDevCompose(t, nil)); diff != "" {
		t.Errorf("%s is stale (regenerate: go run ./cmd/busctl render --stack dev --format compose --out %s):\n%s",
			composeFileName, composeFileName, diff)
	}
}

// TestComposeStalenessFollowsTheRenderer: whatever the renderer or the stack
// changes, the staleness check reports it, so the shipped file cannot
// silently drift.
func TestComposeStalenessFollowsTheRenderer(t *testing.T) {
	current := renderDevCompose(t, nil)
	tests := []struct {
		name   string
		mutate func(*Spec)
		want   string // appears in the changed file
	}{
		{"log level flag", func(s *Spec) { s.Cluster.LogLevel = "debug" }, "--default-log-level=debug"},
		{"broker image", func(s *Spec) { s.Cluster.Image = "docker.redpanda.com/redpandadata/redpanda:v25.2.2" }, "redpanda:v25.2.2"},
		{"memory limit", func(s *Spec) { s.Cluster.Memory = cluster.MustQuantity("3Gi") }, "mem_limit: 3072m"},
		{"external host", func(s *Spec) { s.Cluster.ExternalHost = "127.0.0.1" }, "external://127.0.0.1:19092"},
		{"grafana port", func(s *Spec) { s.Monitoring.GrafanaPort = 3300 }, `published: "3300"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := renderDevCompose(t, tt.mutate)
			if composeStale(current, changed) == "" {
				t.Fatal("the staleness check does not see the change")
			}
			if !strings.Contains(string(changed), tt.want) {
				t.Errorf("the rendered file does not carry the change: no %q", tt.want)
			}
		})
	}
}

// TestComposeFileKeepsSecretsOut: no value of a secret reaches the file;
// Grafana's admin password comes from a secret Compose reads from the
// environment, documented in the header.
func TestComposeFileKeepsSecretsOut(t *testing.T) {
	b := renderDevCompose(t, nil)
	text := string(b)
	for _, bad := range []string{secretPresent, "GF_SECURITY_ADMIN_PASSWORD=", "GF_SECURITY_ADMIN_PASSWORD: "} {
		if strings.Contains(text, bad) {
			t.Errorf("the file contains %q", bad)
		}
	}
	header := text[:strings.Index(text, "\nname:")]
	for _, want := range []string{"DO NOT EDIT", "export " + monitoring.ComposePasswordVariable, "go run ./cmd/busctl render --stack dev --format compose --out " + composeFileName} {
		if !strings.Contains(header, want) {
			t.Errorf("header lacks %q:\n%s", want, header)
		}
	}
	for _, l := range strings.Split(header, "\n") {
		if !strings.HasPrefix(l, "#") {
			t.Errorf("header line %q is not a comment", l)
		}
	}
}

// TestComposeRefusesNonDockerStacks: only a Docker cluster has containers to write.
func TestComposeRefusesNonDockerStacks(t *testing.T) {
	spec, err := Load("local", MapSource(localConfig()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ComposeFile(spec, composeFileName)
	if err == nil || !strings.Contains(err.Error(), "market-bus:cluster.mode") {
		t.Errorf("ComposeFile(local) error = %v, want one naming market-bus:cluster.mode", err)
	}
}

// TestComposeWithoutMonitoring: monitoring off leaves only the brokers, and
// no secret at all.
func TestComposeWithoutMonitoring(t *testing.T) {
	b := renderDevCompose(t, func(s *Spec) { off := false; s.Monitoring.Enabled = &off })
	text := string(b)
	for _, absent := range []string{"prometheus:", "grafana:", "secrets:", monitoring.ComposePasswordVariable} {
		if strings.Contains(text, absent) {
			t.Errorf("monitoring is off, yet the file has %q", absent)
		}
	}
}
