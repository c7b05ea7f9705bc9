package stacks

import (
	"errors"
	"github.com/marketbus/market-bus/components/cluster"
	"strings"
	"testing"
)

const goodTopic = `{"name":"market-telemetry","partitions":12,"replicationFactor":3,"config":{"retention.ms":"604800000","cleanup.policy":"delete"}}`

func TestLoadLocalDefaults(t *testing.T) {
	spec, err := Load("local", MapSource{KeyTopics: "[" + goodTopic + "]"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if spec.Cluster.Mode != ModeExternal || spec.Cluster.Brokers != 3 {
		t.Errorf("cluster = %+v, want external with 3 brokers", spec.Cluster)
	}
	if got := strings.Join(spec.Cluster.BootstrapServers, ","); got != "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092" {
		t.Errorf("bootstrap = %s", got)
	}
	if len(spec.Topics) != 1 || spec.Topics[0].Config["retention.ms"] != "604800000" || !spec.Topics[0].Protected() {
		t.Errorf("topics = %+v", spec.Topics)
	}
	if spec.Gate.MaxAvgLatencyMs != 50 || spec.Gate.MaxP99LatencyMs != 100 || !spec.Gate.IsEnabled() {
		t.Errorf("gate = %+v, want the seed's latency SLO", spec.Gate)
	}
	if spec.Gate.MinThroughputMsgPerSec < 0.9*float64(spec.Gate.Rate) {
		t.Errorf("local gate asks for %g msg/s of %d offered: it must check the load it offers", spec.Gate.MinThroughputMsgPerSec, spec.Gate.Rate)
	}
	if len(spec.Schemas) != 2 || spec.Schemas[1].text == "" {
		t.Errorf("default schemas = %+v, want both subjects with their files read", spec.Schemas)
	}
}

func TestLoadStackDefaults(t *testing.T) {
	for stack, mode := range map[string]cluster.Mode{"dev": ModeDocker, "prod": ModeKubernetes, "local": ModeExternal} {
		src := MapSource{}
		if stack == "dev" {
			src = MapSource{KeyGrafanaAdminPassword: "admin-pw"}
		}
		if stack == "prod" {
			// What prod cannot default: where clients find it, and the superuser's secret.
			src = prodSource(`{"externalDomain":"bus.example.com"}`)
		}
		spec, err := Load(stack, src)
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		if spec.Cluster.Mode != mode {
			t.Errorf("%s: mode %q, want %q", stack, spec.Cluster.Mode, mode)
		}
	}
	prod, _ := DefaultTable().clusterFor("prod", "")
	if !prod.TLSOn() {
		t.Error("prod must default to TLS")
	}
	gate := DefaultTable().gateFor("prod")
	if gate.MinThroughputMsgPerSec != 100000 || gate.MaxAvgLatencyMs != 50 || gate.MaxP99LatencyMs != 100 || gate.Rate < 100000 {
		t.Errorf("prod gate = %+v, want the seed's SLO and load", gate)
	}
}

func TestLoadFieldOverridesKeepOtherDefaults(t *testing.T) {
	spec, err := Load("local", MapSource{KeyCluster: `{"brokers":5}`, KeyGate: `{"maxP99LatencyMs":80}`})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Cluster.Brokers != 5 || spec.Cluster.Mode != ModeExternal || len(spec.Cluster.BootstrapServers) != 3 {
		t.Errorf("cluster = %+v", spec.Cluster)
	}
	if spec.Gate.MaxP99LatencyMs != 80 || spec.Gate.MaxAvgLatencyMs != 50 {
		t.Errorf("gate = %+v", spec.Gate)
	}
}

// TestLoadRejectsBadInput: each bad input fails with a message naming the key, the bad value
// and the fix.
func TestLoadRejectsBadInput(t *testing.T) {
	cases := []struct {
		name  string
		stack string
		src   MapSource
		keys  []string
		want  []string
	}{
		{"unknown cluster mode", "local", MapSource{KeyCluster: `{"mode":"swarm"}`},
			k("cluster.mode"), []string{"market-bus:cluster.mode", `"swarm"`, "use docker, kubernetes or external"}},
		{"zero brokers", "local", MapSource{KeyCluster: `{"brokers":0}`},
			k("cluster.brokers"), []string{"market-bus:cluster.brokers = 0", "at least 1 broker"}},
		{"empty bootstrap list in external mode", "local", MapSource{KeyCluster: `{"bootstrapServers":[]}`},
			k("cluster.bootstrapServers"), []string{"market-bus:cluster.bootstrapServers = []", "the provider needs the cluster's Kafka addresses"}},
		{"bootstrap entry without a port", "local", MapSource{KeyCluster: `{"bootstrapServers":["localhost"]}`},
			k("cluster.bootstrapServers[0]"), []string{"market-bus:cluster.bootstrapServers[0]", `"localhost"`, "host:port"}},
		{"bootstrap port out of range", "local", MapSource{KeyCluster: `{"bootstrapServers":["h:99999"]}`},
			k("cluster.bootstrapServers[0]"), []string{"bootstrapServers[0]", `"99999"`, "1 to 65535"}},
		{"misspelt topic field", "local", MapSource{KeyTopics: `[{"name":"t","partitons":3,"replicationFactor":1}]`},
			k("topics"), []string{"market-bus:topics", `unknown field "partitons"`, "spelling"}},
		{"topics not a list", "local", MapSource{KeyTopics: `"market-telemetry"`},
			k("topics"), []string{"market-bus:topics", "cannot be read", "a list of topics"}},
		{"wrong value type", "local", MapSource{KeyCluster: `{"brokers":"three"}`},
			k("cluster.brokers"), []string{"market-bus:cluster.brokers", "string", "int"}},
		{"negative p99 threshold", "local", MapSource{KeyGate: `{"maxP99LatencyMs":-1}`},
			k("gate.maxP99LatencyMs"), []string{"market-bus:gate.maxP99LatencyMs = -1", "must be positive"}},
		{"negative throughput threshold", "local", MapSource{KeyGate: `{"minThroughputMsgPerSec":-5}`},
			k("gate.minThroughputMsgPerSec"), []string{"gate.minThroughputMsgPerSec = -5", "must be positive"}},
		{"average above p99", "local", MapSource{KeyGate: `{"maxAvgLatencyMs":120,"maxP99LatencyMs":100}`},
			k("gate.maxAvgLatencyMs"), []string{"gate.maxAvgLatencyMs = 120", "above maxP99LatencyMs = 100"}},
		{"unknown SASL mechanism", "local", MapSource{KeyCluster: `{"sasl":{"mechanism":"GSSAPI","username":"u"}}`},
			k("cluster.sasl.mechanism", KeySASLPassword), []string{"cluster.sasl.mechanism", `"GSSAPI"`, "SCRAM-SHA-256"}},
		{"unreadable CA file", "local", MapSource{KeyCluster: `{"caCertFile":"no/such/ca.pem"}`},
			k("cluster.caCertFile"), []string{`"no/such/ca.pem"`, "cannot be read", "relative to the folder of Pulumi.yaml"}},
		{"unknown stack without config", "staging", MapSource{},
			k("cluster"), []string{`stack "staging"`, "not one of dev, prod, local", "create Pulumi.staging.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.stack, tc.src)
			if err == nil {
				t.Fatal("Load accepted bad input")
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

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load("local", MapSource{
		KeyCluster: `{"mode":"swarm"}`,
		KeyTopics:  `[{"name":"","partitions":0,"replicationFactor":3}]`,
	})
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want *ConfigError, got %T %v", err, err)
	}
	wantKeys(t, err, k("cluster.mode", "topics[0].name", "topics[0].partitions")...)
	if len(ce.Problems) != 3 {
		t.Errorf("want 3 problems (mode, name, partitions), got %d: %v", len(ce.Problems), ce)
	}
	if !strings.Contains(err.Error(), "nothing was created") {
		t.Errorf("error should say nothing was created: %v", err)
	}
}
