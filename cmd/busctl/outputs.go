package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/spf13/cobra"
)

func (a *app) outputsCmd() *cobra.Command {
	var showSecrets bool
	c := a.stackCommand(&cobra.Command{
		Use:   "outputs [NAME]",
		Short: "Print the stack's outputs, or one output raw",
		Long: "Without NAME, print every output (--json: one JSON object). With NAME, print that output alone:\n" +
			"a string as it is (busctl outputs -s local rpkProfile > profile.yaml), anything else as JSON.\n" +
			"Secrets print as [secret] unless --show-secrets.",
		Args: cobra.MaximumNArgs(1),
	}, func(ctx context.Context, args []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		outs, err := st.Outputs(ctx)
		if err != nil {
			return fmt.Errorf("reading outputs of stack %q: %w", st.Name(), err)
		}
		if len(args) == 1 {
			v, ok := outs[args[0]]
			if !ok {
				names := make([]string, 0, len(outs))
				for k := range outs {
					names = append(names, k)
				}
				sort.Strings(names)
				return fmt.Errorf("stack %q has no output %q (it has %v)", st.Name(), args[0], names)
			}
			return printRaw(a.out, outputValues(auto.OutputMap{args[0]: v}, showSecrets)[args[0]])
		}
		if a.json {
			return writeJSON(a.out, outputValues(outs, showSecrets))
		}
		return printOutputs(a.out, outs, showSecrets)
	})
	c.Flags().BoolVar(&showSecrets, "show-secrets", false, "print secret outputs in plain text")
	jsonFlag(c.Flags(), &a.json)
	return c
}

// outputValues is the outputs as plain values, secrets masked unless shown.
func outputValues(outs auto.OutputMap, showSecrets bool) map[string]any {
	m := make(map[string]any, len(outs))
	for k, v := range outs {
		if v.Secret && !showSecrets {
			m[k] = "[secret]"
			continue
		}
		m[k] = v.Value
	}
	return m
}

// printRaw prints a string without quotes (so it can be redirected into a file) and any
// other value as indented JSON.
func printRaw(out io.Writer, v any) error {
	if s, ok := v.(string); ok {
		if len(s) > 0 && s[len(s)-1] == '\n' {
			_, err := io.WriteString(out, s)
			return err
		}
		_, err := fmt.Fprintln(out, s)
		return err
	}
	return writeJSON(out, v)
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
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

func (a *app) policyCheckCmd() *cobra.Command {
	var mandatory bool
	c := a.stackCommand(&cobra.Command{
		Use:   "policy-check",
		Short: "Preview with the policy pack and print its findings as a table",
		Long:  "Exits 3 on a mandatory violation. --mandatory raises every policy to mandatory for this run (PR jobs).",
	}, func(ctx context.Context, _ []string) error {
		st, err := a.open(ctx)
		if err != nil {
			return err
		}
		return a.policyCheck(ctx, st, mandatory)
	})
	c.Flags().BoolVar(&mandatory, "mandatory", false, "every policy is mandatory for this run")
	a.policyConfigFlag(c)
	jsonFlag(c.Flags(), &a.json)
	return c
}
