package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/policies/guardrails"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// e2eTools returns the Pulumi CLI root and the provider directory scripts/toolchain builds
// into .cache, and fails the test when they are missing: a green run must mean the pack
// really ran under the engine.
func e2eTools(t *testing.T) (pulumiRoot, providerDir string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	pulumiRoot = filepath.Join(root, ".cache", "pulumi")
	providerDir = filepath.Join(root, ".cache", "bin")
	for _, p := range []string{filepath.Join(pulumiRoot, "bin", "pulumi"), filepath.Join(providerDir, "pulumi-resource-marketbus")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is not built (run scripts/toolchain): %v", p, err)
		}
	}
	return pulumiRoot, providerDir
}

// badTopicProgram declares a Topic with replication factor 1 behind a provider without
// TLS or SASL, pointed at a port nothing listens on (preview needs no cluster).
func badTopicProgram(ctx *pulumi.Context) error {
	prov, err := marketbus.NewProvider(ctx, "marketbus", &marketbus.ProviderArgs{
		BootstrapServers: pulumi.StringArray{pulumi.String("127.0.0.1:1")},
	})
	if err != nil {
		return err
	}
	_, err = marketbus.NewTopic(ctx, "market-telemetry", &marketbus.TopicArgs{
		Name:              pulumi.String("market-telemetry"),
		Partitions:        pulumi.Int(12),
		ReplicationFactor: pulumi.Int(1),
		Config: pulumi.StringMap{
			"min.insync.replicas": pulumi.String("2"),
			"retention.ms":        pulumi.String("604800000"),
			"cleanup.policy":      pulumi.String("delete"),
		},
	}, pulumi.Provider(prov))
	return err
}

// previewWithPack previews stack with the pack (and a config file, if any) and returns the
// policy events, the preview output and the preview error.
func previewWithPack(t *testing.T, stack, bin, configFile string) ([]apitype.PolicyEvent, string, error) {
	t.Helper()
	return previewWithPackConfig(t, stack, bin, configFile, nil)
}

// previewWithPackConfig is previewWithPack on a stack with the given stack config values
// (full keys, e.g. market-bus:environment), which the engine also hands the pack.
func previewWithPackConfig(t *testing.T, stack, bin, configFile string, stackConfig map[string]string) ([]apitype.PolicyEvent, string, error) {
	t.Helper()
	pulumiRoot, providerDir := e2eTools(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	tmp := t.TempDir()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: pulumiRoot, SkipVersionCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	proj := workspace.Project{
		Name:    tokens.PackageName("market-bus"),
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: "file://" + filepath.Join(tmp, "state")},
		Plugins: &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "marketbus", Path: providerDir}}},
	}
	if err := os.MkdirAll(filepath.Join(tmp, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := auto.UpsertStackInlineSource(ctx, stack, "market-bus", badTopicProgram,
		auto.WorkDir(tmp), auto.Project(proj), auto.Pulumi(cmd),
		auto.EnvVars(map[string]string{
			"PULUMI_HOME":                                 filepath.Join(tmp, "home"),
			"PULUMI_CONFIG_PASSPHRASE":                    "policy-test",
			"PULUMI_SKIP_UPDATE_CHECK":                    "true",
			"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		}))
	if err != nil {
		t.Fatalf("stack %s: %v", stack, err)
	}
	for k, v := range stackConfig {
		if err := st.SetConfig(ctx, k, auto.ConfigValue{Value: v}); err != nil {
			t.Fatalf("config %s: %v", k, err)
		}
	}
	opts := []optpreview.Option{optpreview.PolicyPacks(bin)}
	if configFile != "" {
		opts = append(opts, optpreview.PolicyPackConfigs(configFile))
	}
	ch := make(chan events.EngineEvent)
	var wg sync.WaitGroup
	var policy []apitype.PolicyEvent
	wg.Add(1)
	go func() {
		defer wg.Done()
		for e := range ch {
			if e.PolicyEvent != nil {
				policy = append(policy, *e.PolicyEvent)
			}
		}
	}()
	var out bytes.Buffer
	opts = append(opts, optpreview.EventStreams(ch), optpreview.ProgressStreams(&out))
	_, err = st.Preview(ctx, opts...)
	wg.Wait()
	return policy, out.String(), err
}

// findEvent returns the violation of policy name whose message contains msg, failing the
// test when there is none.
func findEvent(t *testing.T, evs []apitype.PolicyEvent, name, msg, output string) apitype.PolicyEvent {
	t.Helper()
	for _, e := range evs {
		if e.PolicyName == name && strings.Contains(e.Message, msg) {
			return e
		}
	}
	t.Fatalf("no %s violation %q among %+v\noutput:\n%s", name, msg, evs, output)
	return apitype.PolicyEvent{}
}

// TestPreviewRunsThePack runs `pulumi preview` through the Automation API with the built
// pack, as busctl would: mandatory on prod fails the preview, advisory on dev only warns,
// and the {"all": "mandatory"} config file makes dev fail too.
func TestPreviewRunsThePack(t *testing.T) {
	e2eTools(t)
	bin := buildPack(t)
	const topicMsg = `topic "market-telemetry": replicationFactor 1 is below the minimum 3 (every stack has 3 brokers)`

	t.Run("prod is mandatory", func(t *testing.T) {
		evs, out, err := previewWithPack(t, "prod", bin, "")
		if err == nil {
			t.Fatalf("preview passed despite mandatory violations:\n%s", out)
		}
		e := findEvent(t, evs, "topic-replication", topicMsg, out)
		if e.EnforcementLevel != "mandatory" || e.PolicyPackName != guardrails.PackName ||
			e.ResourceURN != "urn:pulumi:prod::market-bus::marketbus:index:Topic::market-telemetry" {
			t.Errorf("event %+v", e)
		}
		if e := findEvent(t, evs, "kafka-tls-sasl", `provider "marketbus": sasl is not set on stack prod`, out); e.EnforcementLevel != "mandatory" {
			t.Errorf("event %+v", e)
		}
	})
	t.Run("prod-eu declaring production is mandatory", func(t *testing.T) {
		evs, out, err := previewWithPackConfig(t, "prod-eu", bin, "", map[string]string{"market-bus:environment": "production"})
		if err == nil {
			t.Fatalf("preview of a production stack passed despite mandatory violations:\n%s", out)
		}
		if e := findEvent(t, evs, "topic-replication", topicMsg, out); e.EnforcementLevel != "mandatory" {
			t.Errorf("event %+v", e)
		}
		if e := findEvent(t, evs, "kafka-tls-sasl", `provider "marketbus": sasl is not set on stack prod-eu`, out); e.EnforcementLevel != "mandatory" {
			t.Errorf("event %+v", e)
		}
	})
	t.Run("dev is advisory", func(t *testing.T) {
		evs, out, err := previewWithPack(t, "dev", bin, "")
		if err != nil {
			t.Fatalf("advisory violations failed the preview: %v\n%s", err, out)
		}
		if e := findEvent(t, evs, "topic-replication", topicMsg, out); e.EnforcementLevel != "advisory" {
			t.Errorf("event %+v", e)
		}
		for _, e := range evs {
			if e.PolicyName == "kafka-tls-sasl" {
				t.Errorf("prod-only policy fired on dev: %+v", e)
			}
		}
	})
	t.Run("mandatory config on dev", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "policy-config.json")
		if err := guardrails.MandatoryConfig().Write(cfg); err != nil {
			t.Fatal(err)
		}
		evs, out, err := previewWithPack(t, "dev", bin, cfg)
		if err == nil {
			t.Fatalf("preview passed with every policy mandatory:\n%s", out)
		}
		if e := findEvent(t, evs, "topic-replication", topicMsg, out); e.EnforcementLevel != "mandatory" {
			t.Errorf("event %+v", e)
		}
	})
}
