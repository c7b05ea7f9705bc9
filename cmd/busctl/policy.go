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
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/marketbus/market-bus/policies/guardrails"
)

// packPath is the policy pack executable scripts/toolchain builds.
func packPath(root string) (string, error) {
	p := filepath.Join(root, ".cache", "bin", guardrails.PackName)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the policy pack is not built at %s: run scripts/toolchain (or pass --no-policy): %w", p, err)
	}
	return p, nil
}

// policyOptions adds the pack (and, with mandatory, a config raising every policy to
// mandatory) to a preview.
func policyOptions(root, workDir string, mandatory bool) ([]optpreview.Option, error) {
	pack, err := packPath(root)
	if err != nil {
		return nil, err
	}
	opts := []optpreview.Option{optpreview.PolicyPacks(pack)}
	if mandatory {
		path := filepath.Join(workDir, "policy-mandatory.json")
		if err := guardrails.MandatoryConfig().Write(path); err != nil {
			return nil, fmt.Errorf("writing the policy config: %w", err)
		}
		opts = append(opts, optpreview.PolicyPackConfigs(path))
	}
	return opts, nil
}

// violation is one policy event of a preview.
type violation struct {
	Policy, Level, Resource, Message string
}

// collectViolations drains engine events into a list of policy violations.
func collectViolations(ch <-chan events.EngineEvent, out *[]violation, done chan<- struct{}) {
	for e := range ch {
		if e.PolicyEvent == nil {
			continue
		}
		pe := e.PolicyEvent
		res := pe.ResourceURN
		if i := strings.LastIndex(res, "::"); i >= 0 {
			res = res[i+2:]
		}
		if res == "" {
			res = "(stack)"
		}
		*out = append(*out, violation{Policy: pe.PolicyName, Level: pe.EnforcementLevel, Resource: res, Message: strings.TrimSpace(pe.Message)})
	}
	close(done)
}

// policyCheck previews the stack with the pack and prints a summary table. It fails when a
// mandatory policy is violated (the engine then fails the preview itself).
func policyCheck(ctx context.Context, st auto.Stack, root string, mandatory bool, out io.Writer) error {
	opts, err := policyOptions(root, st.Workspace().WorkDir(), mandatory)
	if err != nil {
		return err
	}
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	var found []violation
	go collectViolations(ch, &found, done)
	// Engine diagnostics (provider warnings such as an unreachable cluster) go to stderr.
	opts = append(opts, optpreview.EventStreams(ch), optpreview.ErrorProgressStreams(os.Stderr))
	_, perr := st.Preview(ctx, opts...)
	<-done
	printViolations(out, found)
	mandatoryCount := 0
	for _, v := range found {
		if v.Level == "mandatory" {
			mandatoryCount++
		}
	}
	switch {
	case mandatoryCount > 0:
		return fmt.Errorf("%d mandatory policy violation(s) in stack %q", mandatoryCount, st.Name())
	case perr != nil:
		return fmt.Errorf("preview of stack %q failed: %w", st.Name(), perr)
	}
	fmt.Fprintf(out, "policy check of stack %q passed (%d advisory finding(s))\n", st.Name(), len(found))
	return nil
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
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", v.Level, v.Policy, v.Resource, violationText(v.Message))
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
