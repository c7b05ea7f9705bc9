package cluster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const prodChildURN = "urn:pulumi:prod::market-bus::marketbus:cluster:RedpandaCluster$"

func TestKubernetesResourceSet(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	var got []string
	for _, r := range m.sorted() {
		got = append(got, r.Type+" "+r.Name)
		if r.Custom && r.Type != "test:index:Consumer" && r.Parent != "urn:pulumi:prod::market-bus::marketbus:cluster:RedpandaCluster::bus" {
			t.Errorf("%s parent = %q, want the component", r.Name, r.Parent)
		}
	}
	want := []string{
		"kubernetes:apps/v1:StatefulSet bus-statefulset",
		"kubernetes:cert-manager.io/v1:Certificate bus-certificate",
		"kubernetes:core/v1:ConfigMap bus-config",
		"kubernetes:core/v1:Namespace bus-namespace",
		"kubernetes:core/v1:Secret bus-superuser",
		"kubernetes:core/v1:Service bus-client",
		"kubernetes:core/v1:Service bus-external",
		"kubernetes:core/v1:Service bus-headless",
		"kubernetes:networking.k8s.io/v1:NetworkPolicy bus-networkpolicy",
		"kubernetes:policy/v1:PodDisruptionBudget bus-pdb",
		"marketbus:cluster:RedpandaCluster bus",
		"test:index:Consumer consumer",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources:\n got  %q\n want %q", got, want)
	}
}

func TestKubernetesNamespace(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	ns := mustGet(t, m, "bus-namespace")
	nsLabels := stringAnyMap(ClusterLabels("bus", "prod"))
	for _, mode := range []string{"enforce", "audit", "warn"} {
		nsLabels["pod-security.kubernetes.io/"+mode] = "restricted"
	}
	assertInputs(t, ns, map[string]any{"metadata": map[string]any{"name": "marketbus", "labels": nsLabels}})
	if !ns.RetainOnDelete {
		t.Error("namespace: deleting it would delete the PVCs, so destroy must retain it")
	}
	for _, r := range m.sorted() {
		if r.Custom && r.Name != "bus-namespace" && r.Name != "consumer" {
			if got := dig(t, r.Inputs, "metadata", "namespace"); got != "marketbus" {
				t.Errorf("%s namespace = %v, want marketbus", r.Name, got)
			}
		}
	}
}

func TestKubernetesConfigMap(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	cm := mustGet(t, m, "bus-config")
	if got := dig(t, cm.Inputs, "metadata", "name"); got != "redpanda-config" {
		t.Errorf("configmap name = %v, want the fixed redpanda-config", got)
	}
	if !cm.DeleteBeforeReplace {
		t.Error("a fixed-name ConfigMap must be deleted before it is replaced")
	}
	data := cm.Inputs["data"].(map[string]any)
	wantBootstrap := `admin_api_require_auth: true
auto_create_topics_enabled: false
enable_sasl: true
kafka_enable_authorization: true
sasl_mechanisms:
  - SCRAM
superusers:
  - admin
`
	if got := data[".bootstrap.yaml"]; got != wantBootstrap {
		t.Errorf(".bootstrap.yaml:\n%v\nwant\n%v", got, wantBootstrap)
	}
	if got := data[".bootstrap.yaml"]; got != readGolden(t, "kubernetes3-prod.bootstrap.yaml") {
		t.Error(".bootstrap.yaml differs from the golden file")
	}
	// Each broker's flags are exactly the renderer's, and the golden file's.
	for _, b := range renderedProd(t) {
		key := fmt.Sprintf("broker-%d.args", b.Index)
		if got := data[key]; got != RenderArgsFile(b) {
			t.Errorf("%s is not the renderer's output:\n%v", key, got)
		}
		if got := data[key]; got != readGolden(t, fmt.Sprintf("kubernetes3-prod-broker-%d.flags", b.Index)) {
			t.Errorf("%s differs from the golden file", key)
		}
	}
	b0 := renderedProd(t)[0]
	for key, want := range map[string]string{
		"entrypoint.sh": RenderEntrypoint(), "prestop.sh": RenderPreStop(b0), "poststart.sh": RenderPostStart(b0),
	} {
		if data[key] != want {
			t.Errorf("%s is not the rendered script", key)
		}
	}
	if len(data) != 7 {
		t.Errorf("configmap keys = %d (%v), want bootstrap, 3 flag lists and 3 scripts", len(data), data)
	}
	// The flags pin broker 1's addresses, spelled out for a reader.
	args := strings.Split(data["broker-1.args"].(string), "\n")
	for k, want := range map[string]string{
		"--advertise-kafka-addr": "internal://redpanda-1.redpanda.marketbus.svc.cluster.local.:9093,external://redpanda-1.bus.example.com:31092",
		"--advertise-rpc-addr":   "redpanda-1.redpanda.marketbus.svc.cluster.local.:33145",
		"--smp":                  "1",
		"--memory":               "2764M",
		"--reserve-memory":       "0M",
	} {
		if got := flagValue(args, k); got != want {
			t.Errorf("broker-1 %s = %q, want %q", k, got, want)
		}
	}
}

// flagValue is the argument after the first occurrence of flag.
func flagValue(args []string, flag string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

func TestKubernetesServices(t *testing.T) {
	m, _ := deployProd(t, prodArgs())
	sel := stringAnyMap(selectorLabels("bus"))
	port := func(name string, p, target int) map[string]any {
		return map[string]any{"name": name, "port": float64(p), "targetPort": float64(target), "protocol": "TCP"}
	}
	nodePort := func(name string, p, node int) map[string]any {
		sp := port(name, p, p)
		sp["nodePort"] = float64(node)
		return sp
	}
	headless := mustGet(t, m, "bus-headless")
	assertInputs(t, headless, map[string]any{"spec": map[string]any{
		"clusterIP":                "None",
		"publishNotReadyAddresses": true,
		"selector":                 sel,
		"ports": []any{port("kafka", 9093, 9093), port("admin", 9644, 9644), port("schema-registry", 8081, 8081),
			port("http-proxy", 8082, 8082), port("rpc", 33145, 33145)},
	}})
	if got := dig(t, headless.Inputs, "metadata", "name"); got != "redpanda" {
		t.Errorf("headless service name = %v, want redpanda (the pods' DNS domain)", got)
	}
	assertInputs(t, mustGet(t, m, "bus-client"), map[string]any{"spec": map[string]any{
		"type":     "ClusterIP",
		"selector": sel,
		"ports":    []any{port("kafka", 9093, 9093), port("admin", 9644, 9644), port("schema-registry", 8081, 8081), port("http-proxy", 8082, 8082)},
	}})
	ext := mustGet(t, m, "bus-external")
	assertInputs(t, ext, map[string]any{"spec": map[string]any{
		"type":                  "NodePort",
		"externalTrafficPolicy": "Local",
		"selector":              sel,
		"ports":                 []any{nodePort("kafka-ext", 9094, 31092)},
	}})
	// By default only Kafka is published: the admin API, the registry and the
	// proxy have no Service outside the cluster.
	for _, r := range m.sorted() {
		if r.Type == "kubernetes:core/v1:Service" && strings.HasPrefix(r.Name, "bus-external-") {
			t.Errorf("%s publishes an internal API", r.Name)
		}
	}
	// Published explicitly, each API gets a NodePort Service of its own.
	a := prodArgs()
	all := ListenerArgs{Exposure: ExposureExternal, SourceRanges: []string{"10.20.0.0/16"}}
	a.Listeners = ListenersArgs{Kafka: all, SchemaRegistry: all, HTTPProxy: all, Admin: all}
	m, _ = deployProd(t, a)
	for name, p := range map[string]map[string]any{
		"bus-external":           nodePort("kafka-ext", 9094, 31092),
		"bus-external-sr-ext":    nodePort("sr-ext", 8084, 30081),
		"bus-external-proxy-ext": nodePort("proxy-ext", 8083, 30082),
		"bus-external-admin-ext": nodePort("admin-ext", 9644, 31644),
	} {
		assertInputs(t, mustGet(t, m, name), map[string]any{"spec": map[string]any{
			"type": "NodePort", "externalTrafficPolicy": "Local", "selector": sel, "ports": []any{p},
		}})
	}
	// The pain point, checked end to end: every broker advertises, on its
	// external listener, exactly the NodePort the Service publishes.
	kafkaNode := dig(t, mustGet(t, m, "bus-external").Inputs, "spec", "ports", 0, "nodePort").(float64)
	proxyNode := dig(t, mustGet(t, m, "bus-external-proxy-ext").Inputs, "spec", "ports", 0, "nodePort").(float64)
	for _, b := range renderedProdWith(t, a) {
		if want := fmt.Sprintf("external://redpanda-%d.bus.example.com:%d", b.Index, int(kafkaNode)); !strings.Contains(flagValue(b.Args, "--advertise-kafka-addr"), want) {
			t.Errorf("broker %d advertises %s, want %s", b.Index, flagValue(b.Args, "--advertise-kafka-addr"), want)
		}
		if want := fmt.Sprintf(":%d", int(proxyNode)); !strings.HasSuffix(flagValue(b.Args, "--advertise-pandaproxy-addr"), want) {
			t.Errorf("broker %d advertises proxy %s, want port %s", b.Index, flagValue(b.Args, "--advertise-pandaproxy-addr"), want)
		}
	}
}

func TestKubernetesLoadBalancerPerBroker(t *testing.T) {
	a := prodArgs()
	a.ExternalServiceType = ExternalLoadBalancer
	a.Kubernetes.ExternalServiceAnnotations = map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}
	a.Listeners.Kafka.SourceRanges = []string{"198.51.100.0/24", "10.20.0.0/16", "10.20.0.0/16"}
	a.Listeners.Kafka.Annotations = map[string]string{"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
	m, _ := deployProd(t, a)
	if _, ok := m.byName("bus-external"); ok {
		t.Error("a LoadBalancer setup must not also create the shared NodePort Service")
	}
	for i := 0; i < 3; i++ {
		svc := mustGet(t, m, fmt.Sprintf("bus-external-%d", i))
		podSel := stringAnyMap(selectorLabels("bus"))
		podSel["statefulset.kubernetes.io/pod-name"] = fmt.Sprintf("redpanda-%d", i)
		lb := func(name string, p, target int) map[string]any {
			return map[string]any{"name": name, "port": float64(p), "targetPort": float64(target), "protocol": "TCP"}
		}
		assertInputs(t, svc, map[string]any{
			"metadata": map[string]any{
				"name": fmt.Sprintf("redpanda-%d-external", i), "namespace": "marketbus",
				"labels": withRole(ClusterLabels("bus", "prod"), "external"),
				"annotations": map[string]any{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
					"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
			},
			"spec": map[string]any{
				"type": "LoadBalancer", "externalTrafficPolicy": "Local", "selector": podSel,
				// The load balancer listens on the advertised port, Kafka only,
				// to the listener's source ranges (sorted, once each).
				"ports":                    []any{lb("kafka-ext", 31092, 9094)},
				"loadBalancerSourceRanges": []any{"10.20.0.0/16", "198.51.100.0/24"},
			},
		})
	}
	for _, r := range m.sorted() {
		if r.Type == "kubernetes:core/v1:Service" && strings.Contains(r.Name, "-ext-") {
			t.Errorf("%s: the admin API, registry and proxy are internal by default and get no LoadBalancer", r.Name)
		}
	}
}

func TestKubernetesInternalOnly(t *testing.T) {
	a := prodArgs()
	a.ExternalDomain = ""
	a.SASL, a.SuperuserPassword = nil, nil
	a.Listeners = ListenersArgs{}
	m, out := deployProd(t, a)
	for _, r := range m.sorted() {
		if strings.HasPrefix(r.Name, "bus-external") {
			t.Errorf("%s created without an external domain", r.Name)
		}
		if r.Name == "bus-superuser" {
			t.Error("superuser Secret created with SASL off")
		}
	}
	if len(out.ExternalBootstrapServers) != 0 || out.ExternalBootstrap != "" {
		t.Errorf("external bootstrap = %q, want none", out.ExternalBootstrapServers)
	}
	b := renderedProdWith(t, a)[0]
	if got := flagValue(b.Args, "--kafka-addr"); got != "internal://0.0.0.0:9093" {
		t.Errorf("--kafka-addr = %s, want the internal listener only", got)
	}
	sts := mustGet(t, m, "bus-statefulset")
	if env := dig(t, sts.Inputs, "spec", "template", "spec", "containers", 0).(map[string]any)["env"]; env != nil {
		t.Errorf("env = %v, want none with SASL off", env)
	}
	// The profile falls back to the in-cluster addresses.
	if !strings.Contains(out.RpkProfile, "- redpanda-0.redpanda.marketbus.svc.cluster.local.:9093") {
		t.Errorf("rpk profile:\n%s", out.RpkProfile)
	}
}

func renderedProdWith(t *testing.T, a Args) []BrokerConfig {
	t.Helper()
	brokers, err := RenderCluster(a.withDefaults().Topology())
	if err != nil {
		t.Fatal(err)
	}
	return brokers
}

func stringAnyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v.(string)
	}
	return out
}

// withRole is a Service's labels: the cluster's plus its role.
func withRole(labels map[string]string, role string) map[string]any {
	m := stringAnyMap(labels)
	m[ServiceRoleLabel] = role
	return m
}

// TestMetricsSelectorMatchesOnlyTheHeadlessService: a ServiceMonitor with this selector
// scrapes each broker once; matching the client or external Services too would scrape
// every broker two or three times.
func TestMetricsSelectorMatchesOnlyTheHeadlessService(t *testing.T) {
	a := prodArgs()
	a.ExternalServiceType = ExternalLoadBalancer
	m, _ := deployProd(t, a)
	var matched []string
	for _, r := range m.sorted() {
		if r.Type != "kubernetes:core/v1:Service" {
			continue
		}
		labels, _ := r.Inputs["metadata"].(map[string]any)["labels"].(map[string]any)
		all := true
		for k, v := range MetricsServiceSelector("bus", "prod") {
			all = all && labels[k] == v
		}
		if all {
			matched = append(matched, r.Name)
		}
	}
	if len(matched) != 1 || matched[0] != "bus-headless" {
		t.Errorf("metrics selector matches %v, want only bus-headless", matched)
	}
}
