package stacks

import (
	"strings"
	"testing"
)

// TestLoadRejectsBadListeners: every listener setting that would publish an API without
// authentication or without a way to restrict who reaches it, or that cannot mean anything,
// fails Load naming the key, the value and the fix.
func TestLoadRejectsBadListeners(t *testing.T) {
	prod := func(listeners string) MapSource {
		return prodSource(`{"externalDomain":"bus.example.com","listeners":` + listeners + `}`)
	}
	const kafkaKey = "market-bus:cluster.listeners.kafka"
	// lk lists keys under cluster.listeners (".kafka.exposure"), or whole paths.
	lk := func(paths ...string) []string {
		for i, p := range paths {
			if strings.HasPrefix(p, ".") {
				paths[i] = "cluster.listeners" + p
			}
		}
		return k(paths...)
	}
	cases := []struct {
		name  string
		stack string
		src   MapSource
		keys  []string
		want  []string
	}{
		{"external kafka without source ranges on production", "prod", prod(`{"kafka":{}}`),
			lk(".kafka.sourceRanges"), []string{kafkaKey + ".sourceRanges = []", "every address", "fix: list the client networks"}},
		{"external registry without authentication on production", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"schemaRegistry":{"exposure":"external","sourceRanges":["10.0.0.0/8"],"authentication":"none"}}`),
			lk(".schemaRegistry.authentication", ".schemaRegistry.authentication"), []string{`market-bus:cluster.listeners.schemaRegistry.authentication = "none"`, "without a principal", `fix: use "http_basic"`}},
		{"external admin without source ranges", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"admin":{"exposure":"external"}}`),
			lk(".admin.sourceRanges"), []string{"market-bus:cluster.listeners.admin.sourceRanges = []", "publish the admin API to every address"}},
		{"proxy without a principal", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"httpProxy":{"authentication":"none"}}`),
			lk(".httpProxy.authentication"), []string{`market-bus:cluster.listeners.httpProxy.authentication = "none"`, "bypass the ACLs", `use "http_basic"`}},
		{"unknown authentication method", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"],"authentication":"mtls"}}`),
			lk(".kafka.authentication"), []string{kafkaKey + `.authentication = "mtls"`, "not an authentication method of the kafka API", `use "sasl"`}},
		{"http_basic on kafka", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"],"authentication":"http_basic"}}`),
			lk(".kafka.authentication"), []string{kafkaKey + `.authentication = "http_basic"`, `use "sasl"`}},
		{"sasl on the registry", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"schemaRegistry":{"authentication":"sasl"}}`),
			lk(".schemaRegistry.authentication"), []string{`market-bus:cluster.listeners.schemaRegistry.authentication = "sasl"`, `use "http_basic"`}},
		{"CIDR that does not parse", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/33","office"]}}`),
			lk(".kafka.sourceRanges", ".kafka.sourceRanges"), []string{kafkaKey + `.sourceRanges = "10.0.0.0/33": not a CIDR`, kafkaKey + `.sourceRanges = "office": not a CIDR`, "fix: write an address block such as 10.20.0.0/16"}},
		{"unknown exposure", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"admin":{"exposure":"public"}}`),
			lk(".admin.exposure"), []string{`market-bus:cluster.listeners.admin.exposure = "public": not an exposure`, `use "internal" or "external"`}},
		{"source ranges on an internal listener", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"schemaRegistry":{"sourceRanges":["10.0.0.0/8"]}}`),
			lk(".schemaRegistry.sourceRanges"), []string{`market-bus:cluster.listeners.schemaRegistry.sourceRanges = ["10.0.0.0/8"]`, "restrict nothing", `set exposure to "external"`}},
		{"annotations on an internal listener", "prod",
			prod(`{"kafka":{"sourceRanges":["10.0.0.0/8"]},"admin":{"annotations":{"x":"y"}}}`),
			lk(".admin.annotations"), []string{`market-bus:cluster.listeners.admin.annotations = ["x"]`, "no Service of its own"}},
		{"external without an external domain", "prod",
			prodSource(`{"listeners":{"kafka":{"exposure":"external","sourceRanges":["10.0.0.0/8"]}}}`),
			lk(".kafka.exposure", "cluster.externalDomain"), []string{kafkaKey + `.exposure = "external"`, "set externalDomain"}},
		{"kafka sasl with SASL off", "prod",
			with(prodSource(`{"externalDomain":"bus.example.com","sasl":null,"listeners":{"kafka":{"sourceRanges":["10.0.0.0/8"],"authentication":"sasl"}}}`), KeyGrafanaToken, "t"),
			lk(".kafka.authentication"), []string{kafkaKey + `.authentication = "sasl"`, "nobody could authenticate"}},
		{"external kafka without authentication on production", "prod",
			prodSource(`{"externalDomain":"bus.example.com","sasl":null,"listeners":{"kafka":{"sourceRanges":["10.0.0.0/8"]}}}`),
			lk(".kafka.authentication"), []string{kafkaKey + `.authentication = "none"`, "without authentication", "fix: turn"}},
		{"unknown listener", "prod", prod(`{"grpc":{}}`), k("cluster"), []string{`unknown field "grpc"`}},
		{"client namespace that is no name", "prod",
			prodSource(`{"externalDomain":"bus.example.com","networkPolicy":{"clientNamespaces":["Trading Desk"]}}`),
			k("cluster.networkPolicy.clientNamespaces[0]"), []string{`market-bus:cluster.networkPolicy.clientNamespaces[0] = "Trading Desk": not a namespace name`}},
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

// TestProdListenerDefaults: out of the box, prod publishes Kafka only, with TLS and SASL;
// every HTTP listener asks for basic auth.
func TestProdListenerDefaults(t *testing.T) {
	spec, err := Load("prod", prodSource(`{"externalDomain":"bus.example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	args := clusterArgs(spec, nil)
	topo := args.Topology()
	p := topo.Addressing.Broker(0).Ports
	if p.Kafka.ExternalAdvertised == 0 || p.SchemaRegistry.ExternalAdvertised != 0 || p.HTTPProxy.ExternalAdvertised != 0 || p.Admin.ExternalAdvertised != 0 {
		t.Errorf("published ports = %+v, want Kafka's only", p)
	}
	if topo.Auth.Kafka != "sasl" || topo.Auth.SchemaRegistry != "http_basic" || topo.Auth.HTTPProxy != "http_basic" || topo.Auth.Admin != "http_basic" {
		t.Errorf("listener authentication = %+v, want sasl and http_basic everywhere", topo.Auth)
	}
	if !args.SASLOn() || !args.TLSOn() {
		t.Errorf("prod cluster SASL=%v TLS=%v, want both on", args.SASL, args.TLS)
	}
}
