package cluster

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestValidateKubernetes pins every refusal of the Kubernetes backend and
// the Production floors, word for word, starting from the valid prodArgs.
func TestValidateKubernetes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Args)
		want   []string
	}{
		{"prod args are valid", func(*Args) {}, nil},
		{"a provided TLS Secret is valid", func(a *Args) { a.CertIssuer, a.TLSSecret = "", "redpanda-tls" }, nil},
		{"plaintext on prod with the override", func(a *Args) { a.TLS, a.AllowPlaintext = pulumi.BoolRef(false), true }, nil},
		{"load balancers are valid", func(a *Args) { a.ExternalServiceType = ExternalLoadBalancer }, nil},
		{"PVC below 50 GiB on prod", func(a *Args) { a.StorageSize = bytesOf(20 * gib) }, []string{
			"storageSize = 20Gi (20480 MiB): below the 50 GiB floor for this cluster (minDiskBytes); fix: set storageSize to at least 50Gi",
		}},
		{"a caller's own disk floor", func(a *Args) { a.MinDiskBytes = 100 * gib }, []string{
			"storageSize = 50Gi (51200 MiB): below the 100 GiB floor for this cluster (minDiskBytes); fix: set storageSize to at least 100Gi",
		}},
		{"memory below 2 GiB per core", func(a *Args) { a.CPUCores = 2 }, []string{
			"memory = 3221225472 (3072 MiB): below the 2 GiB per core Redpanda needs for 2 core(s); fix: set memory to at least 4096Mi, or lower cpuCores",
		}},
		{"fewer than 3 brokers on prod", func(a *Args) { a.Brokers, a.MaxTopicReplicationFactor = 2, 2 }, []string{
			"brokers = 2: a Production cluster needs at least 3 brokers: with fewer, losing one broker loses the Raft majority; fix: set brokers to 3 or more",
		}},
		{"an unpinned image", func(a *Args) { a.Image = "redpandadata/redpanda:latest" }, []string{
			`image = "redpandadata/redpanda:latest": the image is not pinned: it uses the latest tag, which moves; fix: pin a release tag such as redpandadata/redpanda:v25.2.1, or better a digest (redpandadata/redpanda@sha256:<64 hex>)`,
		}},
		{"a PDB that loses quorum", func(a *Args) { a.Kubernetes.MaxUnavailable = 2 }, []string{
			"kubernetes.maxUnavailable = 2: with 3 brokers the PodDisruptionBudget would allow 2 down at once, which loses the Raft majority; fix: set it to at most 1 ((brokers-1)/2)",
		}},
		{"five brokers may lose two", func(a *Args) { a.Brokers, a.Kubernetes.MaxUnavailable = 5, 2 }, nil},
		{"a negative PDB", func(a *Args) { a.Kubernetes.MaxUnavailable = -1 }, []string{
			"kubernetes.maxUnavailable = -1: cannot be negative; fix: use 1, or 0 for the default (1)",
		}},
		{"TLS off on prod without the override", func(a *Args) { a.TLS = pulumi.BoolRef(false) }, []string{
			"tls = false: a Production cluster would serve every listener in plaintext; fix: turn TLS on (the kubernetes default), or set allowPlaintext to accept plaintext explicitly",
		}},
		{"no storage class on prod", func(a *Args) { a.StorageClass = "" }, []string{
			`storageClass = "": a Production cluster must name its StorageClass: the cluster default may be network HDD, where Redpanda's fsyncs stall; fix: name the SSD class, e.g. "gp3"`,
		}},
		{"a short grace period", func(a *Args) { a.Kubernetes.TerminationGracePeriodSeconds = 30 }, []string{
			"kubernetes.terminationGracePeriodSeconds = 30: below the 90 s a broker needs: the preStop hook gets half to drain leadership (maintenance mode), the broker the rest to stop; fix: set it to 90 or more, or 0 for the default (90)",
		}},
		{"no certificate source", func(a *Args) { a.CertIssuer = "" }, []string{
			`certIssuer = "": TLS is on but no certificate source is named; fix: set certIssuer (a cert-manager Issuer or ClusterIssuer) or tlsSecret (a kubernetes.io/tls Secret with ca.crt)`,
		}},
		{"two certificate sources", func(a *Args) { a.TLSSecret = "x" }, []string{
			`tlsSecret = "x": certIssuer "marketbus-ca" is named too, so which certificate the brokers serve would be ambiguous; fix: keep one of certIssuer and tlsSecret`,
		}},
		{"an unknown issuer kind", func(a *Args) { a.CertIssuerKind = "Vault" }, []string{
			`certIssuerKind = "Vault": not a cert-manager issuer kind; fix: use "Issuer" or "ClusterIssuer"`,
		}},
		{"SASL without a password, a bad name and mechanism", func(a *Args) {
			a.SASL, a.SuperuserPassword = &SASLConfig{Username: "ad:min", Mechanism: "PLAIN"}, nil
		}, []string{
			`sasl.username = "ad:min": not a user name RP_BOOTSTRAP_USER (user:password:mechanism) can carry; fix: use letters, digits and ".", "_", "@", "-", e.g. "admin"`,
			`sasl.mechanism = "PLAIN": not a SCRAM mechanism Redpanda offers; fix: use SCRAM-SHA-512 or SCRAM-SHA-256`,
			"superuserPassword = <nil>: SASL is on but the bootstrap user has no password; fix: pass the password as a Pulumi secret (config.RequireSecret)",
		}},
		{"no namespace", func(a *Args) { a.Namespace = "" }, []string{
			`namespace = "": must be a lowercase DNS label (the pods' DNS names are built from it); fix: use letters, digits and "-", e.g. "redpanda"`,
		}},
		{"an unknown external service type", func(a *Args) { a.ExternalServiceType = "Ingress" }, []string{
			`externalServiceType = "Ingress": not a Service type that publishes brokers outside the cluster; fix: use "NodePort" or "LoadBalancer"`,
		}},
		{"a cluster-local external domain", func(a *Args) { a.ExternalDomain = "marketbus.svc.cluster.local" }, []string{
			`externalDomain = "marketbus.svc.cluster.local": broker 0 would advertise "redpanda-0.marketbus.svc.cluster.local": that name resolves only inside the kubernetes network, so clients outside it cannot reach the advertised address; fix: use localhost, or a name of the host that clients resolve`,
			`externalDomain = "marketbus.svc.cluster.local": broker 1 would advertise "redpanda-1.marketbus.svc.cluster.local": that name resolves only inside the kubernetes network, so clients outside it cannot reach the advertised address; fix: use localhost, or a name of the host that clients resolve`,
			`externalDomain = "marketbus.svc.cluster.local": broker 2 would advertise "redpanda-2.marketbus.svc.cluster.local": that name resolves only inside the kubernetes network, so clients outside it cannot reach the advertised address; fix: use localhost, or a name of the host that clients resolve`,
		}},
		{"bad tolerations", func(a *Args) {
			a.Kubernetes.Tolerations = []Toleration{{Key: "dedicated", Operator: "Exists", Value: "redpanda", Effect: "NoSchedule"}, {Key: "k", Operator: "In", Effect: "Never"}}
		}, []string{
			"kubernetes.tolerations[0] = {Key:dedicated Operator:Exists Value:redpanda Effect:NoSchedule}: operator Exists takes no value; fix: drop the value, or use operator Equal",
			"kubernetes.tolerations[1] = {Key:k Operator:In Value: Effect:Never}: unknown operator; fix: use \"Equal\" or \"Exists\"",
			"kubernetes.tolerations[1] = {Key:k Operator:In Value: Effect:Never}: unknown effect; fix: use NoSchedule, PreferNoSchedule or NoExecute",
		}},
		{"an empty node selector key", func(a *Args) { a.Kubernetes.NodeSelector = map[string]string{" ": "x"} }, []string{
			`kubernetes.nodeSelector = " ": a node label needs a name; fix: remove the empty key`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := prodArgs()
			tt.mutate(&a)
			var got []string
			for _, e := range validate(a.withDefaults()) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

// TestKubernetesRefusesBeforeRegistering: bad input registers nothing.
func TestKubernetesRefusesBeforeRegistering(t *testing.T) {
	a := prodArgs()
	a.Kubernetes.MaxUnavailable = 2
	m, _, err := deployStack(t, "prod", a)
	want := `redpanda cluster "bus": invalid args:
kubernetes.maxUnavailable = 2: with 3 brokers the PodDisruptionBudget would allow 2 down at once`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
	if rs := m.sorted(); len(rs) != 0 {
		t.Errorf("%d resources registered before the error", len(rs))
	}
}

// fixedAddressing publishes what a test tells it to, to reach the NodePort
// checks the Kubernetes addressing never trips.
type fixedAddressing struct {
	KubernetesAddressing
	kafkaNodePort func(i int) int
}

func (f fixedAddressing) Broker(i int) BrokerAddress {
	a := f.KubernetesAddressing.Broker(i)
	a.Ports.Kafka.ExternalAdvertised = f.kafkaNodePort(i)
	return a
}

func TestCheckNodePorts(t *testing.T) {
	base := KubernetesAddressing{Name: "redpanda", Service: "redpanda", Namespace: "marketbus", ClusterDomain: "cluster.local", ExternalDomain: "bus.example.com"}
	tests := []struct {
		name string
		port func(int) int
		want []string
	}{
		{"the chart's ports", func(int) int { return 31092 }, nil},
		{"outside the range", func(int) int { return 9094 }, []string{
			`externalServiceType = "NodePort": broker 0 kafka would be published on NodePort 9094, outside 30000-32767; fix: use NodePorts inside the API server's range, or a LoadBalancer`,
			`externalServiceType = "NodePort": broker 1 kafka would be published on NodePort 9094, outside 30000-32767; fix: use NodePorts inside the API server's range, or a LoadBalancer`,
		}},
		{"a port per broker", func(i int) int { return 31092 + i }, []string{
			`externalServiceType = "NodePort": broker 1 kafka advertises port 31093 but broker 0 advertises 31092, and one NodePort Service has one nodePort per port; fix: advertise the same NodePort on every broker, or use a LoadBalancer per broker`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := Topology{Brokers: 2, Addressing: fixedAddressing{base, tt.port}}
			var got []string
			for _, e := range checkNodePorts(topo) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}
