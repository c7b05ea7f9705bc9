package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/spf13/cobra"

	"github.com/marketbus/market-bus/policies/guardrails"
)

// policySet is the policy pack (and optional config) an operation runs with.
type policySet struct {
	packs   []string
	configs []string
}

// policies finds the pack scripts/toolchain builds and, with mandatory, writes a config
// raising every policy to mandatory for this run; --policy-config adds the user's own.
func (a *app) policies(workDir string, mandatory bool) (policySet, error) {
	root := a.opts.Root
	p := filepath.Join(root, ".cache", "bin", guardrails.PackName)
	if _, err := os.Stat(p); err != nil {
		return policySet{}, fmt.Errorf("the policy pack is not built at %s: run scripts/toolchain: %w", p, err)
	}
	set := policySet{packs: []string{p}}
	if mandatory {
		path := filepath.Join(workDir, "policy-mandatory.json")
		if err := guardrails.MandatoryConfig().Write(path); err != nil {
			return set, fmt.Errorf("writing the policy config: %w", err)
		}
		set.configs = []string{path}
	}
	if a.policyConfig != "" {
		if _, err := os.Stat(a.policyConfig); err != nil {
			return set, fmt.Errorf("--policy-config: %w", err)
		}
		set.configs = append(set.configs, a.policyConfig)
	}
	return set, nil
}

func (p policySet) up() []optup.Option {
	opts := []optup.Option{optup.PolicyPacks(p.packs...)}
	if len(p.configs) > 0 {
		opts = append(opts, optup.PolicyPackConfigs(p.configs...))
	}
	return opts
}

// policyConfigFlag is Pulumi's --policy-pack-config: a JSON file of enforcement levels and
// policy settings (scripts and PR jobs use it to raise levels).
func (a *app) policyConfigFlag(c *cobra.Command) {
	c.Flags().StringVar(&a.policyConfig, "policy-config", "", "policy pack config file (JSON, as pulumi --policy-pack-config): enforcement levels and settings")
}

func (p policySet) preview() []optpreview.Option {
	if len(p.packs) == 0 {
		return nil
	}
	opts := []optpreview.Option{optpreview.PolicyPacks(p.packs...)}
	if len(p.configs) > 0 {
		opts = append(opts, optpreview.PolicyPackConfigs(p.configs...))
	}
	return opts
}

// violation is one policy event of an operation.
type violation struct {
	Policy   string `json:"policy"`
	Pack     string `json:"pack"`
	Level    string `json:"level"`
	Resource string `json:"resource"`
	URN      string `json:"urn,omitempty"`
	Message  string `json:"message"`
}

// policyCheck previews the stack with the pack and prints a table (or JSON). A mandatory
// violation exits with exitPolicy.
func (a *app) policyCheck(ctx context.Context, st auto.Stack, mandatory bool) error {
	set, err := a.policies(st.Workspace().WorkDir(), mandatory)
	if err != nil {
		return err
	}
	rec := newRecorder()
	opts := append(set.preview(), optpreview.EventStreams(rec.ch), optpreview.ErrorProgressStreams(a.errOut))
	_, perr := st.Preview(ctx, opts...)
	rec.wait()
	if a.json {
		if err := writeJSON(a.out, map[string]any{"stack": st.Name(), "violations": nonNil(rec.violations), "mandatory": rec.mandatory()}); err != nil {
			return err
		}
	} else {
		printViolations(a.out, rec.violations)
	}
	switch {
	case rec.mandatory() > 0:
		return exitErr(exitPolicy, fmt.Errorf("%d mandatory policy violation(s) in stack %q", rec.mandatory(), st.Name()))
	case perr != nil:
		return a.opFailed("preview", perr)
	}
	if !a.json {
		fmt.Fprintf(a.out, "policy check of stack %q passed (%d advisory finding(s))\n", st.Name(), len(rec.violations))
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func printViolations(out io.Writer, vs []violation) {
	if len(vs) == 0 {
		fmt.Fprintln(out, "\nPolicies: no violations")
		return
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if vs[i].Level != vs[j].Level {
			return vs[i].Level == "mandatory"
		}
		return vs[i].Policy < vs[j].Policy
	})
	fmt.Fprintln(out, "\nPolicies:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  LEVEL\tPOLICY\tRESOURCE\tMESSAGE")
	for _, v := range vs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", v.Level, v.Policy, v.Resource, v.Message)
	}
	_ = tw.Flush()
}

// violationText drops the policy's description, which the engine puts on the first line,
// and keeps what this resource did wrong.
func violationText(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 1 {
		lines = lines[1:]
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
