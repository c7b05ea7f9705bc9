package stacks

import (
	"strings"
	"testing"
)

// TestProgramKubernetesOnlyStopsAfterTheKubernetesLayer: with cluster.kubernetesOnly the prod
// program registers the node pool and the cluster's Kubernetes objects, and nothing that
// would dial the brokers: no marketbus provider, ClusterHealth, topic, schema, gate or
// monitoring (whose Grafana provider could not be had either).
func TestProgramKubernetesOnlyStopsAfterTheKubernetesLayer(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	src := prodSource(`{"externalDomain":"bus.example.test","kubernetesOnly":true}`)
	rec, err := runProgram(t, "prod", src)
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
		{"docker", `{"mode":"docker","kubernetesOnly":true}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("local", MapSource{KeyCluster: tc.cluster, KeyMonitoring: `{"enabled":false}`})
			if err == nil || !strings.Contains(err.Error(), "market-bus:cluster.kubernetesOnly = true") ||
				!strings.Contains(err.Error(), `"`+tc.name+`"`) {
				t.Errorf("Load: %v, want a refusal naming market-bus:cluster.kubernetesOnly and mode %q", err, tc.name)
			}
		})
	}
}
