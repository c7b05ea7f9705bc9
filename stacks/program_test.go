package stacks

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorder is a mock resource monitor that keeps every registration.
type recorder struct {
	mu  sync.Mutex
	reg map[string]pulumi.MockResourceArgs
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reg == nil {
		r.reg = map[string]pulumi.MockResourceArgs{}
	}
	r.reg[args.TypeToken+"::"+args.Name] = args
	outs := args.Inputs.Copy()
	if args.TypeToken == "marketbus:index:Topic" {
		outs["topicId"] = resource.NewStringProperty("id-" + args.Name)
	}
	return args.Name + "-id", outs, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// runProgram runs Program for stack under mocks with the given raw config values.
func runProgram(t *testing.T, stack string, cfg map[string]string) (*recorder, error) {
	t.Helper()
	full := map[string]string{}
	for k, v := range cfg {
		full[Project+":"+k] = v
	}
	raw, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_CONFIG", string(raw))
	rec := &recorder{}
	err = pulumi.RunErr(Program, pulumi.WithMocks(Project, stack, rec))
	return rec, err
}

func localConfig() map[string]string {
	return map[string]string{
		KeyCluster: `{"mode":"external","brokers":3,"bootstrapServers":["127.0.0.1:19092","127.0.0.1:29092","127.0.0.1:39092"]}`,
		KeyTopics: `[{"name":"market-telemetry","partitions":12,"replicationFactor":3,"deletionProtection":false,
			"config":{"retention.ms":"604800000","cleanup.policy":"delete"}}]`,
	}
}

func TestProgramLocalRegistersProviderAndTopic(t *testing.T) {
	rec, err := runProgram(t, "local", localConfig())
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	prov, ok := rec.reg["pulumi:providers:marketbus::marketbus"]
	if !ok {
		t.Fatalf("no marketbus provider registered; got %v", keys(rec.reg))
	}
	var servers []string
	for _, v := range prov.Inputs["bootstrapServers"].ArrayValue() {
		servers = append(servers, v.StringValue())
	}
	if got := strings.Join(servers, ","); got != "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092" {
		t.Errorf("provider bootstrapServers = %q", got)
	}
	if got := prov.Inputs["clientId"].StringValue(); got != "market-bus-local" {
		t.Errorf("provider clientId = %q", got)
	}

	topic, ok := rec.reg["marketbus:index:Topic::market-telemetry"]
	if !ok {
		t.Fatalf("topic market-telemetry not registered; got %v", keys(rec.reg))
	}
	in := topic.Inputs
	checks := map[string]any{
		"name":              in["name"].StringValue(),
		"partitions":        in["partitions"].NumberValue(),
		"replicationFactor": in["replicationFactor"].NumberValue(),
		"retention.ms":      in["config"].ObjectValue()["retention.ms"].StringValue(),
		"cleanup.policy":    in["config"].ObjectValue()["cleanup.policy"].StringValue(),
		"deletion":          in["deletionProtection"].BoolValue(),
	}
	want := map[string]any{
		"name": "market-telemetry", "partitions": 12.0, "replicationFactor": 3.0,
		"retention.ms": "604800000", "cleanup.policy": "delete", "deletion": false,
	}
	for k, w := range want {
		if checks[k] != w {
			t.Errorf("topic %s = %v, want %v", k, checks[k], w)
		}
	}
	if topic.Provider == "" || !strings.Contains(topic.Provider, "pulumi:providers:marketbus::marketbus") {
		t.Errorf("topic provider = %q, want the explicit marketbus provider", topic.Provider)
	}
	wantRes := []string{
		"pulumi:providers:marketbus::marketbus", "marketbus:index:Topic::market-telemetry",
		"marketbus:index:SubjectConfig::market-telemetry-value", "marketbus:index:Schema::market-telemetry-value",
		"marketbus:index:SubjectConfig::fx-stream-global-value", "marketbus:index:Schema::fx-stream-global-value",
		"marketbus:index:Topic::gate-topic", "marketbus:index:LatencyGate::latency-gate",
	}
	for _, k := range wantRes {
		if _, ok := rec.reg[k]; !ok {
			t.Errorf("%s not registered", k)
		}
	}
	if len(rec.reg) != len(wantRes) {
		t.Errorf("registered %v, want exactly %v", keys(rec.reg), wantRes)
	}
	if got := prov.Inputs["schemaRegistry"].ObjectValue()["url"].StringValue(); got != "http://127.0.0.1:18081/apis/ccompat/v7" {
		t.Errorf("provider schemaRegistry.url = %q", got)
	}
	sch := rec.reg["marketbus:index:Schema::fx-stream-global-value"].Inputs
	if !strings.Contains(sch["schema"].StringValue(), `"name": "FxTick"`) {
		t.Errorf("fx-stream-global-value schema = %.80s..., want schemas/fx_tick.avsc", sch["schema"].StringValue())
	}
	if lvl := rec.reg["marketbus:index:SubjectConfig::fx-stream-global-value"].Inputs["compatibility"].StringValue(); lvl != "BACKWARD" {
		t.Errorf("compatibility = %q, want BACKWARD by default", lvl)
	}
	gate := rec.reg["marketbus:index:LatencyGate::latency-gate"]
	for k, w := range map[string]float64{"maxAvgLatencyMs": 50, "maxP99LatencyMs": 100, "minThroughputMsgPerSec": 19000, "rate": 20000, "lingerMs": 10} {
		if got := gate.Inputs[resource.PropertyKey(k)].NumberValue(); got != w {
			t.Errorf("gate %s = %g, want %g", k, got, w)
		}
	}
	if !containsAll(gate.RegisterRPC.GetDependencies(), "Schema::fx-stream-global-value", "Topic::market-telemetry") {
		t.Errorf("gate dependencies = %v, want the topics and schemas", gate.RegisterRPC.GetDependencies())
	}
}

func TestProgramSASLPasswordStaysSecret(t *testing.T) {
	cfg := localConfig()
	cfg[KeyCluster] = `{"sasl":{"mechanism":"SCRAM-SHA-512","username":"bus"}}`
	cfg[KeySASLPassword] = "hunter2"
	rec, err := runProgram(t, "local", cfg)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	sasl := rec.reg["pulumi:providers:marketbus::marketbus"].Inputs["sasl"]
	if !sasl.IsObject() {
		t.Fatalf("provider sasl = %v", sasl)
	}
	pw := sasl.ObjectValue()["password"]
	if !pw.IsSecret() {
		t.Errorf("sasl.password must reach the provider as a secret, got %v", pw)
	}
}

func TestProgramBadConfigRegistersNothing(t *testing.T) {
	cfg := localConfig()
	cfg[KeyTopics] = `[{"name":"market-telemetry","partitions":12,"replicationFactor":1},{"name":"market-telemetry","partitions":0,"replicationFactor":3}]`
	rec, err := runProgram(t, "local", cfg)
	if err == nil {
		t.Fatal("program accepted bad config")
	}
	if !strings.Contains(err.Error(), "partitions = 0") || !strings.Contains(err.Error(), "duplicates") {
		t.Errorf("error does not name the problems: %v", err)
	}
	if len(rec.reg) != 0 {
		t.Errorf("resources were registered despite bad config: %v", keys(rec.reg))
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestProgramDevCreatesDockerClusterAndPointsProviderAtIt(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:grafanaAdminPassword"]`)
	rec, err := runProgram(t, "dev", map[string]string{
		KeyTopics:               `[{"name":"market-telemetry","partitions":12,"replicationFactor":3,"config":{"retention.ms":"604800000","cleanup.policy":"delete"}}]`,
		KeyGrafanaAdminPassword: "admin-pw",
	})
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	if _, ok := rec.reg["marketbus:cluster:RedpandaCluster::redpanda"]; !ok {
		t.Fatalf("no RedpandaCluster component; got %v", keys(rec.reg))
	}
	containers, volumes := 0, 0
	for k, r := range rec.reg {
		switch r.TypeToken {
		case "docker:index/container:Container":
			containers++
			if img := r.Inputs["image"]; !img.IsString() && !img.IsComputed() && !img.IsOutput() {
				t.Errorf("%s image = %v", k, img)
			}
		case "docker:index/volume:Volume":
			volumes++
		}
	}
	if containers != 5 || volumes != 3 {
		t.Errorf("dev stack: %d containers and %d volumes, want 3 brokers + Prometheus + Grafana and 3 volumes", containers, volumes)
	}
	var servers []string
	for _, v := range rec.reg["pulumi:providers:marketbus::marketbus"].Inputs["bootstrapServers"].ArrayValue() {
		servers = append(servers, v.StringValue())
	}
	if got := strings.Join(servers, ","); got != "localhost:19092,localhost:29092,localhost:39092" {
		t.Errorf("provider bootstrapServers = %q, want the brokers' host listeners", got)
	}
	health, ok := rec.reg["marketbus:index:ClusterHealth::cluster-health"]
	if !ok {
		t.Fatal("no ClusterHealth: topics would be created before the brokers report healthy")
	}
	if n := health.Inputs["expectedBrokers"].NumberValue(); n != 3 || health.Inputs["cpuCores"].NumberValue() != 1 {
		t.Errorf("cluster health inputs = %v", health.Inputs)
	}
	if urls := health.Inputs["adminUrls"].ArrayValue(); len(urls) != 3 || !strings.Contains(urls[0].StringValue(), ":19644") {
		t.Errorf("admin URLs = %v, want the brokers' admin APIs as the host sees them", urls)
	}
	topicDeps := rec.reg["marketbus:index:Topic::market-telemetry"].RegisterRPC.GetDependencies()
	if !containsAll(topicDeps, "ClusterHealth::cluster-health") {
		t.Errorf("topic dependencies = %v, want the cluster health check", topicDeps)
	}
}

func TestLoadRejectsBadDockerCluster(t *testing.T) {
	cases := []struct {
		name    string
		cluster string
		keys    []string
		want    []string
	}{
		{"memory below 2 GiB per core", `{"memory":"1Gi"}`, k("cluster.memory"), []string{"market-bus:cluster.memory", "2 GiB per core"}},
		{"unreadable memory", `{"memory":"lots"}`, k("cluster.memory"), []string{"market-bus:cluster.memory", `"lots"`, "2Gi"}},
		{"latest image", `{"image":"redpandadata/redpanda:latest"}`, k("cluster.image"), []string{"market-bus:cluster.image", "latest"}},
		{"untagged image", `{"image":"redpandadata/redpanda"}`, k("cluster.image"), []string{"market-bus:cluster.image"}},
		{"zero cores", `{"cpuCores":0}`, k("cluster.cpuCores"), []string{"market-bus:cluster.cpuCores"}},
		{"a LAN host without SASL", `{"externalHost":"bus.lan"}`, k("cluster.externalHost"), []string{"market-bus:cluster.externalHost", `"bus.lan"`, "all interfaces", "127.0.0.1"}},
		{"SASL without its password", `{"externalHost":"bus.lan","sasl":{"mechanism":"SCRAM-SHA-512","username":"admin"}}`, k(KeySASLPassword), []string{"market-bus:saslPassword", "config set --secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("dev", MapSource{KeyCluster: tc.cluster, KeyGrafanaAdminPassword: "pw"})
			if err == nil {
				t.Fatal("accepted")
			}
			wantKeys(t, err, tc.keys...)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not mention %q", err, w)
				}
			}
		})
	}
}

func containsAll(urns []string, parts ...string) bool {
	for _, p := range parts {
		found := false
		for _, u := range urns {
			found = found || strings.Contains(u, p)
		}
		if !found {
			return false
		}
	}
	return true
}
