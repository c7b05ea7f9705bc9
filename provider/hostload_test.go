package provider

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	cases := []struct {
		name, line string
		want       procTick
		ok         bool
	}{
		{"plain", "14412 (cat) R 14410 14410 1445 0 -1 4194304 102 0 0 0 7 3 0 0 20 0 1 0", procTick{"cat", 10}, true},
		{"name with spaces and parens", "7 (java (x) y) S 1 7 7 0 -1 0 0 0 0 0 250 50 0 0", procTick{"java (x) y", 300}, true},
		{"truncated", "7 (java) S 1 7", procTick{}, false},
		{"no name", "garbage", procTick{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := parseStat(c.line)
			if ok != c.ok || got != c.want {
				t.Errorf("parseStat = %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

// TestBusyHostNote: a load average above the core count adds the load and the processes to
// a gate failure; a quiet host adds nothing; a host without /proc adds nothing.
func TestBusyHostNote(t *testing.T) {
	write := func(dir, load string) {
		if err := os.WriteFile(filepath.Join(dir, "loadavg"), []byte(load), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "42"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "42", "stat"), []byte("42 (stress-ng) R 1 42 42 0 -1 0 0 0 0 0 100 0 0 0"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	busy := t.TempDir()
	write(busy, "999.50 12.00 3.00 5/900 4242\n")
	note := busyHostNote(busy)
	if !strings.Contains(note, "load average 999.50 (1 min)") || !strings.Contains(note, "saturated") {
		t.Errorf("busy host note = %q", note)
	}
	quiet := t.TempDir()
	write(quiet, "0.00 0.00 0.00 1/100 1\n")
	if note := busyHostNote(quiet); note != "" {
		t.Errorf("quiet host note = %q, want none", note)
	}
	if note := busyHostNote(filepath.Join(t.TempDir(), "missing")); note != "" {
		t.Errorf("no /proc note = %q, want none", note)
	}
}

// TestSampleHostLoadReal reads this machine's /proc: the test process itself is busy while
// it samples, so it shows up with a name.
func TestSampleHostLoadReal(t *testing.T) {
	var stop atomic.Bool
	go func() {
		for !stop.Load() { // a busy loop on purpose: the sampler must see this process work
		}
	}()
	h, ok := sampleHostLoad("/proc", 300*time.Millisecond, 50)
	stop.Store(true)
	if !ok || h.Cores <= 0 {
		t.Fatalf("sampleHostLoad = %+v, %v", h, ok)
	}
	self := os.Getpid()
	for _, p := range h.Busiest {
		if p.PID == self {
			return
		}
	}
	t.Errorf("the busy test process %d is not among the busiest: %+v", self, h.Busiest)
}
