package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/spf13/cobra"

	"github.com/marketbus/market-bus/driver"
	"github.com/marketbus/market-bus/stacks"
)

func (a *app) previewCmd() *cobra.Command {
	var noPolicy, refresh bool
	c := a.stackCommand(&cobra.Command{
		Use:   "preview",
		Short: "Show what up would change; runs the policy pack",
		Long: "Preview the stack: every step with its diff, and the policy pack's findings. Our provider asks the\n" +
			"brokers and the registry to validate topic and schema changes. Exits 3 on a mandatory violation.",
	}, func(ctx context.Context, _ []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		var set policySet
		if !noPolicy {
			if set, err = a.policies(st.Workspace().WorkDir(), false); err != nil {
				return err
			}
		}
		rec, res, err := a.runPreview(ctx, st, set, refresh)
		if a.json {
			if jerr := writeJSON(a.out, previewJSON(st.Name(), res, rec)); jerr != nil {
				return jerr
			}
		} else if err == nil {
			fmt.Fprintf(a.out, "\nchanges: %v\n", res.ChangeSummary)
		}
		return err
	})
	c.Flags().BoolVar(&noPolicy, "no-policy", false, "do not run the policy pack")
	a.policyConfigFlag(c)
	c.Flags().BoolVar(&refresh, "refresh", false, "refresh the state from the real resources first")
	jsonFlag(c.Flags(), &a.json)
	return c
}

// runPreview previews with the policy set, streaming progress, and classifies the result: a
// mandatory violation is exitPolicy, any other failure a failed operation.
func (a *app) runPreview(ctx context.Context, st auto.Stack, set policySet, refresh bool) (*recorder, auto.PreviewResult, error) {
	rec := newRecorder()
	opts := append(set.preview(), optpreview.ProgressStreams(a.progress()), optpreview.ErrorProgressStreams(a.errOut),
		optpreview.EventStreams(rec.ch))
	if !a.json {
		opts = append(opts, optpreview.Diff())
	}
	if refresh {
		opts = append(opts, optpreview.Refresh())
	}
	res, err := st.Preview(ctx, opts...)
	rec.wait()
	if n := rec.mandatory(); n > 0 {
		return rec, res, exitErr(exitPolicy, fmt.Errorf("%d mandatory policy violation(s) in stack %q: nothing was changed", n, st.Name()))
	}
	if err != nil {
		return rec, res, a.opFailed("preview", err)
	}
	if msg := refusedReplace(st.Name(), rec.steps); msg != "" {
		return rec, res, errors.New(msg)
	}
	return rec, res, nil
}

func previewJSON(stack string, res auto.PreviewResult, rec *recorder) map[string]any {
	return map[string]any{"stack": stack, "changeSummary": res.ChangeSummary, "steps": nonNil(rec.steps), "violations": nonNil(rec.violations)}
}

func hasChanges(summary map[apitype.OpType]int) bool {
	for op, n := range summary {
		if op != apitype.OpSame && n > 0 {
			return true
		}
	}
	return false
}

func (a *app) upCmd() *cobra.Command {
	var refresh, showSecrets bool
	c := a.stackCommand(&cobra.Command{
		Use:   "up",
		Short: "Create or update the stack's resources, then print its outputs",
		Long: "Preview the stack with the policy pack, ask for confirmation, then update it with the pack enforced.\n" +
			"A mandatory violation stops before anything changes (exit 3); a latency gate that misses its\n" +
			"thresholds exits 4. Without a terminal, --yes is required.",
	}, func(ctx context.Context, _ []string) error {
		// Refuse before the preview, so a CI job without --yes fails in a second, not after one.
		if !a.yes && !a.interactive() {
			return usageErr("update of stack %q: no terminal to confirm on; pass --yes", a.opts.Stack)
		}
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		set, err := a.policies(st.Workspace().WorkDir(), false)
		if err != nil {
			return err
		}
		_, pre, err := a.runPreview(ctx, st, set, refresh)
		if err != nil {
			return err
		}
		if hasChanges(pre.ChangeSummary) {
			if err := a.confirm(fmt.Sprintf("Update stack %q with these changes?", st.Name())); err != nil {
				return err
			}
		}
		rec := newRecorder()
		opts := append(set.up(), optup.ProgressStreams(a.progress()), optup.ErrorProgressStreams(a.errOut), optup.EventStreams(rec.ch))
		if refresh {
			opts = append(opts, optup.Refresh())
		}
		res, err := st.Up(ctx, opts...)
		rec.wait()
		if err != nil {
			return a.classify("update", rec, err)
		}
		if a.json {
			return writeJSON(a.out, map[string]any{"stack": st.Name(), "summary": res.Summary, "outputs": outputValues(res.Outputs, showSecrets)})
		}
		return printOutputs(a.out, res.Outputs, showSecrets)
	})
	c.Flags().BoolVar(&refresh, "refresh", false, "refresh the state from the real resources before updating")
	c.Flags().BoolVar(&showSecrets, "show-secrets", false, "print secret outputs in plain text")
	a.policyConfigFlag(c)
	yesFlag(c.Flags(), &a.yes)
	jsonFlag(c.Flags(), &a.json)
	return c
}

// classify turns an operation's error into busctl's exit codes.
func (a *app) classify(op string, rec *recorder, err error) error {
	switch {
	case rec.gateMissed(err):
		return exitErr(exitGate, fmt.Errorf("%s of stack %q: the latency gate missed its thresholds (measurements above)", op, a.opts.Stack))
	case rec.mandatory() > 0:
		return exitErr(exitPolicy, fmt.Errorf("%s of stack %q stopped by %d mandatory policy violation(s)", op, a.opts.Stack, rec.mandatory()))
	}
	return a.opFailed(op, err)
}

// opFailed shortens an operation's error, whose output was streamed already, and explains a
// locked stack: who holds the lock, since when, and how to clear it.
func (a *app) opFailed(op string, err error) error {
	if errors.Is(err, context.Canceled) || a.intr.interrupted() {
		return fmt.Errorf("%s of stack %q cancelled", op, a.opts.Stack)
	}
	if auto.IsConcurrentUpdateError(err) {
		msg := fmt.Sprintf("stack %q is locked by another update", a.opts.Stack)
		if locks, lerr := driver.Locks(a.opts); lerr == nil {
			for _, l := range locks {
				msg += fmt.Sprintf("\n  held by %s since %s (%s ago): %s", l.Owner, l.Since.Format(time.RFC3339),
					time.Since(l.Since).Round(time.Second), l.File)
			}
		}
		return fmt.Errorf("%s\nwait for that update to finish; if its process is gone, clear the lock with `busctl cancel --stack %s`", msg, a.opts.Stack)
	}
	return fmt.Errorf("%s of stack %q failed: %w", op, a.opts.Stack, driver.BriefStreamed(err))
}

func (a *app) refreshCmd() *cobra.Command {
	return a.stackCommand(&cobra.Command{
		Use:   "refresh",
		Short: "Read the real state of every resource into the stack's state",
	}, func(ctx context.Context, _ []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		if _, err := st.Refresh(ctx, optrefresh.ProgressStreams(a.out), optrefresh.ErrorProgressStreams(a.errOut)); err != nil {
			return a.opFailed("refresh", err)
		}
		return nil
	})
}

func (a *app) destroyCmd() *cobra.Command {
	var confirmStack string
	c := a.stackCommand(&cobra.Command{
		Use:   "destroy",
		Short: "Delete the stack's resources",
		Long: "Show what would be deleted and ask for confirmation (--yes skips it; required without a terminal).\n" +
			"A production stack also needs its name typed again, or --confirm-stack NAME.",
	}, func(ctx context.Context, _ []string) error {
		prod, err := driver.Production(a.opts)
		if err != nil {
			return err
		}
		// The name guard is checked before anything runs, so a CI job fails fast.
		if prod && confirmStack != "" && confirmStack != a.opts.Stack {
			return usageErr("--confirm-stack %q does not match the stack %q", confirmStack, a.opts.Stack)
		}
		if prod && confirmStack == "" && !a.interactive() {
			return usageErr("stack %q is a production stack: destroying it needs --confirm-stack %s", a.opts.Stack, a.opts.Stack)
		}
		if !prod && !a.yes && !a.interactive() {
			return usageErr("destroy of stack %q: no terminal to confirm on; pass --yes", a.opts.Stack)
		}
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		if _, err := st.PreviewDestroy(ctx, optdestroy.ProgressStreams(a.out), optdestroy.ErrorProgressStreams(a.errOut)); err != nil {
			return a.opFailed("destroy preview", err)
		}
		if prod {
			err = a.confirmStack(confirmStack)
		} else {
			err = a.confirm(fmt.Sprintf("Destroy every resource of stack %q?", st.Name()))
		}
		if err != nil {
			return err
		}
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(a.out), optdestroy.ErrorProgressStreams(a.errOut)); err != nil {
			return a.opFailed("destroy", err)
		}
		return nil
	})
	c.Flags().StringVar(&confirmStack, "confirm-stack", "", "the stack's name again: required to destroy a production stack")
	yesFlag(c.Flags(), &a.yes)
	return c
}

// gateURN is the latency gate's URN in stack.
func gateURN(stack string) string {
	return fmt.Sprintf("urn:pulumi:%s::%s::marketbus:index:LatencyGate::latency-gate", stack, stacks.Project)
}

func (a *app) gateCmd() *cobra.Command {
	c := a.stackCommand(&cobra.Command{
		Use:   "gate",
		Short: "Run the latency gate again now, and nothing else",
		Long: "Replace only the latency gate (a targeted update): pending changes to topics, schemas or the\n" +
			"cluster stay pending for the next up. Exits 4 when the gate misses its thresholds.",
	}, func(ctx context.Context, _ []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		urn := gateURN(st.Name())
		rec := newRecorder()
		res, err := st.Up(ctx, optup.Target([]string{urn}), optup.Replace([]string{urn}), optup.ProgressStreams(a.progress()),
			optup.ErrorProgressStreams(a.errOut), optup.EventStreams(rec.ch))
		rec.wait()
		if err != nil {
			return a.classify("latency gate", rec, err)
		}
		gate := auto.OutputMap{"latencyGate": res.Outputs["latencyGate"]}
		if a.json {
			return writeJSON(a.out, outputValues(gate, false)["latencyGate"])
		}
		return printOutputs(a.out, gate, false)
	})
	jsonFlag(c.Flags(), &a.json)
	return c
}

func (a *app) cancelCmd() *cobra.Command {
	c := a.stackCommand(&cobra.Command{
		Use:   "cancel",
		Short: "Cancel the stack's running update and clear its lock",
		Long: "Like pulumi cancel: for a file backend it deletes the stack's lock files, so use it only when the\n" +
			"update holding the lock is gone (its process was killed). Asks for confirmation unless --yes.",
	}, func(ctx context.Context, _ []string) error {
		locks, err := driver.Locks(a.opts)
		if err != nil {
			return err
		}
		for _, l := range locks {
			fmt.Fprintf(a.out, "lock held by %s since %s (%s ago)\n", l.Owner, l.Since.Format(time.RFC3339), time.Since(l.Since).Round(time.Second))
		}
		if err := a.confirm(fmt.Sprintf("Cancel the running update of stack %q and clear its lock?", a.opts.Stack)); err != nil {
			return err
		}
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		if err := st.Cancel(ctx); err != nil {
			return fmt.Errorf("cancelling the update of stack %q: %w", a.opts.Stack, driver.Brief(err))
		}
		fmt.Fprintf(a.out, "stack %q is unlocked\n", a.opts.Stack)
		return nil
	})
	yesFlag(c.Flags(), &a.yes)
	return c
}
