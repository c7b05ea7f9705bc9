// Package driver runs the market-bus program through the Pulumi Automation API as an inline
// program: the way busctl, CI and the end-to-end tests deploy a stack. It needs no Pulumi
// language plugin, only the Pulumi CLI and our provider binary.
package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/stackenv"
	"github.com/marketbus/market-bus/stacks"
)

// LocalPassphrase encrypts secrets of the local and dev stacks unless the environment
// provides one. It is not a secret: those stacks hold nothing worth protecting. A production
// stack (market-bus:environment) never falls back to it.
const LocalPassphrase = "market-bus-local-only"

// Options say which stack to run and where its pieces live. Zero values take the
// repository's conventions (see Open).
type Options struct {
	// Root is the repository root holding Pulumi.yaml; found from the working directory when empty.
	Root string
	// Stack is the stack name: dev, prod, local or one with its own Pulumi.<stack>.yaml.
	Stack string
	// StackFile is the stack's config file; Root/Pulumi.<Stack>.yaml when empty.
	StackFile string
	// BackendURL is the state backend; $PULUMI_BACKEND_URL, else file://Root/.state.
	BackendURL string
	// ProviderDir holds pulumi-resource-marketbus; $MARKETBUS_PROVIDER_DIR, else Root/.cache/bin.
	ProviderDir string
	// PulumiRoot holds bin/pulumi; Root/.cache/pulumi when it exists there, else PATH.
	PulumiRoot string
	// Program is the Pulumi program; stacks.Program when nil.
	Program pulumi.RunFunc
}

// Open prepares the stack's workspace and returns the Automation API stack. The stack's
// config file is copied into a private work directory on every run, so the repository's
// files are never rewritten by the CLI.
func Open(ctx context.Context, o Options) (auto.Stack, error) {
	if err := o.fill(); err != nil {
		return auto.Stack{}, err
	}
	proj, err := workspace.LoadProject(filepath.Join(o.Root, "Pulumi.yaml"))
	if err != nil {
		return auto.Stack{}, fmt.Errorf("reading %s: %w", filepath.Join(o.Root, "Pulumi.yaml"), err)
	}
	if _, err := os.Stat(filepath.Join(o.ProviderDir, "pulumi-resource-marketbus")); err != nil {
		return auto.Stack{}, fmt.Errorf("the marketbus provider is not built in %s: run `make provider` (or set MARKETBUS_PROVIDER_DIR): %w", o.ProviderDir, err)
	}
	proj.Plugins = &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "marketbus", Path: o.ProviderDir}}}
	proj.Backend = &workspace.ProjectBackend{URL: o.BackendURL}

	workDir := filepath.Join(o.Root, ".state", "work", o.Stack)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return auto.Stack{}, fmt.Errorf("creating work directory: %w", err)
	}
	ps, err := o.stackSettings(proj, workDir)
	if err != nil {
		return auto.Stack{}, err
	}
	env, err := o.env(ps)
	if err != nil {
		return auto.Stack{}, err
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(workDir),
		auto.Project(*proj),
		auto.Stacks(map[string]workspace.ProjectStack{o.Stack: *ps}),
		auto.EnvVars(env),
		auto.SecretsProvider("passphrase"),
	}
	if o.PulumiRoot != "" {
		cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: o.PulumiRoot, SkipVersionCheck: true})
		if err != nil {
			return auto.Stack{}, fmt.Errorf("using the Pulumi CLI in %s: %w (build it with scripts/toolchain)", o.PulumiRoot, err)
		}
		opts = append(opts, auto.Pulumi(cmd))
	}
	st, err := auto.UpsertStackInlineSource(ctx, o.Stack, proj.Name.String(), o.Program, opts...)
	if err != nil {
		return auto.Stack{}, fmt.Errorf("opening stack %q: %w", o.Stack, err)
	}
	return st, nil
}

// fill applies the defaults documented on Options.
func (o *Options) fill() error {
	if o.Stack == "" {
		return errors.New("no stack given: pass --stack dev, prod or local")
	}
	if o.Root == "" {
		root, err := FindRoot()
		if err != nil {
			return err
		}
		o.Root = root
	}
	if o.StackFile == "" {
		o.StackFile = filepath.Join(o.Root, "Pulumi."+o.Stack+".yaml")
	}
	if _, err := os.Stat(o.StackFile); err != nil {
		return fmt.Errorf("stack %q has no config file %s: create it (copy Pulumi.local.yaml as a start) or pick dev, prod or local", o.Stack, o.StackFile)
	}
	if o.BackendURL == "" {
		o.BackendURL = os.Getenv("PULUMI_BACKEND_URL")
	}
	if o.BackendURL == "" {
		dir := filepath.Join(o.Root, ".state", "backend")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating state directory: %w", err)
		}
		o.BackendURL = "file://" + dir
	}
	if o.ProviderDir == "" {
		o.ProviderDir = os.Getenv("MARKETBUS_PROVIDER_DIR")
	}
	if o.ProviderDir == "" {
		o.ProviderDir = filepath.Join(o.Root, ".cache", "bin")
	}
	if o.PulumiRoot == "" {
		if _, err := os.Stat(filepath.Join(o.Root, ".cache", "pulumi", "bin", "pulumi")); err == nil {
			o.PulumiRoot = filepath.Join(o.Root, ".cache", "pulumi")
		}
	}
	if o.Program == nil {
		o.Program = stacks.Program
	}
	return nil
}

// stackSettings loads the stack's config file. The passphrase salt lives in the work
// directory's copy once the stack exists; losing it would make existing secrets unreadable,
// so it is carried over unless the repository's file brings its own.
func (o Options) stackSettings(proj *workspace.Project, workDir string) (*workspace.ProjectStack, error) {
	ps, err := workspace.LoadProjectStack(nil, proj, o.StackFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.StackFile, err)
	}
	if ps.EncryptionSalt == "" {
		prev := filepath.Join(workDir, "Pulumi."+o.Stack+".yaml")
		if _, err := os.Stat(prev); err == nil {
			if old, err := workspace.LoadProjectStack(nil, proj, prev); err == nil {
				ps.EncryptionSalt = old.EncryptionSalt
			}
		}
	}
	return ps, nil
}

// env is the environment of every CLI call: a private PULUMI_HOME so no plugin is fetched
// from or installed into the user's, no update checks, and the passphrase. A stack whose
// market-bus:environment is production (prod by default, or any stack that declares it)
// never falls back to the public local passphrase.
func (o Options) env(ps *workspace.ProjectStack) (map[string]string, error) {
	home := filepath.Join(o.Root, ".state", "pulumi-home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", home, err)
	}
	env := map[string]string{
		"PULUMI_HOME":                                 home,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_BACKEND_URL":                          o.BackendURL,
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
	}
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		stackEnv, err := stackEnvironment(o.Stack, ps)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.StackFile, err)
		}
		if stackenv.IsProduction(stackEnv) {
			return nil, fmt.Errorf("stack %s is a production stack (%s: %s) and needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) in the environment: "+
				"its secrets are real, so there is no default passphrase", o.Stack, stackenv.Key, stackEnv)
		}
		env["PULUMI_CONFIG_PASSPHRASE"] = LocalPassphrase
	}
	return env, nil
}

// stackEnvironment resolves the stack's environment from its config file the way the
// program does (stacks.Load), before the engine runs: the passphrase is chosen first.
func stackEnvironment(stack string, ps *workspace.ProjectStack) (string, error) {
	raw := ""
	if v, ok := ps.Config[config.MustMakeKey(stacks.Project, stacks.KeyEnvironment)]; ok {
		if v.Secure() {
			return "", fmt.Errorf("%s is encrypted: it is not a secret, set it in plain text (production, staging or development)", stackenv.Key)
		}
		s, err := v.Value(config.NopDecrypter)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", stackenv.Key, err)
		}
		raw = s
	}
	return stackenv.Resolve(stack, raw)
}

// FindRoot finds the repository root: the folder of Pulumi.yaml at or above the working
// directory.
func FindRoot() (string, error) { return stacks.FindRoot() }
