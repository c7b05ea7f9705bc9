package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/marketbus/market-bus/driver"
)

// app is one busctl invocation: its streams and the flags every stack command shares.
type app struct {
	in          io.Reader
	out, errOut io.Writer
	intr        *interrupts

	opts         driver.Options
	json         bool
	yes          bool
	policyConfig string
	// ran is set once a command's own code starts; an error before that is a usage error.
	ran bool
}

const rootLong = `busctl deploys and checks market-bus stacks through the Pulumi Automation API.

It runs the project's program inline with the Pulumi CLI and our provider from .cache/
(make toolchain). State goes to --backend, PULUMI_BACKEND_URL or backend.url in Pulumi.yaml,
else to .state/backend in the checkout (refused for production stacks). Plugins come from
PULUMI_HOME (default ~/.pulumi) and are downloaded on first use, as with pulumi up.

Exit codes:
  0  success
  1  the operation failed
  2  usage error (unknown command or flag, missing --stack, no --yes without a terminal)
  3  a mandatory policy violation stopped the operation
  4  the latency gate ran and missed its thresholds
  5  busctl drift found resources that differ from the state`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "busctl",
		Short:         "Deploy and check market-bus stacks",
		Long:          rootLong,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
		// Reached only when a command is about to run: args and flags were accepted.
		PersistentPreRun: func(*cobra.Command, []string) { a.ran = true },
	}
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitErr(exitUsage, err)
	})
	root.AddCommand(
		a.previewCmd(), a.upCmd(), a.refreshCmd(), a.destroyCmd(), a.driftCmd(),
		a.outputsCmd(), a.policyCheckCmd(), a.gateCmd(), a.benchCmd(), a.cancelCmd(),
		a.configCmd(), a.pluginsCmd(), a.versionCmd(),
		a.passThrough("validate", "Check records (--json FILE, --avro FILE) against a subject's registered schema", func(ctx context.Context, args []string) error {
			return validateCommand(ctx, args, a.out)
		}),
		a.passThrough("render", "Write the stack's Docker cluster as a Compose file (--format compose [--out FILE])", func(_ context.Context, args []string) error {
			return runRender(args, a.out)
		}),
	)
	return root
}

// passThrough wires a command that parses its own flags (validate, render): cobra hands it
// every argument unparsed. Its --help is its own.
func (a *app) passThrough(use, short string, run func(ctx context.Context, args []string) error) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			return run(c.Context(), args)
		},
	}
}

// stackCommand builds a command that runs on one stack: it gets -s/--stack and the other
// stack flags, and run is called with the stack's options resolved. Adding a command that
// calls one function is one call:
//
//	root.AddCommand(a.stackCommand(&cobra.Command{Use: "validate", Short: "..."}, func(ctx context.Context, _ []string) error {
//		return validate.Run(ctx, a.opts, a.out)
//	}))
func (a *app) stackCommand(c *cobra.Command, run func(ctx context.Context, args []string) error) *cobra.Command {
	if c.Args == nil {
		c.Args = cobra.NoArgs
	}
	a.stackFlags(c.Flags())
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := a.resolve(); err != nil {
			return err
		}
		return run(c.Context(), args)
	}
	return c
}

// stackFlags are the flags of every command that works on a stack.
func (a *app) stackFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&a.opts.Stack, "stack", "s", "", "the stack: dev, prod, local or one with its own Pulumi.<stack>.yaml (required)")
	fs.StringVar(&a.opts.StackFile, "config-file", "", "the stack's config file (default Pulumi.<stack>.yaml)")
	fs.StringVar(&a.opts.BackendURL, "backend", "", "state backend URL (default $PULUMI_BACKEND_URL, backend.url in Pulumi.yaml, else .state/backend)")
	fs.StringVar(&a.opts.SecretsProvider, "secrets-provider", "", "secrets provider when the stack is created: passphrase, awskms://, gcpkms://, azurekeyvault://, hashivault://")
	fs.StringVar(&a.opts.Root, "root", "", "the project folder holding Pulumi.yaml (default: found from the working directory)")
}

func jsonFlag(fs *pflag.FlagSet, v *bool) {
	fs.BoolVar(v, "json", false, "print machine-readable JSON on stdout (progress goes to stderr)")
}

func yesFlag(fs *pflag.FlagSet, v *bool) {
	fs.BoolVarP(v, "yes", "y", false, "do not ask for confirmation (required without a terminal)")
}

// resolve checks the stack flags and fills in the repository's defaults.
func (a *app) resolve() error {
	if a.opts.Stack == "" {
		return usageErr("no stack given: pass -s/--stack dev, prod or local")
	}
	if a.opts.Root != "" {
		abs, err := filepath.Abs(a.opts.Root)
		if err != nil {
			return err
		}
		a.opts.Root = abs
	}
	if a.opts.StackFile != "" {
		abs, err := filepath.Abs(a.opts.StackFile)
		if err != nil {
			return err
		}
		a.opts.StackFile = abs
	}
	o, err := driver.Resolve(a.opts)
	if err != nil {
		return err
	}
	a.opts = o
	return nil
}

// open opens the resolved stack.
func (a *app) open(ctx context.Context) (auto.Stack, error) {
	return driver.Open(ctx, a.opts)
}

// progress is where engine progress goes: stdout, or stderr when stdout carries JSON.
func (a *app) progress() io.Writer {
	if a.json {
		return a.errOut
	}
	return a.out
}

func (a *app) commandPath(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != nil {
		return c.CommandPath()
	}
	return root.CommandPath()
}

// version is busctl's module version and VCS revision, from the build info.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v, rev, dirty := bi.Main.Version, "", ""
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return v
}

func (a *app) versionCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print busctl's version and the Pulumi SDK it was built with",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			sdk := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					if d.Path == "github.com/pulumi/pulumi/sdk/v3" {
						sdk = d.Version
					}
				}
			}
			if asJSON {
				return writeJSON(a.out, map[string]string{"version": version(), "pulumiSdk": sdk})
			}
			fmt.Fprintf(a.out, "busctl %s\npulumi sdk %s\n", version(), sdk)
			return nil
		},
	}
	jsonFlag(c.Flags(), &asJSON)
	return c
}

// confirmOut is where prompts go: the terminal's stderr, so stdout stays clean.
func (a *app) confirmOut() io.Writer { return a.errOut }
