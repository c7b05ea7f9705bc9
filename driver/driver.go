// Package driver runs the market-bus program through the Pulumi Automation API as an inline
// program: the way busctl, CI and the end-to-end tests deploy a stack. It needs no Pulumi
// language plugin, only the Pulumi CLI and our provider binary; third-party plugins come from
// the user's plugin cache (PULUMI_HOME) or are downloaded at the versions go.mod pins.
package driver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/stacks"
)

// LocalPassphrase encrypts secrets of non-production stacks unless the environment provides
// one. It is not a secret: those stacks hold nothing worth protecting. A production stack
// never falls back to it.
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
	// BackendURL is the state backend: this, else $PULUMI_BACKEND_URL, else backend.url in
	// Pulumi.yaml, else file://Root/.state/backend (refused for a production stack).
	BackendURL string
	// SecretsProvider encrypts the stack's secrets when the stack is created: passphrase
	// (default), awskms://, gcpkms://, azurekeyvault:// or hashivault://. An existing stack
	// keeps the provider it was created with (see its secretsprovider in the stack file).
	SecretsProvider string
	// ProviderDir holds pulumi-resource-marketbus; $MARKETBUS_PROVIDER_DIR, else Root/.cache/bin.
	ProviderDir string
	// PulumiRoot holds bin/pulumi; Root/.cache/pulumi when it exists there, else PATH.
	PulumiRoot string
	// Program is the Pulumi program; stacks.Program when nil.
	Program pulumi.RunFunc

	project        *workspace.Project
	defaultBackend bool
}

// Open prepares the stack's workspace and returns the Automation API stack. The stack's
// config file is copied into a private work directory on every run, so the CLI never
// rewrites the repository's files (busctl config writes them on purpose, see SetConfig).
func Open(ctx context.Context, o Options) (auto.Stack, error) {
	if err := o.fill(); err != nil {
		return auto.Stack{}, err
	}
	proj := *o.project
	if _, err := os.Stat(filepath.Join(o.ProviderDir, "pulumi-resource-marketbus")); err != nil {
		return auto.Stack{}, fmt.Errorf("the marketbus provider is not built in %s: run `make provider` (or set MARKETBUS_PROVIDER_DIR): %w", o.ProviderDir, err)
	}
	// Our own provider comes from the project's plugin path, never from a registry; every
	// other plugin is resolved the way `pulumi up` resolves it.
	proj.Plugins = &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "marketbus", Path: o.ProviderDir}}}
	proj.Backend = &workspace.ProjectBackend{URL: o.BackendURL}

	workDir := o.WorkDir()
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return auto.Stack{}, fmt.Errorf("creating work directory: %w", err)
	}
	ps, err := o.stackSettings(&proj, workDir)
	if err != nil {
		return auto.Stack{}, err
	}
	if err := o.checkProduction(ps); err != nil {
		return auto.Stack{}, err
	}
	secrets := o.SecretsProvider
	if secrets == "" {
		secrets = ps.SecretsProvider
	}
	if secrets == "" {
		secrets = "passphrase"
	}
	env, err := o.env(ps, secrets)
	if err != nil {
		return auto.Stack{}, err
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(workDir),
		auto.Project(proj),
		auto.Stacks(map[string]workspace.ProjectStack{o.Stack: *ps}),
		auto.EnvVars(env),
		auto.SecretsProvider(secrets),
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
		return auto.Stack{}, fmt.Errorf("opening stack %q: %w", o.Stack, Brief(err))
	}
	return st, nil
}

// Resolve applies the defaults documented on Options and returns the result, for callers
// that need the stack file, backend or root without opening the stack.
func Resolve(o Options) (Options, error) {
	err := o.fill()
	return o, err
}

// WorkDir is the private folder the CLI runs in; it holds the working copy of the stack file,
// whose passphrase salt stackSettings carries over. It is per backend: the same stack name in
// another backend is another stack, and a salt carried over from it made every passphrase
// but the first one "incorrect".
func (o Options) WorkDir() string {
	if o.BackendURL == "" || o.defaultBackend {
		return filepath.Join(o.Root, ".state", "work", o.Stack)
	}
	sum := sha256.Sum256([]byte(o.BackendURL))
	return filepath.Join(o.Root, ".state", "work", "backend-"+hex.EncodeToString(sum[:6]), o.Stack)
}

// DefaultBackend reports whether the state lives in the checkout's default file backend.
func (o Options) DefaultBackend() bool { return o.defaultBackend }

// fill applies the defaults documented on Options.
func (o *Options) fill() error {
	if o.Stack == "" {
		return errors.New("no stack given: pass --stack dev, prod or local (or -s)")
	}
	if o.Root == "" {
		root, err := FindRoot()
		if err != nil {
			return err
		}
		o.Root = root
	}
	if o.project == nil {
		proj, err := workspace.LoadProject(filepath.Join(o.Root, "Pulumi.yaml"))
		if err != nil {
			return fmt.Errorf("reading %s: %w", filepath.Join(o.Root, "Pulumi.yaml"), err)
		}
		o.project = proj
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
	if o.BackendURL == "" && o.project.Backend != nil {
		o.BackendURL = o.project.Backend.URL
	}
	if o.BackendURL == "" || o.BackendURL == o.defaultBackendURL() {
		dir := filepath.Join(o.Root, ".state", "backend")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating state directory: %w", err)
		}
		o.BackendURL, o.defaultBackend = o.defaultBackendURL(), true
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

func (o Options) defaultBackendURL() string {
	return "file://" + filepath.Join(o.Root, ".state", "backend")
}

// stackSettings loads the stack's config file. The passphrase salt lives in the work
// directory's copy once the stack exists; losing it would make existing secrets unreadable,
// so it is carried over unless the repository's file brings its own.
func (o Options) stackSettings(proj *workspace.Project, workDir string) (*workspace.ProjectStack, error) {
	ps, err := workspace.LoadProjectStack(nil, proj, o.StackFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.StackFile, err)
	}
	if ps.EncryptionSalt == "" && ps.EncryptedKey == "" {
		prev := filepath.Join(workDir, "Pulumi."+o.Stack+".yaml")
		if _, err := os.Stat(prev); err == nil {
			if old, err := workspace.LoadProjectStack(nil, proj, prev); err == nil {
				ps.EncryptionSalt = old.EncryptionSalt
				ps.EncryptedKey = old.EncryptedKey
				if ps.SecretsProvider == "" {
					ps.SecretsProvider = old.SecretsProvider
				}
			}
		}
	}
	o.absKubeconfig(ps)
	return ps, nil
}

// kubeconfigKey is the Kubernetes provider's kubeconfig setting: a path or the file's contents.
var kubeconfigKey = config.MustMakeKey("kubernetes", "kubeconfig")

// absKubeconfig makes a relative kubernetes:kubeconfig path absolute against the project
// folder. `pulumi up` run in that folder reads it from there; busctl's CLI runs in its work
// directory instead, where the same path would name nothing (Pulumi.k8s-e2e.yaml points at
// .cache/k8s-cluster/kubeconfig this way). Contents, secrets, ~ and absolute paths are kept.
func (o Options) absKubeconfig(ps *workspace.ProjectStack) {
	v, ok := ps.Config[kubeconfigKey]
	if !ok || v.Secure() || v.Object() {
		return
	}
	path, err := v.Value(config.NopDecrypter)
	if err != nil || path == "" || strings.ContainsAny(path, "\n:") || filepath.IsAbs(path) || strings.HasPrefix(path, "~") {
		return
	}
	ps.Config[kubeconfigKey] = config.NewValue(filepath.Join(o.Root, path))
}

// env is the environment of every CLI call on top of busctl's own: the backend, no update
// checks, and the local passphrase for non-production stacks. PULUMI_HOME and plugin
// acquisition are the user's, as with `pulumi up`.
func (o Options) env(ps *workspace.ProjectStack, secrets string) (map[string]string, error) {
	env := map[string]string{
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_BACKEND_URL":       o.BackendURL,
	}
	if secrets != "passphrase" || os.Getenv("PULUMI_CONFIG_PASSPHRASE") != "" || os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") != "" {
		return env, nil
	}
	prod, err := IsProduction(o.Stack, ps)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.StackFile, err)
	}
	if prod {
		return nil, fmt.Errorf("stack %s is a production stack (%s: production) and needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) in the environment, "+
			"or a KMS secrets provider (--secrets-provider awskms://..., gcpkms://..., azurekeyvault://..., hashivault://...): "+
			"its secrets are real, so there is no default passphrase", o.Stack, EnvironmentKey)
	}
	env["PULUMI_CONFIG_PASSPHRASE"] = LocalPassphrase
	return env, nil
}

// checkProduction refuses to keep a production stack's state inside the checkout: a fresh
// clone, `git clean` or a lost laptop would orphan every resource it manages.
func (o Options) checkProduction(ps *workspace.ProjectStack) error {
	if !o.defaultBackend {
		return nil
	}
	if prod, err := IsProduction(o.Stack, ps); err != nil || !prod {
		return err
	}
	return fmt.Errorf("stack %q is a production stack and its state would live in the checkout (%s), "+
		"where a fresh clone or `git clean` loses it: choose a shared backend with --backend URL, "+
		"PULUMI_BACKEND_URL or backend.url in Pulumi.yaml (e.g. s3://my-bucket/market-bus, azblob://container, "+
		"gs://bucket, https://api.pulumi.com, or file:///srv/pulumi-state outside the checkout)", o.Stack, o.BackendURL)
}

// FindRoot finds the repository root: the folder of Pulumi.yaml at or above the working
// directory.
func FindRoot() (string, error) { return stacks.FindRoot() }
