//go:build render

// Package render renders the prod stack's Kubernetes objects to YAML files with the real
// Kubernetes provider in render mode (no cluster) and decodes every document strictly into
// its k8s.io/api type. Run it with scripts/render-prod-manifests (make render-prod), which
// builds the provider plugin it needs; it is not part of make test or CI.
package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"sigs.k8s.io/yaml"

	"github.com/marketbus/market-bus/components/nodepool"
	"github.com/marketbus/market-bus/stacks"
)

// placeholderSecret stands for every secret the prod stack reads from its encrypted config;
// it ends up in the rendered Secret, which lives only in the render directory.
const placeholderSecret = "render-only-placeholder"

// prodSource is the config the prod program sees: the defaults Pulumi.yaml declares,
// overridden by Pulumi.prod.yaml, with structured values as JSON the way the engine hands
// them to a program. Secrets (set with `pulumi config set --secret`, never in the file) get
// placeholders.
func prodSource(root string) (stacks.MapSource, error) {
	src := stacks.MapSource{}
	var project struct {
		Config map[string]struct {
			Default json.RawMessage `json:"default"`
		} `json:"config"`
	}
	if err := readYAML(filepath.Join(root, "Pulumi.yaml"), &project); err != nil {
		return nil, err
	}
	for key, decl := range project.Config {
		if name, ok := projectKey(key); ok && len(decl.Default) > 0 {
			src[name] = configText(decl.Default)
		}
	}
	var stack struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := readYAML(filepath.Join(root, "Pulumi.prod.yaml"), &stack); err != nil {
		return nil, err
	}
	for key, raw := range stack.Config {
		name, ok := projectKey(key)
		if !ok {
			continue
		}
		var secure struct {
			Secure *string `json:"secure"`
		}
		if json.Unmarshal(raw, &secure) == nil && secure.Secure != nil {
			src[name] = placeholderSecret
			continue
		}
		src[name] = configText(raw)
	}
	for _, k := range []string{stacks.KeySASLPassword, stacks.KeyGrafanaToken} {
		if _, ok := src[k]; !ok {
			src[k] = placeholderSecret
		}
	}
	return src, nil
}

// projectKey strips the project namespace: market-bus:cluster → cluster.
func projectKey(key string) (string, bool) {
	name, ok := strings.CutPrefix(key, stacks.Project+":")
	return name, ok
}

// configText is a config value as a program reads it: strings as they are, everything
// else as JSON.
func configText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func readYAML(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// renderProgram is stacks.deployKubernetes (node pool "brokers", then cluster "redpanda"
// waiting for it) with every Kubernetes object on an explicit provider that writes YAML
// into dir instead of talking to a cluster. Nothing else of the prod program is built: the
// marketbus provider's resources, Grafana and AWS cannot be rendered.
func renderProgram(spec stacks.Spec, dir string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		if spec.NodePool.Mode != nodepool.ModeExisting {
			return fmt.Errorf("nodePool.mode = %q: only an existing node pool renders (eks creates AWS resources)", spec.NodePool.Mode)
		}
		render, err := kubernetes.NewProvider(ctx, "render", &kubernetes.ProviderArgs{
			RenderYamlToDirectory: pulumi.String(dir),
		})
		if err != nil {
			return err
		}
		password := pulumi.ToSecret(pulumi.String(placeholderSecret)).(pulumi.StringOutput)
		rp, err := stacks.DeployKubernetes(ctx, spec, password, pulumi.Providers(render))
		if err != nil {
			return err
		}
		ctx.Export("externalBootstrapServers", rp.ExternalBootstrapServers)
		ctx.Export("internalBootstrapServers", rp.InternalBootstrapServers)
		return nil
	}
}
