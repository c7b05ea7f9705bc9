package cluster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// clusterOutputs are the resolved component outputs.
type clusterOutputs struct {
	InternalBootstrapServers, ExternalBootstrapServers     []string
	InternalBootstrap, ExternalBootstrap                   string
	SchemaRegistryInternalURLs, SchemaRegistryExternalURLs []string
	AdminInternalURLs, AdminExternalURLs                   []string
	MetricsTargets, ExternalMetricsTargets                 []string
	MetricsPath, RpkProfile, NetworkName                   string
	PodTemplateHash                                        string
}

// deploy runs the component under mocks as stack "dev" of "market-bus",
// plus a consumer resource that takes the external bootstrap servers, the
// way the topic provider will.
func deploy(t *testing.T, args Args) (*recordingMocks, clusterOutputs, error) {
	t.Helper()
	return deployStack(t, "dev", args)
}

// deployStack is deploy for any stack name.
func deployStack(t *testing.T, stack string, args Args) (*recordingMocks, clusterOutputs, error) {
	t.Helper()
	m := &recordingMocks{}
	var out clusterOutputs
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		c, err := NewRedpandaCluster(ctx, "bus", &args)
		if err != nil {
			return err
		}
		var consumer pulumi.CustomResourceState
		if err := ctx.RegisterResource("test:index:Consumer", "consumer",
			pulumi.Map{"brokers": c.ExternalBootstrap}, &consumer); err != nil {
			return err
		}
		pulumi.All(c.InternalBootstrapServers, c.ExternalBootstrapServers, c.InternalBootstrap, c.ExternalBootstrap,
			c.SchemaRegistryInternalURLs, c.SchemaRegistryExternalURLs, c.AdminInternalURLs, c.AdminExternalURLs,
			c.MetricsTargets, c.ExternalMetricsTargets, c.MetricsPath, c.RpkProfile, c.NetworkName, c.PodTemplateHash,
		).ApplyT(func(v []any) error {
			out = clusterOutputs{
				v[0].([]string), v[1].([]string), v[2].(string), v[3].(string),
				v[4].([]string), v[5].([]string), v[6].([]string), v[7].([]string),
				v[8].([]string), v[9].([]string), v[10].(string), v[11].(string), v[12].(string), v[13].(string),
			}
			return nil
		})
		return nil
	}, pulumi.WithMocks("market-bus", stack, m))
	return m, out, err
}

func TestDockerOutputs(t *testing.T) {
	m, out, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	want := clusterOutputs{
		InternalBootstrapServers:   []string{"redpanda-0:9092", "redpanda-1:9092", "redpanda-2:9092"},
		ExternalBootstrapServers:   []string{"localhost:19092", "localhost:29092", "localhost:39092"},
		InternalBootstrap:          "redpanda-0:9092,redpanda-1:9092,redpanda-2:9092",
		ExternalBootstrap:          "localhost:19092,localhost:29092,localhost:39092",
		SchemaRegistryInternalURLs: []string{"http://redpanda-0:8081", "http://redpanda-1:8081", "http://redpanda-2:8081"},
		SchemaRegistryExternalURLs: []string{"http://localhost:18081", "http://localhost:28081", "http://localhost:38081"},
		AdminInternalURLs:          []string{"http://redpanda-0:9644", "http://redpanda-1:9644", "http://redpanda-2:9644"},
		AdminExternalURLs:          []string{"http://localhost:19644", "http://localhost:29644", "http://localhost:39644"},
		MetricsTargets:             []string{"redpanda-0:9644", "redpanda-1:9644", "redpanda-2:9644"},
		ExternalMetricsTargets:     []string{"localhost:19644", "localhost:29644", "localhost:39644"},
		MetricsPath:                "/public_metrics",
		NetworkName:                "market-bus-dev-redpanda",
		RpkProfile: `name: market-bus-dev
description: Redpanda of stack dev (docker backend)
kafka_api:
  brokers:
    - localhost:19092
    - localhost:29092
    - localhost:39092
admin_api:
  addresses:
    - localhost:19644
    - localhost:29644
    - localhost:39644
schema_registry:
  addresses:
    - localhost:18081
    - localhost:28081
    - localhost:38081
`,
	}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("outputs:\n got  %+v\n want %+v", out, want)
	}

	// A resource fed an output waits for every broker container, each of
	// which completes only once healthy (Wait).
	consumer, _ := m.byName("consumer")
	deps := urnsOf(consumer.rpc.GetPropertyDependencies()["brokers"].GetUrns(), "docker:index/container:Container")
	if len(deps) != 3 {
		t.Fatalf("consumer depends on containers %q, want all 3", deps)
	}
	for i, u := range deps {
		if !strings.HasSuffix(u, fmt.Sprintf("::bus-broker-%d", i)) {
			t.Errorf("dependency %d = %s, want bus-broker-%d", i, u, i)
		}
	}
}

func TestNewRedpandaClusterRefuses(t *testing.T) {
	kube := devArgs()
	kube.Mode = ModeKubernetes
	bad := devArgs()
	bad.Memory = bytesOf(gib)
	bad.Image = "redpandadata/redpanda:latest"
	tests := []struct {
		name string
		args Args
		want string
	}{
		{"kubernetes needs a namespace and a certificate source", kube, `redpanda cluster "bus": invalid args:
namespace = "": must be a lowercase DNS label (the pods' DNS names are built from it); fix: use letters, digits and "-", e.g. "redpanda"
certIssuer = "": TLS is on but no certificate source is named; fix: set certIssuer (a cert-manager Issuer or ClusterIssuer) or tlsSecret (a kubernetes.io/tls Secret with ca.crt)`},
		{"invalid args", bad, `redpanda cluster "bus": invalid args:
image = "redpandadata/redpanda:latest": the image is not pinned: it uses the latest tag, which moves; fix: pin a release tag such as redpandadata/redpanda:v25.2.1, or better a digest (redpandadata/redpanda@sha256:<64 hex>)
memory = 1073741824 (1024 MiB): below the 2 GiB per core Redpanda needs for 1 core(s); fix: set memory to at least 2048Mi, or lower cpuCores`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := deploy(t, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant one containing %q", err, tt.want)
			}
			if rs := m.sorted(); len(rs) != 0 {
				t.Errorf("%d resources registered before the error, want none: %v", len(rs), rs[0].Name)
			}
		})
	}
}
