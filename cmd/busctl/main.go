// Command busctl deploys and checks market-bus stacks through the Pulumi Automation API:
//
//	busctl preview --stack local
//	busctl up      --stack local
//	busctl refresh --stack local
//	busctl destroy --stack local
//	busctl policy-check --stack local [--mandatory]
//	busctl gate    --stack local
//	busctl bench   --stack local [--rate N | --sweep START:STEP:MAX]
//	busctl validate --stack local --subject S (--json FILE | --avro FILE) [--output json]
//	busctl render  --stack dev --format compose [--out FILE]
//
// It runs the same program as main.go, inline, with state in .state/ unless
// PULUMI_BACKEND_URL says otherwise, and exits non-zero when the operation fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"github.com/marketbus/market-bus/driver"
	"github.com/marketbus/market-bus/stacks"
)

const usage = `usage: busctl <command> --stack NAME [flags]

commands:
  preview        show what up would change; runs the policy pack (--no-policy skips it)
  up             create or update the stack's resources and print its outputs
  refresh        read the real state of every resource and record drift
  destroy        delete the stack's resources
  outputs        print the stack's outputs
  policy-check   preview with the policy pack, print a table, fail on a mandatory violation
                 (--mandatory raises every policy to mandatory for this run)
  gate           run the latency gate again now (an up that replaces only the gate)
  bench          an ad-hoc latency/throughput run against the stack's cluster
  validate       check records (--json FILE, --avro FILE) against a subject's registered schema
  render         write the stack's Docker cluster as a Compose file (--format compose [--out FILE])

flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "busctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(out, usage)
		return errors.New("no command given")
	}
	cmd := args[0]
	if cmd == "validate" {
		return validateCommand(ctx, args[1:], out)
	}
	if cmd == "render" {
		return runRender(args[1:], out)
	}
	fs := flag.NewFlagSet("busctl "+cmd, flag.ContinueOnError)
	var o driver.Options
	fs.StringVar(&o.Stack, "stack", "", "stack name: dev, prod or local")
	fs.StringVar(&o.Root, "root", "", "repository root (default: found from the working directory)")
	fs.StringVar(&o.StackFile, "config", "", "stack config file (default: Pulumi.<stack>.yaml)")
	showSecrets := fs.Bool("show-secrets", false, "print secret outputs in plain text")
	noPolicy := fs.Bool("no-policy", false, "preview: do not run the policy pack")
	mandatory := fs.Bool("mandatory", false, "policy-check: every policy is mandatory for this run")
	var bf benchFlags
	if cmd == "bench" {
		bf.register(fs)
	}
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch cmd {
	case "preview", "up", "refresh", "destroy", "outputs", "policy-check", "gate", "bench":
	default:
		fs.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
	var err error
	if cmd == "bench" && bf.brokers != "" && bf.schemaID != 0 {
		c, err := bf.config(ctx, nil)
		if err != nil {
			return err
		}
		return runBench(ctx, bf, c, out)
	}
	if o.Root == "" {
		if o.Root, err = driver.FindRoot(); err != nil {
			return err
		}
	}
	if o.Root, err = filepath.Abs(o.Root); err != nil {
		return err
	}
	st, err := driver.Open(ctx, o)
	if err != nil {
		return err
	}
	switch cmd {
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(out), optpreview.ErrorProgressStreams(os.Stderr), optpreview.Diff()}
		if !*noPolicy {
			popts, err := policyOptions(o.Root, st.Workspace().WorkDir(), false)
			if err != nil {
				return err
			}
			opts = append(opts, popts...)
		}
		res, err := st.Preview(ctx, opts...)
		if err != nil {
			return fmt.Errorf("preview of stack %q failed: %w", o.Stack, err)
		}
		fmt.Fprintf(out, "\nchanges: %v\n", res.ChangeSummary)
	case "policy-check":
		return policyCheck(ctx, st, o.Root, *mandatory, out)
	case "gate":
		urn := fmt.Sprintf("urn:pulumi:%s::%s::marketbus:index:LatencyGate::latency-gate", o.Stack, stacks.Project)
		res, err := st.Up(ctx, optup.ProgressStreams(out), optup.ErrorProgressStreams(os.Stderr), optup.Replace([]string{urn}))
		if err != nil {
			return fmt.Errorf("latency gate of stack %q failed: %w", o.Stack, err)
		}
		return printOutputs(out, auto.OutputMap{"latencyGate": res.Outputs["latencyGate"]}, false)
	case "bench":
		c, err := bf.config(ctx, &st)
		if err != nil {
			return err
		}
		return runBench(ctx, bf, c, out)
	case "up":
		res, err := st.Up(ctx, optup.ProgressStreams(out), optup.ErrorProgressStreams(os.Stderr))
		if err != nil {
			return fmt.Errorf("update of stack %q failed: %w", o.Stack, err)
		}
		return printOutputs(out, res.Outputs, *showSecrets)
	case "refresh":
		if _, err := st.Refresh(ctx, optrefresh.ProgressStreams(out), optrefresh.ErrorProgressStreams(os.Stderr)); err != nil {
			return fmt.Errorf("refresh of stack %q failed: %w", o.Stack, err)
		}
	case "destroy":
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(out), optdestroy.ErrorProgressStreams(os.Stderr)); err != nil {
			return fmt.Errorf("destroy of stack %q failed: %w", o.Stack, err)
		}
	case "outputs":
		outs, err := st.Outputs(ctx)
		if err != nil {
			return fmt.Errorf("reading outputs of stack %q: %w", o.Stack, err)
		}
		return printOutputs(out, outs, *showSecrets)
	}
	return nil
}

// printOutputs prints each output as indented JSON; secrets stay masked unless asked for.
func printOutputs(out io.Writer, outs auto.OutputMap, showSecrets bool) error {
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(out, "\nOutputs:")
	for _, k := range keys {
		v := outs[k]
		if v.Secret && !showSecrets {
			fmt.Fprintf(out, "  %s: [secret]\n", k)
			continue
		}
		b, err := json.MarshalIndent(v.Value, "    ", "  ")
		if err != nil {
			return fmt.Errorf("printing output %s: %w", k, err)
		}
		fmt.Fprintf(out, "  %s: %s\n", k, b)
	}
	return nil
}
