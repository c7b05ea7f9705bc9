package cluster

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// testPassword is the superuser password of the prod-like tests.
const testPassword = "not-a-real-password-0001"

// prodArgs is the prod stack's shape: 3 Kubernetes brokers on a dedicated,
// tainted node pool, 1 core and 3 GiB each, 50Gi gp3 volumes, TLS from a
// cert-manager ClusterIssuer, SASL, Kafka published on NodePorts to
// 10.20.0.0/16, every other API inside the cluster only.
func prodArgs() Args {
	return Args{
		Config: Config{
			Mode:           ModeKubernetes,
			Brokers:        3,
			Image:          "redpandadata/redpanda:v25.2.1",
			CPUCores:       1,
			Memory:         MustQuantity("3Gi"),
			SASL:           &SASLConfig{},
			Listeners:      ListenersArgs{Kafka: ListenerArgs{SourceRanges: []string{"10.20.0.0/16"}}},
			Namespace:      "marketbus",
			ExternalDomain: "bus.example.com",
			StorageClass:   "gp3",
			CertIssuer:     "marketbus-ca",
		},
		SuperuserPassword:         pulumi.String(testPassword),
		Production:                true,
		MaxTopicReplicationFactor: 3,
		Kubernetes: KubernetesArgs{
			NodeSelector: map[string]string{"marketbus.io/pool": "redpanda"},
			Tolerations:  []Toleration{{Key: "dedicated", Operator: "Equal", Value: "redpanda", Effect: "NoSchedule"}},
		},
	}
}

// deployProd runs args as stack "prod" and fails the test on error.
func deployProd(t *testing.T, args Args) (*recordingMocks, clusterOutputs) {
	t.Helper()
	m, out, err := deployStack(t, "prod", args)
	if err != nil {
		t.Fatal(err)
	}
	return m, out
}

// mustGet finds a recorded resource by logical name or fails.
func mustGet(t *testing.T, m *recordingMocks, name string) recorded {
	t.Helper()
	r, ok := m.byName(name)
	if !ok {
		t.Fatalf("resource %s was not registered", name)
	}
	return r
}

// dig walks nested maps and lists of recorded inputs: keys for maps,
// ints for lists.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("dig %v: %T is not a map at %q", path, v, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("dig %v: %T has no element %d", path, v, k)
			}
			v = l[k]
		}
	}
	return v
}

// renderedProd renders the prod args' brokers, as the component does.
func renderedProd(t *testing.T) []BrokerConfig {
	t.Helper()
	brokers, err := RenderCluster(prodArgs().withDefaults().Topology())
	if err != nil {
		t.Fatal(err)
	}
	return brokers
}
