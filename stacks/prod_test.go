package stacks

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// prodSource is a complete prod config around the given cluster object. Unless the object
// names its own listeners, Kafka is published to one private network, which production
// requires of every external listener.
func prodSource(cluster string) MapSource {
	if !strings.Contains(cluster, `"listeners"`) {
		cluster = strings.Replace(cluster, "{", `{"listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]}},`, 1)
		cluster = strings.Replace(cluster, ",}", "}", 1)
	}
	return MapSource{KeyCluster: cluster, KeySASLPassword: "s3cret", KeyGrafanaToken: "glsa_token",
		KeyMonitoring: `{"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"]}`}
}

// TestLoadRejectsBadProd: each production rule fails before anything is registered, naming
// the stack key to change.
func TestLoadRejectsBadProd(t *testing.T) {
	cases := []struct {
		name string
		src  MapSource
		keys []string
		want []string
	}{
		{"no external domain", prodSource(`{}`), k("cluster.externalDomain", "cluster.listeners.kafka.sourceRanges"), []string{`market-bus:cluster.externalDomain = ""`, "bus.example.com"}},
		{"no superuser password", without(prodSource(`{"externalDomain":"b.example.com"}`), KeySASLPassword), k(KeySASLPassword), []string{"market-bus:saslPassword = <unset>", "busctl config set --secret saslPassword"}},
		{"storage below 50 GiB", prodSource(`{"externalDomain":"b.example.com","storageSize":"20Gi"}`), k("cluster.storageSize"), []string{"market-bus:cluster.storageSize", "50"}},
		{"one broker on prod", prodSource(`{"externalDomain":"b.example.com","brokers":1}`), k("cluster.brokers", "topics[0].replicationFactor", "topics[1].replicationFactor"), []string{"market-bus:cluster.brokers", "at least 3 brokers"}},
		{"tls off without override", prodSource(`{"externalDomain":"b.example.com","tls":false}`), k("cluster.tls"), []string{"plaintext", "allowPlaintext"}},
		{"unpinned image", prodSource(`{"externalDomain":"b.example.com","image":"redpandadata/redpanda:latest"}`), k("cluster.image"), []string{"market-bus:cluster.image", "latest"}},
		{"memory below 2 GiB per core", prodSource(`{"externalDomain":"b.example.com","cpuCores":2,"memory":"3Gi"}`), k("cluster.memory"), []string{"market-bus:cluster.memory", "2 GiB per core"}},
		{"no certificate source", prodSource(`{"externalDomain":"b.example.com","certIssuer":""}`), k("cluster.certIssuer"), []string{"market-bus:cluster.certIssuer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("prod", tc.src)
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

// TestProgramProd runs the prod program under mocks: node pool, StatefulSet on it, TLS and
// SASL for the provider with the password kept secret, protected topics, the seed's gate.
func TestProgramProd(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	src := prodSource(`{"externalDomain":"bus.example.com"}`)
	src[KeyMonitoring] = `{"prometheusOperator":true,"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"]}`
	rec, err := runProgram(t, "prod", src)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	byType := map[string][]string{}
	for k, r := range rec.reg {
		byType[r.TypeToken] = append(byType[r.TypeToken], k)
	}
	for _, typ := range []string{"marketbus:cluster:NodePool", "marketbus:cluster:RedpandaCluster", "kubernetes:apps/v1:StatefulSet",
		"kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:core/v1:Secret", "kubernetes:networking.k8s.io/v1:NetworkPolicy"} {
		if len(byType[typ]) == 0 {
			t.Errorf("no %s registered; types: %v", typ, keys(byType))
		}
	}
	sts := rec.reg[byType["kubernetes:apps/v1:StatefulSet"][0]].Inputs
	pod := sts["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()
	if sel := pod["nodeSelector"].ObjectValue()["marketbus.io/pool"]; sel.StringValue() != "redpanda" {
		t.Errorf("brokers' nodeSelector = %v, want the node pool's label", pod["nodeSelector"])
	}
	prov := rec.reg["pulumi:providers:marketbus::marketbus"].Inputs
	if !prov["tls"].ObjectValue()["enabled"].BoolValue() {
		t.Error("prod provider must dial with TLS")
	}
	if pw := prov["sasl"].ObjectValue()["password"]; !pw.IsSecret() {
		t.Errorf("prod provider SASL password = %v, want a secret", pw)
	}
	for _, r := range rec.reg {
		// The gate's topic holds only benchmark records and is deleted with the stack.
		if r.TypeToken == "marketbus:index:Topic" && r.Name != "gate-topic" && !r.Inputs["deletionProtection"].BoolValue() {
			t.Errorf("prod topic %s is not protected from deletion", r.Name)
		}
	}
	sm, ok := rec.reg["kubernetes:monitoring.coreos.com/v1:ServiceMonitor::monitoring-servicemonitor"]
	if !ok {
		t.Errorf("no ServiceMonitor although prod runs the Prometheus operator; registered %v", keys(rec.reg))
	} else if !strings.Contains(resource.NewObjectProperty(sm.Inputs).String(), "/public_metrics") {
		t.Errorf("ServiceMonitor does not scrape /public_metrics: %v", sm.Inputs)
	}
	if auth := rec.reg["pulumi:providers:grafana::monitoring-grafana-provider"].Inputs["auth"]; !auth.IsSecret() {
		t.Errorf("the Grafana token reaches the provider as %v, want a secret", auth)
	}
	if n := len(findType(rec, "grafana:oss/dashboard:Dashboard")); n != 3 {
		t.Errorf("%d dashboards on prod, want 3", n)
	}
	gate := rec.reg["marketbus:index:LatencyGate::latency-gate"].Inputs
	if gate["minThroughputMsgPerSec"].NumberValue() != 100000 || gate["maxP99LatencyMs"].NumberValue() != 100 || gate["maxAvgLatencyMs"].NumberValue() != 50 {
		t.Errorf("prod gate thresholds = %v", gate)
	}
}

func without(m MapSource, key string) MapSource {
	out := MapSource{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func with(m MapSource, key, value string) MapSource {
	out := without(m, key)
	out[key] = value
	return out
}
