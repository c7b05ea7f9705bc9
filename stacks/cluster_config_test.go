package stacks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

const clusterConfigKey = "marketbus:index:ClusterConfig::cluster-config"

// clusterConfigOf returns the registered ClusterConfig's inputs, nil when none was registered.
func clusterConfigOf(t *testing.T, rec *recorder) resource.PropertyMap {
	t.Helper()
	r, ok := rec.reg[clusterConfigKey]
	if !ok {
		return nil
	}
	return r.Inputs
}

func propsOf(in resource.PropertyMap) map[string]string {
	out := map[string]string{}
	for k, v := range in["properties"].ObjectValue() {
		out[string(k)] = v.StringValue()
	}
	return out
}

// TestProgramClusterConfig: which ClusterConfig each kind of stack registers, through which
// API and with which properties; a declared property wins over the component's.
func TestProgramClusterConfig(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:grafanaAdminPassword","market-bus:saslPassword","market-bus:grafanaToken"]`)
	dev := func(extra map[string]string) map[string]string {
		m := map[string]string{KeyGrafanaAdminPassword: "pw"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	prodAdmin := prodSource(`{"externalDomain":"bus.example.com","listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]},"admin":{"exposure":"external","sourceRanges":["10.30.0.0/24"]}}}`)
	prodAdmin[KeyClusterConfig] = `{"enable_consumer_group_metrics":["group","partition","consumer_lag"]}`
	cases := []struct {
		name      string
		stack     string
		cfg       map[string]string
		wantNone  bool
		api       string
		props     map[string]string
		adminPath string
	}{
		{"dev: the component's properties through the published admin API", "dev", dev(nil), false, "redpanda-admin",
			map[string]string{"enable_consumer_group_metrics": `["group","partition","consumer_lag"]`, "default_topic_replications": "3",
				"consumer_group_lag_collection_interval_sec": "60"}, "publishes on the host"},
		{"dev: declared properties win", "dev", dev(map[string]string{KeyClusterConfig: `{"default_topic_replications":1,"log_retention_ms":3600000}`}),
			false, "redpanda-admin", map[string]string{"default_topic_replications": "1", "log_retention_ms": "3600000"}, ""},
		{"local: nothing declared, nothing owned", "local", localConfig(), true, "", nil, ""},
		{"local: Kafka's cluster-wide broker config", "local",
			with(MapSource(localConfig()), KeyClusterConfig, `{"message.max.bytes":2097152,"log.cleaner.threads":"2","sasl.enabled.mechanisms":["SCRAM-SHA-512","PLAIN"]}`),
			false, "kafka", map[string]string{"message.max.bytes": "2097152", "log.cleaner.threads": "2", "sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN"}, ""},
		{"prod with an internal admin API: warned, not owned", "prod", prodSource(`{"externalDomain":"bus.example.com"}`), true, "", nil, ""},
		{"prod through the external admin listener", "prod", prodAdmin, false, "redpanda-admin",
			map[string]string{"enable_consumer_group_metrics": `["group","partition","consumer_lag"]`, "storage_min_free_bytes": "2684354560"},
			"external admin listener"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := runProgram(t, tc.stack, tc.cfg)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			in := clusterConfigOf(t, rec)
			if tc.wantNone {
				if in != nil {
					t.Fatalf("a ClusterConfig was registered: %v", in)
				}
				return
			}
			if in == nil {
				t.Fatalf("no ClusterConfig registered; got %v", keys(rec.reg))
			}
			if got := in["api"].StringValue(); got != tc.api {
				t.Errorf("api = %q, want %q", got, tc.api)
			}
			got := propsOf(in)
			for k, want := range tc.props {
				if got[k] != want {
					t.Errorf("properties[%s] = %q, want %q (all: %v)", k, got[k], want, got)
				}
			}
			if tc.api == "redpanda-admin" {
				if !strings.Contains(in["adminPath"].StringValue(), tc.adminPath) {
					t.Errorf("adminPath = %q, want it to name %q", in["adminPath"].StringValue(), tc.adminPath)
				}
				deps := rec.reg[clusterConfigKey].RegisterRPC.GetDependencies()
				if !containsAll(deps, "ClusterHealth::cluster-health") {
					t.Errorf("ClusterConfig dependencies = %v, want the cluster health check", deps)
				}
			}
		})
	}
}

// TestLoadRejectsBadClusterConfig: each refusal names market-bus:clusterConfig, the value
// and the fix, before anything is registered.
func TestLoadRejectsBadClusterConfig(t *testing.T) {
	cases := []struct {
		name  string
		stack string
		src   MapSource
		keys  []string
		want  []string
	}{
		{"internal admin API on kubernetes", "prod", with(prodSource(`{"externalDomain":"bus.example.com"}`), KeyClusterConfig, `{"log_retention_ms":1}`),
			k(KeyClusterConfig), []string{"market-bus:cluster.listeners.admin.exposure", "exposure: external, sourceRanges"}},
		{"null value", "local", with(MapSource(localConfig()), KeyClusterConfig, `{"message.max.bytes":null}`),
			k(KeyClusterConfig + ".message.max.bytes"), []string{"market-bus:clusterConfig.message.max.bytes = null", "remove the key"}},
		{"object value for Kafka", "local", with(MapSource(localConfig()), KeyClusterConfig, `{"message.max.bytes":{"a":1}}`),
			k(KeyClusterConfig + ".message.max.bytes"), []string{"an object", "Kafka broker configs are strings"}},
		{"not an object", "local", with(MapSource(localConfig()), KeyClusterConfig, `["message.max.bytes"]`),
			k(KeyClusterConfig), []string{"market-bus:clusterConfig = [", "object of property to value"}},
		{"bad name", "local", with(MapSource(localConfig()), KeyClusterConfig, `{"message max bytes":"1"}`),
			k(KeyClusterConfig + ".message max bytes"), []string{`"message max bytes" is not a property name`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.stack, tc.src)
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

// TestShippedStacksEnableConsumerGroupMetrics: the dev and prod stack files declare the
// consumer-group metrics the Consumer Lag dashboard needs, and their program hands them to a
// ClusterConfig (not to .bootstrap.yaml, which a formed cluster never reads again).
func TestShippedStacksEnableConsumerGroupMetrics(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:grafanaAdminPassword","market-bus:saslPassword","market-bus:grafanaToken"]`)
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			src, err := StackFileSource("..", filepath.Join("..", "Pulumi."+stack+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(src[KeyClusterConfig], "consumer_lag") {
				t.Fatalf("Pulumi.%s.yaml declares no enable_consumer_group_metrics in %s:%s: %q", stack, Project, KeyClusterConfig, src[KeyClusterConfig])
			}
			src[KeySASLPassword], src[KeyGrafanaToken], src[KeyGrafanaAdminPassword] = "s3cret", "glsa_token", "pw"
			rec, err := runProgram(t, stack, src)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			in := clusterConfigOf(t, rec)
			if in == nil {
				t.Fatalf("no ClusterConfig on the shipped %s stack", stack)
			}
			if got := propsOf(in)["enable_consumer_group_metrics"]; got != `["group","partition","consumer_lag"]` {
				t.Errorf("enable_consumer_group_metrics = %q", got)
			}
			for _, r := range rec.reg {
				if r.TypeToken != "marketbus:index:ClusterConfig" && strings.Contains(resource.NewObjectProperty(r.Inputs).String(), "enable_consumer_group_metrics:") {
					t.Errorf("%s %s still renders enable_consumer_group_metrics into a bootstrap file", r.TypeToken, r.Name)
				}
			}
		})
	}
}

// TestRackSettings: the shipped prod stack tells Redpanda each broker's zone and turns rack
// awareness on through its ClusterConfig; a Docker rack list of the wrong length is refused
// naming market-bus:cluster.racks.
func TestRackSettings(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	src, err := StackFileSource("..", filepath.Join("..", "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src[KeySASLPassword], src[KeyGrafanaToken] = "s3cret", "glsa_token"
	rec, err := runProgram(t, "prod", src)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	if got := propsOf(clusterConfigOf(t, rec))["enable_rack_awareness"]; got != "true" {
		t.Errorf("prod enable_rack_awareness = %q, want true", got)
	}
	sts := findType(rec, "kubernetes:apps/v1:StatefulSet")
	if len(sts) != 1 || !strings.Contains(resource.NewObjectProperty(sts[0].Inputs).String(), "REDPANDA_RACK") {
		t.Errorf("the prod brokers are not given their zone as REDPANDA_RACK")
	}
	_, err = Load("dev", MapSource{KeyCluster: `{"mode":"docker","racks":["a","b"]}`, KeyGrafanaAdminPassword: "pw"})
	wantKeys(t, err, Key("cluster.racks"))
	if err == nil || !strings.Contains(err.Error(), "2 racks for 3 brokers") {
		t.Errorf("Load with 2 racks for 3 brokers = %v", err)
	}
}
