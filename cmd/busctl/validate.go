package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/marketbus/market-bus/driver"
	"github.com/marketbus/market-bus/payload"
	"github.com/marketbus/market-bus/stacks"
)

// validateCommand is `busctl validate`: see package payload.
func validateCommand(ctx context.Context, args []string, out io.Writer) error {
	return payload.Command(ctx, args, out, stackRegistryURL)
}

// stackRegistryURL reads the stack's config (not its outputs: validating needs no deploy)
// and returns its schema registry URL.
func stackRegistryURL(ctx context.Context, stack, root, configFile string) (string, error) {
	o := driver.Options{Stack: stack, Root: root, StackFile: configFile}
	var err error
	if o.Root == "" {
		if o.Root, err = driver.FindRoot(); err != nil {
			return "", err
		}
	}
	if o.Root, err = filepath.Abs(o.Root); err != nil {
		return "", err
	}
	st, err := driver.Open(ctx, o)
	if err != nil {
		return "", err
	}
	cfg, err := st.GetAllConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the config of stack %q: %w", stack, err)
	}
	src := stacks.MapSource{}
	for k, v := range cfg {
		if key, ok := strings.CutPrefix(k, stacks.Project+":"); ok {
			src[key] = v.Value
		}
	}
	spec, err := stacks.Load(stack, src)
	if err != nil {
		return "", err
	}
	if spec.Cluster.SchemaRegistryURL != "" {
		return spec.Cluster.SchemaRegistryURL, nil
	}
	outs, err := st.Outputs(ctx)
	if err == nil {
		if urls := stringList(outs["schemaRegistryUrls"].Value); len(urls) > 0 {
			return urls[0], nil
		}
	}
	return "", errors.New("stack " + stack + " names no schema registry URL (cluster.schemaRegistryUrl) and has no schemaRegistryUrls output yet: deploy it or pass --registry URL")
}
