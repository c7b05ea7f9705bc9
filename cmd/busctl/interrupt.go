package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// interrupts turns Ctrl-C into Pulumi's own two-step cancel. The Pulumi CLI runs in a
// process group of its own, so the terminal's SIGINT reaches busctl only: the first one is
// passed to the CLI, whose engine then stops cleanly after the resource operations in flight
// and unlocks the stack; the second cancels busctl's context, which interrupts the CLI again
// (Pulumi terminates at once on a second interrupt) and kills it if it lingers. Without a
// Pulumi child (bench), the first one cancels the context.
type interrupts struct {
	cancel context.CancelFunc
	errOut io.Writer
	sigs   chan os.Signal

	mu    sync.Mutex
	count int
}

func watchInterrupts(parent context.Context, errOut io.Writer) (context.Context, *interrupts) {
	ctx, cancel := context.WithCancel(parent)
	i := &interrupts{cancel: cancel, errOut: errOut, sigs: make(chan os.Signal, 2)}
	signal.Notify(i.sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for range i.sigs {
			i.handle()
		}
	}()
	return ctx, i
}

func (i *interrupts) handle() {
	i.mu.Lock()
	i.count++
	n := i.count
	i.mu.Unlock()
	children := pulumiChildren()
	if n == 1 && len(children) > 0 {
		fmt.Fprintln(i.errOut, "\nbusctl: interrupted: the Pulumi engine stops after the operations in flight and unlocks the stack; press Ctrl-C again to force")
		for _, pid := range children {
			_ = syscall.Kill(pid, syscall.SIGINT)
		}
		return
	}
	if n > 1 {
		fmt.Fprintln(i.errOut, "\nbusctl: forcing: the stack may stay locked; `busctl cancel --stack NAME` clears the lock")
		for _, pid := range children {
			_ = syscall.Kill(pid, syscall.SIGINT)
		}
	}
	i.cancel()
}

func (i *interrupts) interrupted() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.count > 0
}

func (i *interrupts) stop() {
	signal.Stop(i.sigs)
	i.cancel()
}

// pulumiChildren returns the pids of busctl's child processes that run the Pulumi CLI, from
// /proc (Linux; elsewhere none are found and Ctrl-C cancels the context directly).
func pulumiChildren() []int {
	me := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(raw)
		// pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
		lp, rp := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if lp < 0 || rp < lp {
			continue
		}
		fields := strings.Fields(s[rp+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		if ppid != me || s[lp+1:rp] != "pulumi" {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(s[:lp])); err == nil {
			out = append(out, pid)
		}
	}
	return out
}
