package main

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
)

// TestCommandLine runs busctl in-process on command lines that never reach a stack: help at
// every level, usage errors, and the guards that need no cluster.
func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, exitOK, "Exit codes"},
		{[]string{"-h"}, exitOK, "Available Commands"},
		{[]string{"preview", "-h"}, exitOK, "--no-policy"},
		{[]string{"config", "--help"}, exitOK, "set"},
		{[]string{"config", "get", "--help"}, exitOK, "--json"},
		{[]string{"plugins", "--help"}, exitOK, "install"},
		{[]string{"drift", "--help"}, exitOK, "exits 5"},
		{[]string{"version"}, exitOK, "pulumi sdk"},
		{[]string{"completion", "fish"}, exitOK, "complete -c busctl"},
		{[]string{"nope"}, exitUsage, `unknown command "nope"`},
		{[]string{"up", "--config", "k=v"}, exitUsage, "unknown flag: --config"},
		{[]string{"preview"}, exitUsage, "no stack given"},
		{[]string{"outputs", "-s", "local", "a", "b"}, exitUsage, "accepts at most 1 arg"},
		{[]string{"config", "set", "-s", "local"}, exitUsage, "accepts between 1 and 2 arg"},
		{[]string{"version", "-s", "local"}, exitUsage, "unknown shorthand flag: 's'"},
		{[]string{"refresh", "-s", "local", "--yes"}, exitUsage, "unknown flag: --yes"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := execute(context.Background(), tc.args, strings.NewReader(""), &out, &errOut)
			if code != tc.code || !strings.Contains(out.String()+errOut.String(), tc.want) {
				t.Errorf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tc.code, tc.want, out.String(), errOut.String())
			}
			if code != exitOK && strings.Count(errOut.String(), "busctl: ") != 1 {
				t.Errorf("the error must be printed exactly once:\n%s", errOut.String())
			}
		})
	}
}

func TestExitErrorsKeepTheirCause(t *testing.T) {
	cause := errors.New("cause")
	err := exitErr(exitGate, cause)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != exitGate || !errors.Is(err, cause) {
		t.Errorf("exitErr lost its code or cause: %#v", err)
	}
}

func TestDiffValues(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new any
		want     []string
	}{
		{"same", map[string]any{"a": "1"}, map[string]any{"a": "1"}, nil},
		{"nested change", map[string]any{"config": map[string]any{"retention.ms": "1", "x": "y"}},
			map[string]any{"config": map[string]any{"retention.ms": "2", "x": "y"}}, []string{"config.retention.ms"}},
		{"added and removed", map[string]any{"a": "1"}, map[string]any{"b": "1"}, []string{"a", "b"}},
		{"bookkeeping ignored", map[string]any{"__inputs": 1}, map[string]any{"__inputs": 2}, nil},
		{"list compared whole", map[string]any{"l": []any{"a"}}, map[string]any{"l": []any{"a", "b"}}, []string{"l"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range diffValues("", tc.old, tc.new) {
				got = append(got, d.Property)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("diff = %v, want %v", got, tc.want)
			}
		})
	}
}
