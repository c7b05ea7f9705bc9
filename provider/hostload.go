package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// hostLoad describes how busy the machine that ran a measurement was, so a gate failure can
// tell a slow cluster from a busy laptop: the brokers of the local stack and the benchmark
// share the same cores with whatever else the user runs.
type hostLoad struct {
	Load1, Load5 float64
	Cores        int
	// Busiest are the processes that used the most CPU during the sample, busiest first.
	Busiest []procCPU
}

// procCPU is one process's share of the CPU over the sample window, in cores (1.0 = one core).
type procCPU struct {
	PID   int
	Name  string
	Cores float64
}

// saturated reports whether runnable work exceeded the cores: the kernel's one-minute load
// average above the core count means threads waited for a CPU, and a latency measurement
// then includes that wait.
func (h hostLoad) saturated() bool { return h.Cores > 0 && h.Load1 > float64(h.Cores) }

// String is the sentence a gate failure adds when the host looks saturated.
func (h hostLoad) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "load average %.2f (1 min), %.2f (5 min) on %d cores", h.Load1, h.Load5, h.Cores)
	if len(h.Busiest) > 0 {
		parts := make([]string, len(h.Busiest))
		for i, p := range h.Busiest {
			parts[i] = fmt.Sprintf("%s (pid %d) %.0f%%", p.Name, p.PID, p.Cores*100)
		}
		b.WriteString("; busiest processes: " + strings.Join(parts, ", "))
	}
	return b.String()
}

// sampleHostLoad reads /proc for the load average and, over window, the top processes by CPU.
// It returns ok=false where /proc is not Linux's (the caller then says nothing about load).
func sampleHostLoad(procRoot string, window time.Duration, top int) (hostLoad, bool) {
	raw, err := os.ReadFile(filepath.Join(procRoot, "loadavg"))
	if err != nil {
		return hostLoad{}, false
	}
	h := hostLoad{Cores: runtime.NumCPU()}
	if f := strings.Fields(string(raw)); len(f) >= 2 {
		h.Load1, _ = strconv.ParseFloat(f[0], 64)
		h.Load5, _ = strconv.ParseFloat(f[1], 64)
	}
	before := procTicks(procRoot)
	time.Sleep(window)
	after := procTicks(procRoot)
	// USER_HZ is 100 on every Linux architecture Go supports.
	const hz = 100.0
	for pid, t1 := range after {
		t0, ok := before[pid]
		if !ok || t1.ticks <= t0.ticks {
			continue
		}
		h.Busiest = append(h.Busiest, procCPU{PID: pid, Name: t1.name, Cores: float64(t1.ticks-t0.ticks) / hz / window.Seconds()})
	}
	sort.Slice(h.Busiest, func(i, j int) bool { return h.Busiest[i].Cores > h.Busiest[j].Cores })
	if len(h.Busiest) > top {
		h.Busiest = h.Busiest[:top]
	}
	return h, true
}

type procTick struct {
	name  string
	ticks uint64
}

// procTicks reads user+system CPU ticks of every process from /proc/<pid>/stat.
func procTicks(procRoot string) map[int]procTick {
	out := map[int]procTick{}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return out
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "stat"))
		if err != nil {
			continue
		}
		if t, ok := parseStat(string(raw)); ok {
			out[pid] = t
		}
	}
	return out
}

// parseStat takes the command name and utime+stime from one /proc/<pid>/stat line. The name
// sits in parentheses and may itself hold spaces and parentheses, so fields are counted from
// the last ')'.
func parseStat(line string) (procTick, bool) {
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || end < open {
		return procTick{}, false
	}
	f := strings.Fields(line[end+1:])
	// After ")": state(0) ppid(1) ... utime is field 14 of the line, index 11 here; stime 12.
	if len(f) < 13 {
		return procTick{}, false
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	s, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return procTick{}, false
	}
	return procTick{name: line[open+1 : end], ticks: u + s}, true
}
