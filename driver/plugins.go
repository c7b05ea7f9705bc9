package driver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/marketbus/market-bus/components/nodepool"
	"github.com/marketbus/market-bus/stacks"
)

// Plugin is a resource plugin a stack needs.
type Plugin struct {
	// Name is the package name, e.g. docker.
	Name string `json:"name"`
	// Version is the version the program registers with: the SDK version in go.mod.
	Version string `json:"version"`
	// Server is the pluginDownloadURL of a plugin not hosted by Pulumi (grafana).
	Server string `json:"server,omitempty"`
	// Path is where a project-local plugin lives (our own provider); empty for cached ones.
	Path string `json:"path,omitempty"`
	// Installed reports whether the plugin is in its place: Path, or PULUMI_HOME's cache.
	Installed bool `json:"installed"`
	// Location is the folder the plugin is (or would be) in.
	Location string `json:"location"`
	// Why says which part of the stack needs it.
	Why string `json:"why"`
}

// sdkModules maps a plugin to the Go module of its SDK: the version go.mod pins is the version
// the SDK registers resources with, so it is the plugin version the engine asks for.
var sdkModules = map[string]string{
	"docker":     "github.com/pulumi/pulumi-docker/sdk/v4",
	"kubernetes": "github.com/pulumi/pulumi-kubernetes/sdk/v4",
	"aws":        "github.com/pulumi/pulumi-aws/sdk/v6",
}

// grafanaPlugin is the pulumiverse Grafana provider our generated SDK (sdk/go/grafana, from
// ../shared/provider-schemas/grafana-v2.38.0.json) registers with; a test checks it against
// the generated code.
var grafanaPlugin = Plugin{Name: "grafana", Version: "2.38.0", Server: "github://api.github.com/pulumiverse"}

// sdkVersion returns the version of mod in this binary's build info (go.mod's pin).
func sdkVersion(mod string) (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build info in this binary: cannot tell the version of %s", mod)
	}
	for _, d := range bi.Deps {
		if d.Path == mod {
			if d.Replace != nil && d.Replace.Version != "" {
				return strings.TrimPrefix(d.Replace.Version, "v"), nil
			}
			return strings.TrimPrefix(d.Version, "v"), nil
		}
	}
	return "", fmt.Errorf("%s is not linked into this binary", mod)
}

// RequiredPlugins lists the resource plugins the stack's program will load, from its spec:
// our provider always; docker or kubernetes for a cluster the stack creates; aws for an EKS
// node group; grafana when monitoring is on.
func RequiredPlugins(spec stacks.Spec, providerDir string) ([]Plugin, error) {
	ours := filepath.Join(providerDir, "pulumi-resource-marketbus")
	_, err := os.Stat(ours)
	list := []Plugin{{Name: "marketbus", Version: "(project)", Path: providerDir, Installed: err == nil, Location: ours,
		Why: "topics, schemas, the latency gate (the project's own provider)"}}
	add := func(name, why string) error {
		p := Plugin{Name: name, Why: why}
		if name == grafanaPlugin.Name {
			p.Version, p.Server = grafanaPlugin.Version, grafanaPlugin.Server
		} else {
			v, err := sdkVersion(sdkModules[name])
			if err != nil {
				return err
			}
			p.Version = v
		}
		desc, err := p.descriptor()
		if err != nil {
			return err
		}
		p.Installed = workspace.HasPlugin(desc)
		if p.Location, err = desc.DirPath(); err != nil {
			return fmt.Errorf("locating the %s plugin in PULUMI_HOME: %w", name, err)
		}
		list = append(list, p)
		return nil
	}
	var errs []error
	switch spec.Cluster.Mode {
	case stacks.ModeDocker:
		errs = append(errs, add("docker", "brokers, network and volumes as Docker containers (cluster.mode: docker)"))
	case stacks.ModeKubernetes:
		errs = append(errs, add("kubernetes", "the Redpanda StatefulSet and its Services (cluster.mode: kubernetes)"))
		if spec.NodePool.Mode == nodepool.ModeEKS {
			errs = append(errs, add("aws", "the EKS node group (nodePool.mode: eks)"))
		}
	}
	if spec.Cluster.Mode != stacks.ModeExternal && spec.Monitoring.IsEnabled() {
		errs = append(errs, add("grafana", "dashboards, alert rules and contact points (monitoring.enabled)"))
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return list, nil
}

func (p Plugin) descriptor() (workspace.PluginDescriptor, error) {
	v, err := semver.ParseTolerant(p.Version)
	if err != nil {
		return workspace.PluginDescriptor{}, fmt.Errorf("plugin %s: version %q: %w", p.Name, p.Version, err)
	}
	return workspace.PluginDescriptor{Name: p.Name, Kind: apitype.ResourcePlugin, Version: &v, PluginDownloadURL: p.Server}, nil
}

// InstallPlugins installs every missing cached plugin of list into PULUMI_HOME with the
// Pulumi CLI (`pulumi plugin install`), the way a first `up` would, so CI can pre-warm.
func InstallPlugins(ctx context.Context, o Options, list []Plugin, progress func(Plugin)) error {
	if err := o.fill(); err != nil {
		return err
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(o.WorkDir()), auto.EnvVars(map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"})}
	if err := os.MkdirAll(o.WorkDir(), 0o755); err != nil {
		return fmt.Errorf("creating work directory: %w", err)
	}
	if o.PulumiRoot != "" {
		cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: o.PulumiRoot, SkipVersionCheck: true})
		if err != nil {
			return fmt.Errorf("using the Pulumi CLI in %s: %w", o.PulumiRoot, err)
		}
		opts = append(opts, auto.Pulumi(cmd))
	}
	ws, err := auto.NewLocalWorkspace(ctx, opts...)
	if err != nil {
		return fmt.Errorf("preparing a Pulumi workspace: %w", Brief(err))
	}
	for _, p := range list {
		if p.Path != "" || p.Installed {
			continue
		}
		progress(p)
		if p.Server != "" {
			err = ws.InstallPluginFromServer(ctx, p.Name, "v"+p.Version, p.Server)
		} else {
			err = ws.InstallPlugin(ctx, p.Name, "v"+p.Version)
		}
		if err != nil {
			return fmt.Errorf("installing plugin %s v%s: %w", p.Name, p.Version, Brief(err))
		}
	}
	return nil
}

// LoadSpec loads and validates the stack's Spec from its config file, as the program would,
// without running the program. Secret values count as set (their ciphertext is not read).
// With shapeOnly, secrets not set yet count as set too: the plugins a stack needs follow from
// its shape, and listing them must work before the secrets are configured.
func LoadSpec(o Options, shapeOnly bool) (stacks.Spec, error) {
	if err := o.fill(); err != nil {
		return stacks.Spec{}, err
	}
	ps, err := workspace.LoadProjectStack(nil, o.project, o.StackFile)
	if err != nil {
		return stacks.Spec{}, fmt.Errorf("reading %s: %w", o.StackFile, err)
	}
	src := stacks.MapSource{}
	for k, v := range ps.Config {
		if k.Namespace() != stacks.Project {
			continue
		}
		s, err := v.Value(config.NopDecrypter)
		if err != nil {
			return stacks.Spec{}, fmt.Errorf("reading %s from %s: %w", k, o.StackFile, err)
		}
		src[k.Name()] = s
	}
	if shapeOnly {
		for _, k := range []string{stacks.KeySASLPassword, stacks.KeyGrafanaToken, stacks.KeyGrafanaAdminPassword} {
			if _, ok := src[k]; !ok {
				src[k] = "(not set yet)"
			}
		}
	}
	return stacks.Load(o.Stack, src)
}
