package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/marketbus/market-bus/policies/guardrails"
)

// buildPack compiles the pack into a temporary directory and returns the executable.
func buildPack(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "market-bus-guardrails")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startPack runs the executable as the engine does and connects to the port it prints.
func startPack(t *testing.T, bin string) pulumirpc.AnalyzerClient {
	t.Helper()
	cmd := exec.Command(bin)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	var port int
	select {
	case l := <-line:
		if port, err = strconv.Atoi(strings.TrimSpace(l)); err != nil || port <= 0 {
			t.Fatalf("the pack printed %q, want its port", l)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the pack printed no port within 30s")
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pulumirpc.NewAnalyzerClient(conn)
}

// configure walks the engine's start-up calls: handshake, then the stack.
func configure(t *testing.T, ctx context.Context, c pulumirpc.AnalyzerClient, dir, stack string) {
	t.Helper()
	configureWith(t, ctx, c, dir, stack, nil)
}

// configureWith is configure with the stack config the engine passes along (full keys).
func configureWith(t *testing.T, ctx context.Context, c pulumirpc.AnalyzerClient, dir, stack string, config map[string]string) {
	t.Helper()
	if _, err := c.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if _, err := c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: stack, Project: "market-bus", Config: config}); err != nil {
		t.Fatalf("ConfigureStack: %v", err)
	}
}

// topic is a Topic with replication factor 1, as the analyzer protocol carries it.
func topic(t *testing.T) *pulumirpc.AnalyzeRequest {
	t.Helper()
	props, err := structpb.NewStruct(map[string]any{
		"name": "market-telemetry", "partitions": 12.0, "replicationFactor": 1.0,
		"config": map[string]any{"min.insync.replicas": "2", "retention.ms": "604800000", "cleanup.policy": "delete"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.AnalyzeRequest{
		Type:       "marketbus:index:Topic",
		Name:       "market-telemetry",
		Urn:        "urn:pulumi:prod::market-bus::marketbus:index:Topic::market-telemetry",
		Properties: props,
	}
}

// TestPackSpeaksTheAnalyzerProtocol builds the executable and drives it over gRPC the way
// the engine does: it must print its port, report every policy at the stack's level with
// its config schema, and turn a bad Topic into a diagnostic naming the resource.
func TestPackSpeaksTheAnalyzerProtocol(t *testing.T) {
	bin := buildPack(t)
	wantPolicies := guardrails.PolicyNames()
	for _, tt := range []struct {
		stack string
		env   string // market-bus:environment; left out when empty
		level pulumirpc.EnforcementLevel
	}{
		{"prod", "", pulumirpc.EnforcementLevel_MANDATORY},
		{"dev", "", pulumirpc.EnforcementLevel_ADVISORY},
		{"prod-eu", "production", pulumirpc.EnforcementLevel_MANDATORY},
		{"prod", "staging", pulumirpc.EnforcementLevel_ADVISORY},
	} {
		t.Run(tt.stack+"/"+tt.env, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c := startPack(t, bin)
			var cfg map[string]string
			if tt.env != "" {
				cfg = map[string]string{"market-bus:environment": tt.env}
			}
			configureWith(t, ctx, c, filepath.Dir(bin), tt.stack, cfg)

			info, err := c.GetAnalyzerInfo(ctx, &emptypb.Empty{})
			if err != nil {
				t.Fatalf("GetAnalyzerInfo: %v", err)
			}
			if info.GetName() != guardrails.PackName || info.GetVersion() != guardrails.PackVersion || !info.GetSupportsConfig() {
				t.Errorf("pack %q %q supportsConfig=%v", info.GetName(), info.GetVersion(), info.GetSupportsConfig())
			}
			if len(info.GetPolicies()) != len(wantPolicies) {
				t.Fatalf("%d policies, want %d", len(info.GetPolicies()), len(wantPolicies))
			}
			for i, p := range info.GetPolicies() {
				if p.GetName() != wantPolicies[i] || p.GetEnforcementLevel() != tt.level {
					t.Errorf("policy %d: %s at %s, want %s at %s", i, p.GetName(), p.GetEnforcementLevel(), wantPolicies[i], tt.level)
				}
				if p.GetName() == "topic-partitions" && p.GetConfigSchema().GetProperties().GetFields()["maxPartitions"] == nil {
					t.Errorf("topic-partitions lost its config schema: %v", p.GetConfigSchema())
				}
			}

			resp, err := c.Analyze(ctx, topic(t))
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			want := `topic "market-telemetry": replicationFactor 1 is below the minimum 3 (every stack has 3 brokers)`
			if len(resp.GetDiagnostics()) != 1 {
				t.Fatalf("diagnostics %v, want one", resp.GetDiagnostics())
			}
			d := resp.GetDiagnostics()[0]
			if d.GetPolicyName() != "topic-replication" || !strings.Contains(d.GetMessage(), want) ||
				d.GetEnforcementLevel() != tt.level || d.GetUrn() != topic(t).GetUrn() {
				t.Errorf("diagnostic %s %s %q at %s, want topic-replication %q at %s", d.GetPolicyName(), d.GetUrn(), d.GetMessage(), d.GetEnforcementLevel(), want, tt.level)
			}
		})
	}
}

// TestUnknownStackMustDeclareItsEnvironment: a stack the project does not know by name and
// that leaves market-bus:environment out is refused when the engine configures the pack,
// with the key and the fix, rather than silently analyzed as development.
func TestUnknownStackMustDeclareItsEnvironment(t *testing.T) {
	bin := buildPack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := startPack(t, bin)
	dir := filepath.Dir(bin)
	if _, err := c.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir}); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	_, err := c.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "prod-eu", Project: "market-bus"})
	if err == nil || !strings.Contains(err.Error(), `market-bus:environment = "": not set`) || !strings.Contains(err.Error(), "Pulumi.prod-eu.yaml") {
		t.Fatalf("ConfigureStack of prod-eu without an environment: %v, want the key and the fix", err)
	}
}

// TestConfiguredLevelWins sends the config the engine derives from {"all": "mandatory"}
// (every policy mandatory) to a dev pack: the dev violation becomes mandatory.
func TestConfiguredLevelWins(t *testing.T) {
	bin := buildPack(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := startPack(t, bin)
	configure(t, ctx, c, filepath.Dir(bin), "dev")
	cfg := map[string]*pulumirpc.PolicyConfig{}
	for _, name := range guardrails.PolicyNames() {
		cfg[name] = &pulumirpc.PolicyConfig{EnforcementLevel: pulumirpc.EnforcementLevel_MANDATORY}
	}
	cfg["topic-replication"].Properties, _ = structpb.NewStruct(map[string]any{"minReplicationFactor": 1.0, "minInsyncReplicas": 2.0})
	cfg["topic-partitions"].Properties, _ = structpb.NewStruct(map[string]any{"maxPartitions": 10.0})
	if _, err := c.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: cfg}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	resp, err := c.Analyze(ctx, topic(t))
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(resp.GetDiagnostics()) != 1 {
		t.Fatalf("diagnostics %v, want only topic-partitions (replication minimum lowered to 1)", resp.GetDiagnostics())
	}
	d := resp.GetDiagnostics()[0]
	if d.GetPolicyName() != "topic-partitions" || d.GetEnforcementLevel() != pulumirpc.EnforcementLevel_MANDATORY ||
		!strings.Contains(d.GetMessage(), `partitions 12 is above the ceiling 10`) {
		t.Errorf("diagnostic %s %q at %s", d.GetPolicyName(), d.GetMessage(), d.GetEnforcementLevel())
	}
}

// TestPulumiPolicyYAML checks the file the engine also reads next to a pack executable:
// Go runtime, the pack's version (it overrides the version the pack reports) and a
// description.
func TestPulumiPolicyYAML(t *testing.T) {
	proj, err := workspace.LoadPolicyPack("PulumiPolicy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if proj.Runtime.Name() != "go" || proj.Version != guardrails.PackVersion || proj.Description == nil || *proj.Description == "" {
		t.Errorf("PulumiPolicy.yaml: runtime %q, version %q, description %v; want go, %s and a description",
			proj.Runtime.Name(), proj.Version, proj.Description, guardrails.PackVersion)
	}
	out, err := exec.Command("go", "list", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != guardrails.MainPackage {
		t.Errorf("guardrails.MainPackage = %q, but this package is %q", guardrails.MainPackage, got)
	}
}
