package stacks

import (
	"strings"
	"testing"
)

// TestProgramKubernetesOnlyStopsAfterTheKubernetesLayer: with cluster.kubernetesOnly the prod
// program registers the node pool and the cluster's Kubernetes objects, and nothing that
// would dial the brokers: no marketbus provider, ClusterHealth, topic, schema, gate or
// monitoring (whose Grafana provider could not be had either), and no BrokerSet even when the
// admin API is published (its provider would call the admin API).
func TestProgramKubernetesOnlyStopsAfterTheKubernetesLayer(t *testing.T) {
	for name, cluster := range map[string]string{
		"internal admin API": `{"externalDomain":"bus.example.test","kubernetesOnly":true}`,
		"published admin API": `{"externalDomain":"bus.example.test","kubernetesOnly":true,"listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]},` +
			`"admin":{"exposure":"external","sourceRanges":["10.30.0.0/24"]}}}`,
	} {
		t.Run(name, func(t *testing.T) { kubernetesOnlyCase(t, cluster) })
	}
}

func kubernetesOnlyCase(t *testing.T, cluster string) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	rec, err := runProgram(t, "prod", prodSource(cluster))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	types := map[string]bool{}
	for _, r := range rec.reg {
		types[r.TypeToken] = true
		if strings.HasPrefix(r.TypeToken, "marketbus:index:") || strings.HasPrefix(r.TypeToken, "grafana:") ||
			strings.HasPrefix(r.TypeToken, "pulumi:providers:marketbus") || strings.HasPrefix(r.TypeToken, "pulumi:providers:grafana") ||
			strings.HasPrefix(r.TypeToken, "marketbus:monitoring:") {
			t.Errorf("kubernetesOnly registered %s %s, which needs the brokers or Grafana", r.TypeToken, r.Name)
		}
	}
	for _, want := range []string{"marketbus:cluster:NodePool", "marketbus:cluster:RedpandaCluster", "kubernetes:apps/v1:StatefulSet",
		"kubernetes:core/v1:Namespace", "kubernetes:cert-manager.io/v1:Certificate"} {
		if !types[want] {
			t.Errorf("kubernetesOnly did not register a %s; types: %v", want, keys(types))
		}
	}
}

// TestLoadRefusesKubernetesOnlyOutsideKubernetes: the option names its key and the mode.
func TestLoadRefusesKubernetesOnlyOutsideKubernetes(t *testing.T) {
	cases := []struct {
		name, cluster string
	}{
		{"external", `{"mode":"external","bootstrapServers":["127.0.0.1:19092"],"kubernetesOnly":true}`},
		{"docker", `{"mode":"docker","image":"redpandadata/redpanda:v25.2.1","cpuCores":1,"memory":"2Gi","kubernetesOnly":true}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("local", MapSource{KeyCluster: tc.cluster, KeyMonitoring: `{"enabled":false}`})
			wantKeys(t, err, Key("cluster.kubernetesOnly"))
			if err == nil || !strings.Contains(err.Error(), "market-bus:cluster.kubernetesOnly = true") ||
				!strings.Contains(err.Error(), `"`+tc.name+`"`) {
				t.Errorf("Load: %v, want a refusal naming market-bus:cluster.kubernetesOnly and mode %q", err, tc.name)
			}
		})
	}
}
