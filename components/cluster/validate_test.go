package cluster

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestValidate(t *testing.T) {
	const (
		digest = "redpandadata/redpanda@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
		pinFix = "fix: pin a release tag such as redpandadata/redpanda:v25.2.1, or better a digest (redpandadata/redpanda@sha256:<64 hex>)"
		hostFx = "fix: use localhost, or a name of the host that clients resolve"
	)
	tests := []struct {
		name   string
		mutate func(*Args)
		want   []string
	}{
		{"dev args are valid", func(*Args) {}, nil},
		{"digest is valid", func(a *Args) { a.Image = digest }, nil},
		{"tag and digest are valid", func(a *Args) { a.Image = "redpandadata/redpanda:v25.2.1@sha256:" + digest[len(digest)-64:] }, nil},
		{"registry with port is valid", func(a *Args) { a.Image = "localhost:5000/redpanda:25.2.1" }, nil},
		{"five brokers fit the default ports", func(a *Args) { a.Brokers = 5 }, nil},
		{"no brokers", func(a *Args) { a.Brokers = 0 }, []string{
			"brokers = 0: a cluster needs at least one broker; fix: set brokers to 3 (1 only for a throwaway single-node cluster)",
		}},
		{"unknown backend", func(a *Args) { a.Mode = "podman" }, []string{
			`mode = "podman": unknown backend; fix: use "docker" or "kubernetes"`,
		}},
		{"latest", func(a *Args) { a.Image = "redpandadata/redpanda:latest" }, []string{
			`image = "redpandadata/redpanda:latest": the image is not pinned: it uses the latest tag, which moves; ` + pinFix,
		}},
		{"no tag", func(a *Args) { a.Image = "redpandadata/redpanda" }, []string{
			`image = "redpandadata/redpanda": the image is not pinned: it has no tag, so Docker pulls latest, which moves; ` + pinFix,
		}},
		{"floating minor tag", func(a *Args) { a.Image = "redpandadata/redpanda:v25.2" }, []string{
			`image = "redpandadata/redpanda:v25.2": the image is not pinned: it has tag "v25.2", which is not a release version (vMAJOR.MINOR.PATCH); ` + pinFix,
		}},
		{"short digest", func(a *Args) { a.Image = "redpandadata/redpanda@sha256:abc" }, []string{
			`image = "redpandadata/redpanda@sha256:abc": the image is not pinned: it has a malformed digest "sha256:abc" (want sha256: and 64 lowercase hex digits); ` + pinFix,
		}},
		{"memory below 2 GiB per core", func(a *Args) { a.Memory = bytesOf(gib) }, []string{
			"memory = 1073741824 (1024 MiB): below the 2 GiB per core Redpanda needs for 1 core(s); fix: set memory to at least 2048Mi, or lower cpuCores",
		}},
		{"two cores need 4 GiB", func(a *Args) { a.CPUCores = 2; a.Memory = bytesOf(3 * gib) }, []string{
			"memory = 3221225472 (3072 MiB): below the 2 GiB per core Redpanda needs for 2 core(s); fix: set memory to at least 4096Mi, or lower cpuCores",
		}},
		{"memory not whole MiB", func(a *Args) { a.Memory = bytesOf(3*gib + 1000) }, []string{
			"memory = 3221226472 (3072.0 MiB): not a whole number of MiB, which is the unit of Docker's memory limit and of --memory; fix: use binary units, e.g. 3072Mi",
		}},
		{"--memory override does not fit", func(a *Args) { a.Memory = bytesOf(4 * gib); a.RedpandaMemoryBytes = 4 * gib }, []string{
			"redpandaMemoryBytes = 4294967296 (4096 MiB): --memory=4096M does not fit the 4096 MiB container limit with the 10 % Redpanda needs outside its memory pool (the container would be OOM-killed); fix: set it to at most 3865470566 (3686.4 MiB), raise memory, or leave it 0 for 90 % of the limit",
		}},
		{"no cores", func(a *Args) { a.CPUCores = 0 }, []string{
			"cpuCores = 0: Redpanda runs one shard per core and needs at least 1; fix: set cpuCores to 1 or more",
		}},
		{"replication factor above brokers", func(a *Args) { a.MaxTopicReplicationFactor = 5 }, []string{
			"maxTopicReplicationFactor = 5: above brokers = 3: topics with that replication factor cannot be created; fix: lower it to at most 3, or raise brokers to 5",
		}},
		{"stride 1 makes services overlap", func(a *Args) { a.Docker.HostPorts = HostPortScheme{19092, 18081, 18082, 19644, 1} }, []string{
			"docker.hostPorts = 18082: broker 0 http-proxy and broker 1 schema-registry would both publish it; fix: space the base ports more than (brokers-1) × stride apart, or pick a stride that keeps them apart",
			"docker.hostPorts = 18083: broker 1 http-proxy and broker 2 schema-registry would both publish it; fix: space the base ports more than (brokers-1) × stride apart, or pick a stride that keeps them apart",
		}},
		{"six brokers overflow the default ports", func(a *Args) { a.Brokers = 6 }, []string{
			"docker.hostPorts = 69092: broker 5 kafka host port is outside 1..65535; fix: lower docker.hostPorts.stride (e.g. 10) or the base ports so every broker's ports fit",
			"docker.hostPorts = 68081: broker 5 schema-registry host port is outside 1..65535; fix: lower docker.hostPorts.stride (e.g. 10) or the base ports so every broker's ports fit",
			"docker.hostPorts = 68082: broker 5 http-proxy host port is outside 1..65535; fix: lower docker.hostPorts.stride (e.g. 10) or the base ports so every broker's ports fit",
			"docker.hostPorts = 69644: broker 5 admin host port is outside 1..65535; fix: lower docker.hostPorts.stride (e.g. 10) or the base ports so every broker's ports fit",
		}},
		{"six brokers with stride 10 fit", func(a *Args) { a.Brokers = 6; a.Docker.HostPorts = HostPortScheme{Stride: 10} }, nil},
		{"port reserved for prometheus", func(a *Args) { a.Docker.HostPorts = HostPortScheme{19092, 18081, 18082, 9090, 10000} }, []string{
			"docker.hostPorts = 9090: broker 0 admin would publish it, but ReservedHostPorts gives it to prometheus; fix: move the docker.hostPorts base ports, or the other service's port",
		}},
		{"external kafka on the rpc port", func(a *Args) { a.Docker.HostPorts = HostPortScheme{33145, 18081, 18082, 19644, 10000} }, []string{
			"docker.hostPorts = 33145: broker 0 kafka would bind it inside the container, where rpc already listens; fix: keep the base ports off 8081, 8082, 9092, 9644 and 33145",
		}},
		{"advertising bind-all", func(a *Args) { a.ExternalHost = "0.0.0.0"; withSASL(a) }, []string{
			`externalHost = "0.0.0.0": a bind-all address is not dialable: clients would be redirected to it and fail; ` + hostFx,
		}},
		{"advertising IPv6 bind-all", func(a *Args) { a.ExternalHost = "::"; withSASL(a) }, []string{
			`externalHost = "::": a bind-all address is not dialable: clients would be redirected to it and fail; ` + hostFx,
		}},
		{"advertising a container hostname", func(a *Args) { a.ExternalHost = "redpanda-1"; withSASL(a) }, []string{
			`externalHost = "redpanda-1": that name resolves only inside the docker network, so clients outside it cannot reach the advertised address; ` + hostFx,
		}},
		{"log level", func(a *Args) { a.LogLevel = "verbose" }, []string{
			`logLevel = "verbose": not a Redpanda log level; fix: use trace, debug, info, warn or error`,
		}},
		{"TLS is refused on docker", func(a *Args) { a.TLS = pulumi.BoolRef(true) }, []string{
			"tls = true: the docker backend has no certificates to serve and keeps its listeners plaintext; fix: leave tls unset (or false) on docker; TLS is for the kubernetes backend, where it is on by default",
		}},
		{"SASL on docker needs the bootstrap user's password", func(a *Args) { a.SASL = &SASLConfig{} }, []string{
			"superuserPassword = <nil>: SASL is on but the bootstrap user has no password; fix: pass the password as a Pulumi secret (config.RequireSecret)",
		}},
		{"a LAN host without SASL", func(a *Args) { a.ExternalHost = "bus.lan" }, []string{
			`externalHost = "bus.lan": a host other than loopback publishes every broker port on all interfaces, where no listener would ask who is calling; ` +
				"fix: turn SASL on (every listener then authenticates), or keep externalHost at 127.0.0.1 and reach it through an SSH tunnel",
		}},
		{"a LAN host with SASL", func(a *Args) { a.ExternalHost = "bus.lan"; withSASL(a) }, nil},
		{"TLS false is fine on docker", func(a *Args) { a.TLS = pulumi.BoolRef(false) }, nil},
		{"hostname prefix", func(a *Args) { a.Docker.HostnamePrefix = "Red_Panda" }, []string{
			`docker.hostnamePrefix = "Red_Panda": hostnames ` + "`<prefix>-<i>`" + ` must be lowercase DNS labels; fix: use letters, digits and "-", e.g. "redpanda"`,
		}},
		{"several problems at once", func(a *Args) { a.Brokers = 1; a.MaxTopicReplicationFactor = 3; a.Image = "redpandadata/redpanda:dev" }, []string{
			`image = "redpandadata/redpanda:dev": the image is not pinned: it has tag "dev", which is not a release version (vMAJOR.MINOR.PATCH); ` + pinFix,
			"maxTopicReplicationFactor = 3: above brokers = 1: topics with that replication factor cannot be created; fix: lower it to at most 1, or raise brokers to 3",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := devArgs()
			tt.mutate(&a)
			var got []string
			for _, e := range validate(a.withDefaults()) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
			if err := Validate(a); (err != nil) != (tt.want != nil) {
				t.Errorf("Validate() = %v, want error: %v", err, tt.want != nil)
			}
		})
	}
}

// TestCheckAdvertisedKubernetes covers the hosts only other addressings can
// produce: an empty external host and a cluster-local name.
func TestCheckAdvertisedKubernetes(t *testing.T) {
	const fix = "fix: use localhost, or a name of the host that clients resolve"
	tests := []struct {
		name   string
		domain string
		want   []string
	}{
		{"external domain set", "bus.example.com", nil},
		{"no external domain", "", []string{
			`externalDomain = "": brokers would advertise an empty host to clients outside the broker network; ` + fix,
		}},
		{"cluster-local domain", "marketbus.svc.cluster.local", []string{
			`externalDomain = "marketbus.svc.cluster.local": broker 0 would advertise "redpanda-0.marketbus.svc.cluster.local": that name resolves only inside the kubernetes network, so clients outside it cannot reach the advertised address; ` + fix,
			`externalDomain = "marketbus.svc.cluster.local": broker 1 would advertise "redpanda-1.marketbus.svc.cluster.local": that name resolves only inside the kubernetes network, so clients outside it cannot reach the advertised address; ` + fix,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := Topology{Brokers: 2, Addressing: KubernetesAddressing{
				Name: "redpanda", Service: "redpanda", Namespace: "marketbus", ClusterDomain: "cluster.local", ExternalDomain: tt.domain,
				External: ExternalAPIs{Kafka: true},
			}}
			var got []string
			for _, e := range checkAdvertised(topo, "externalDomain", tt.domain) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

// withSASL turns SASL on with a bootstrap user that validates.
func withSASL(a *Args) {
	a.SASL = &SASLConfig{Username: "admin", Mechanism: DefaultSASLMechanism}
	a.SuperuserPassword = pulumi.String("pw")
}
