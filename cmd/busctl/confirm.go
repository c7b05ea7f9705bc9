package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
)

// interactive reports whether a person can answer a prompt: stdin is a terminal.
func (a *app) interactive() bool {
	f, ok := a.in.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// confirm asks "question [y/N]" on a terminal, like pulumi up does. --yes skips it; without a
// terminal --yes is required, so a CI job never changes a stack it did not mean to.
func (a *app) confirm(question string) error {
	if a.yes {
		return nil
	}
	if !a.interactive() {
		return usageErr("%s: no terminal to confirm on; pass --yes to proceed without confirmation", strings.TrimSuffix(question, "?"))
	}
	fmt.Fprintf(a.confirmOut(), "%s [y/N] ", question)
	line, _ := bufio.NewReader(a.in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("not confirmed: nothing was changed")
}

// confirmStack asks for the stack's name typed again: the guard on destroying a production
// stack, which --yes alone does not pass. --confirm-stack NAME answers it without a terminal.
func (a *app) confirmStack(given string) error {
	stack := a.opts.Stack
	if given != "" {
		if given != stack {
			return usageErr("--confirm-stack %q does not match the stack %q", given, stack)
		}
		return nil
	}
	if !a.interactive() {
		return usageErr("stack %q is a production stack: destroying it needs --confirm-stack %s", stack, stack)
	}
	fmt.Fprintf(a.confirmOut(), "Stack %q is a production stack. Type its name to destroy it: ", stack)
	line, _ := bufio.NewReader(a.in).ReadString('\n')
	if strings.TrimSpace(line) != stack {
		return fmt.Errorf("the name typed does not match %q: nothing was destroyed", stack)
	}
	return nil
}

func stdinFd(in any) uintptr {
	if f, ok := in.(*os.File); ok {
		return f.Fd()
	}
	return 0
}
