package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/marketbus/market-bus/stacks"
)

// runRender is `busctl render --stack NAME --format compose [--out FILE]`:
// it writes the stack's Docker cluster (and monitoring) as a Compose file
// from the same renderer the stack's Docker backend deploys, without
// Pulumi, state or a Docker engine.
func runRender(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("busctl render", flag.ContinueOnError)
	stack := fs.String("stack", "", "stack name whose Pulumi.<stack>.yaml is rendered (a docker cluster: dev)")
	format := fs.String("format", "compose", "output format: compose")
	root := fs.String("root", "", "repository root (default: found from the working directory)")
	config := fs.String("config", "", "stack config file (default: Pulumi.<stack>.yaml under the root)")
	outFile := fs.String("out", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("render: unexpected argument %q", fs.Arg(0))
	}
	if *stack == "" {
		return errors.New("render: no stack given: pass --stack dev")
	}
	if *format != "compose" {
		return fmt.Errorf("render: --format %q is unknown: use compose", *format)
	}
	var err error
	if *root == "" {
		if *root, err = stacks.FindRoot(); err != nil {
			return err
		}
	}
	if *config == "" {
		*config = filepath.Join(*root, "Pulumi."+*stack+".yaml")
	}
	spec, err := stacks.LoadStackFile(*root, *stack, *config)
	if err != nil {
		return err
	}
	name := "docker-compose.yml"
	if *outFile != "" {
		name = filepath.Base(*outFile)
	}
	b, err := stacks.ComposeFile(spec, name)
	if err != nil {
		return err
	}
	if *outFile == "" {
		_, err = out.Write(b)
		return err
	}
	if err := os.WriteFile(*outFile, b, 0o644); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return nil
}
