// Command busctl deploys and checks market-bus stacks through the Pulumi Automation API. It
// runs the same program as main.go, inline, and behaves like the pulumi CLI where the two
// overlap (flags, confirmations, plugins, config, exit on Ctrl-C):
//
//	busctl preview -s local
//	busctl up -s local --yes
//	busctl config set --secret saslPassword -s prod
//	busctl outputs -s local rpkProfile > profile.yaml
//
// `busctl --help` lists every command; each has --help of its own. Exit codes: 0 ok, 1 the
// operation failed, 2 usage error, 3 a mandatory policy violation, 4 the latency gate missed
// its thresholds, 5 drift found (busctl drift).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes, as documented in the package comment and `busctl --help`.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	exitPolicy = 3
	exitGate   = 4
	exitDrift  = 5
)

// exitError carries the exit code of an error that is not a plain failed operation.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func exitErr(code int, err error) error { return exitError{code: code, err: err} }

func usageErr(format string, args ...any) error {
	return exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func main() {
	os.Exit(execute(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// execute runs one busctl command line and returns its exit code. Errors are printed once,
// here, and nowhere else.
func execute(parent context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	ctx, intr := watchInterrupts(parent, errOut)
	defer intr.stop()
	a := &app{in: in, out: out, errOut: errOut, intr: intr}
	root := a.rootCmd()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitFailed
	var ee exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case !a.ran:
		// cobra refused the command line before any command ran: unknown command or flag,
		// wrong number of arguments.
		code = exitUsage
	}
	msg := strings.TrimSpace(err.Error())
	if intr.interrupted() && code == exitFailed {
		msg += " (interrupted)"
	}
	fmt.Fprintln(errOut, "busctl: "+msg)
	if code == exitUsage {
		fmt.Fprintf(errOut, "Run '%s --help' for usage.\n", a.commandPath(root, args))
	}
	return code
}

// run executes one command line in-process and returns its error (tests of commands that
// parse their own flags use it); the error is the message busctl would print.
func run(ctx context.Context, args []string, out io.Writer) error {
	var errOut strings.Builder
	if code := execute(ctx, args, strings.NewReader(""), out, &errOut); code != exitOK {
		return errors.New(strings.TrimPrefix(strings.TrimSpace(errOut.String()), "busctl: "))
	}
	return nil
}
