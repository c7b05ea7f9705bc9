package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderComposeWritesTheShippedFile: `busctl render --stack dev --format
// compose` is the command that makes docker-compose.kafka.yml.
func TestRenderComposeWritesTheShippedFile(t *testing.T) {
	root := filepath.Join("..", "..")
	want, err := os.ReadFile(filepath.Join(root, "docker-compose.kafka.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "docker-compose.kafka.yml")
	if err := run(t.Context(), []string{"render", "--stack", "dev", "--format", "compose", "--root", root, "--out", out}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("busctl render wrote something else than docker-compose.kafka.yml: regenerate the file")
	}
}

func TestRenderRefusesBadArguments(t *testing.T) {
	root := filepath.Join("..", "..")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no stack", []string{"render", "--format", "compose"}, "no stack given"},
		{"unknown format", []string{"render", "--stack", "dev", "--format", "helm"}, `--format "helm" is unknown`},
		{"external cluster", []string{"render", "--stack", "local", "--root", root}, "only a docker cluster"},
		{"stray argument", []string{"render", "--stack", "dev", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
