package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/marketbus/market-bus/driver"
)

func (a *app) configCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Set, get or remove a setting in the stack's config file",
		Long: "Like pulumi config, on the file busctl deploys from (Pulumi.<stack>.yaml or --config-file).\n" +
			"Keys without a namespace are market-bus keys: saslPassword is market-bus:saslPassword.",
	}
	var secret, plaintext bool
	set := a.stackCommand(&cobra.Command{
		Use:   "set KEY [VALUE]",
		Short: "Set a setting; --secret encrypts it for the stack",
		Long: "Set KEY to VALUE. Without VALUE it is read from the terminal (not echoed) or from stdin, so a\n" +
			"secret never lands in the shell history: busctl config set --secret saslPassword -s prod",
		Args: cobra.RangeArgs(1, 2),
	}, func(ctx context.Context, args []string) error {
		value, err := a.configValue(args, secret)
		if err != nil {
			return err
		}
		if !secret && !plaintext && looksSecret(args[0]) {
			return usageErr("%s looks like a secret: pass --secret to encrypt it (or --plaintext to store it in the clear)", args[0])
		}
		if err := driver.SetConfig(ctx, a.opts, args[0], value, secret); err != nil {
			return err
		}
		what := "set"
		if secret {
			what = "set (encrypted)"
		}
		fmt.Fprintf(a.errOut, "%s %s in %s\n", args[0], what, a.opts.StackFile)
		return nil
	})
	set.Flags().BoolVar(&secret, "secret", false, "encrypt the value with the stack's secrets provider")
	set.Flags().BoolVar(&plaintext, "plaintext", false, "store a value whose name looks secret in the clear anyway")

	get := a.stackCommand(&cobra.Command{
		Use:   "get KEY",
		Short: "Print a setting, decrypted",
		Args:  cobra.ExactArgs(1),
	}, func(ctx context.Context, args []string) error {
		v, err := driver.GetConfig(ctx, a.opts, args[0])
		if err != nil {
			return err
		}
		if a.json {
			return writeJSON(a.out, map[string]any{"value": v.Value, "secret": v.Secret})
		}
		fmt.Fprintln(a.out, v.Value)
		return nil
	})
	jsonFlag(get.Flags(), &a.json)

	rm := a.stackCommand(&cobra.Command{
		Use:   "rm KEY",
		Short: "Remove a setting",
		Args:  cobra.ExactArgs(1),
	}, func(_ context.Context, args []string) error {
		if err := driver.RemoveConfig(a.opts, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(a.errOut, "%s removed from %s\n", args[0], a.opts.StackFile)
		return nil
	})
	c.AddCommand(set, get, rm)
	return c
}

// configValue is VALUE, or read from the terminal without echo, or the first line of stdin.
func (a *app) configValue(args []string, secret bool) (string, error) {
	if len(args) == 2 {
		return args[1], nil
	}
	if a.interactive() {
		fmt.Fprintf(a.confirmOut(), "value for %s: ", args[0])
		if secret {
			b, err := term.ReadPassword(int(stdinFd(a.in)))
			fmt.Fprintln(a.confirmOut())
			return string(b), err
		}
	}
	line, err := bufio.NewReader(a.in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the value of %s from stdin: %w", args[0], err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageErr("no value for %s: pass it as an argument or on stdin", args[0])
	}
	return line, nil
}

// looksSecret is the same guard pulumi config set has: a name that says password, token
// or key is almost certainly a secret.
func looksSecret(key string) bool {
	k := strings.ToLower(key)
	for _, w := range []string{"password", "passphrase", "token", "secret", "apikey", "privatekey", "webhook"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func (a *app) pluginsCmd() *cobra.Command {
	c := a.stackCommand(&cobra.Command{
		Use:   "plugins",
		Short: "List the Pulumi plugins the stack needs, their versions and whether they are installed",
		Long: "Our provider comes from the project's plugin path (.cache/bin); every other plugin is pinned to the\n" +
			"SDK version in go.mod and lives in PULUMI_HOME's plugin cache (default ~/.pulumi/plugins), where\n" +
			"the first up downloads it. `busctl plugins install` downloads them now (pre-warm CI).",
	}, func(_ context.Context, _ []string) error {
		list, err := a.plugins()
		if err != nil {
			return err
		}
		if a.json {
			return writeJSON(a.out, list)
		}
		tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tVERSION\tINSTALLED\tLOCATION\tNEEDED FOR")
		for _, p := range list {
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", p.Name, p.Version, p.Installed, p.Location, p.Why)
		}
		return tw.Flush()
	})
	jsonFlag(c.Flags(), &a.json)
	install := a.stackCommand(&cobra.Command{
		Use:   "install",
		Short: "Install the plugins the stack needs into PULUMI_HOME",
	}, func(ctx context.Context, _ []string) error {
		list, err := a.plugins()
		if err != nil {
			return err
		}
		for _, p := range list {
			if p.Path != "" && !p.Installed {
				return fmt.Errorf("our provider is not built in %s: run make provider", p.Path)
			}
		}
		err = driver.InstallPlugins(ctx, a.opts, list, func(p driver.Plugin) {
			fmt.Fprintf(a.errOut, "installing %s v%s\n", p.Name, p.Version)
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(a.errOut, "every plugin of the stack is installed")
		return nil
	})
	c.AddCommand(install)
	return c
}

func (a *app) plugins() ([]driver.Plugin, error) {
	spec, err := driver.LoadSpec(a.opts, true)
	if err != nil {
		return nil, err
	}
	return driver.RequiredPlugins(spec, a.opts.ProviderDir)
}
