package cluster

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// kubeDevArgs is devArgs on Kubernetes, everything else equal: the same
// sizing and log level, and the backend's defaults (TLS on, 50Gi PVC).
func kubeDevArgs() Args {
	a := devArgs()
	a.Mode = ModeKubernetes
	a.Namespace, a.CreateNamespace = "marketbus", ptr(false)
	a.ExternalDomain, a.CertIssuer = "bus.example.com", "marketbus-ca"
	// Every API published, as Docker publishes them, so the two backends'
	// flags compare one for one.
	ext := ListenerArgs{Exposure: ExposureExternal}
	a.Listeners = ListenersArgs{Kafka: ext, SchemaRegistry: ext, HTTPProxy: ext, Admin: ext}
	return a
}

// TestGoldenKubernetes3 pins the flags of both Kubernetes topologies: the
// dev sizing (compared with Docker below) and the prod-like cluster (what
// the ConfigMap of TestKubernetesConfigMap holds). Update with -update.
func TestGoldenKubernetes3(t *testing.T) {
	tests := []struct {
		prefix string
		args   Args
	}{
		{"kubernetes3", kubeDevArgs()},
		{"kubernetes3-prod", prodArgs()},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			if err := Validate(tt.args); err != nil {
				t.Fatalf("golden args must be valid: %v", err)
			}
			brokers, err := RenderCluster(tt.args.withDefaults().Topology())
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range brokers {
				golden(t, fmt.Sprintf("%s-broker-%d.flags", tt.prefix, b.Index), []byte(RenderArgsFile(b)))
			}
			golden(t, tt.prefix+".bootstrap.yaml", []byte(brokers[0].BootstrapYAML))
			profile, err := RenderRpkProfile("market-bus-prod", "", brokers)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.prefix+"-rpk-profile.yaml", []byte(profile))
		})
	}
}

var (
	hostPort = regexp.MustCompile(`:[0-9]+\b`)
	jsonPort = regexp.MustCompile(`"port":[0-9]+`)
)

// normalise replaces broker i's addresses in a golden flag list: every
// broker's internal host by <host-j>, broker i's external host by
// <external>, and every port by <port>. What remains is what the backends
// must agree on.
func normalise(args []string, addr Addressing, brokers, i int) []string {
	type repl struct{ from, to string }
	var rs []repl
	for j := 0; j < brokers; j++ {
		rs = append(rs, repl{addr.Broker(j).InternalHost, fmt.Sprintf("<host-%d>", j)})
	}
	rs = append(rs, repl{addr.Broker(i).ExternalHost, "<external>"})
	// Longest first, so no name is cut by a shorter one it contains.
	sort.SliceStable(rs, func(a, b int) bool { return len(rs[a].from) > len(rs[b].from) })
	out := make([]string, len(args))
	for k, a := range args {
		for _, r := range rs {
			a = strings.ReplaceAll(a, r.from, r.to)
		}
		a = jsonPort.ReplaceAllString(a, `"port":<port>`)
		out[k] = hostPort.ReplaceAllString(a, ":<port>")
	}
	return out
}

// without drops the arguments keep reports true for (with the value that
// follows a dropped --set) and returns what it dropped.
func without(args []string, drop func(flag, value string) bool) (kept, dropped []string) {
	for k := 0; k < len(args); k++ {
		value := ""
		if k+1 < len(args) {
			value = args[k+1]
		}
		if drop(args[k], value) {
			dropped = append(dropped, args[k])
			if args[k] == "--set" {
				dropped[len(dropped)-1] += " " + strings.SplitN(value, "=", 2)[0]
				k++
			}
			continue
		}
		kept = append(kept, args[k])
	}
	return kept, dropped
}

// TestGoldenFlagsDifferOnlyInAddresses is the acceptance test of the
// shared renderer: for every broker index, the Docker and Kubernetes golden
// flag lists are the same flags in the same order with the same values once
// addresses and ports are normalised. The only other differences are the
// two each backend owns, and they are listed here exactly:
//   - Docker adds --overprovisioned (containers share the host's cores);
//   - Kubernetes adds the TLS node config (Docker keeps TLS off).
func TestGoldenFlagsDifferOnlyInAddresses(t *testing.T) {
	dockTopo := devArgs().withDefaults().Topology()
	kubeTopo := kubeDevArgs().withDefaults().Topology()
	wantTLS := []string{
		"--set redpanda.kafka_api_tls", "--set redpanda.admin_api_tls", "--set redpanda.rpc_server_tls",
		"--set pandaproxy.pandaproxy_api_tls", "--set schema_registry.schema_registry_api_tls",
		"--set pandaproxy_client.broker_tls", "--set schema_registry_client.broker_tls",
	}
	for i := 0; i < 3; i++ {
		t.Run(fmt.Sprintf("broker-%d", i), func(t *testing.T) {
			dock := readGoldenLines(t, fmt.Sprintf("docker3-broker-%d.flags", i))
			kube := readGoldenLines(t, fmt.Sprintf("kubernetes3-broker-%d.flags", i))
			if reflect.DeepEqual(dock, kube) {
				t.Fatal("the raw flag lists are equal: the backends' addresses should differ")
			}
			dockKept, dockOnly := without(dock, func(f, _ string) bool { return f == "--overprovisioned" })
			kubeKept, kubeOnly := without(kube, func(f, v string) bool {
				key := strings.SplitN(v, "=", 2)[0]
				return f == "--set" && strings.HasSuffix(key, "_tls")
			})
			if !reflect.DeepEqual(dockOnly, []string{"--overprovisioned"}) {
				t.Errorf("docker-only flags = %q, want only --overprovisioned", dockOnly)
			}
			if !reflect.DeepEqual(kubeOnly, wantTLS) {
				t.Errorf("kubernetes-only flags = %q, want the TLS config %q", kubeOnly, wantTLS)
			}
			d := normalise(dockKept, dockTopo.Addressing, 3, i)
			k := normalise(kubeKept, kubeTopo.Addressing, 3, i)
			if len(d) != len(k) {
				t.Fatalf("after normalising, %d docker args vs %d kubernetes args:\n%q\n%q", len(d), len(k), d, k)
			}
			for n := range d {
				if d[n] != k[n] {
					t.Errorf("arg %d differs beyond addresses:\n docker     %s\n kubernetes %s", n, d[n], k[n])
				}
			}
			// The normalisation kept what matters: every broker a seed, and
			// this broker advertising itself.
			joined := strings.Join(k, " ")
			for _, want := range []string{
				"--seeds <host-0>:<port>,<host-1>:<port>,<host-2>:<port>",
				fmt.Sprintf("--advertise-rpc-addr <host-%d>:<port>", i),
				fmt.Sprintf("internal://<host-%d>:<port>,external://<external>:<port>", i),
				"--memory 1843M",
			} {
				if !strings.Contains(joined, want) {
					t.Errorf("normalised flags lack %q:\n%s", want, joined)
				}
			}
		})
	}
}
