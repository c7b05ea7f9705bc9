package stacks

import (
	"fmt"
	"github.com/marketbus/market-bus/components/cluster"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// principalsOf lists each registered user's ACL bindings and quota, as
// "user: type/pattern/name/operation" and "user: quota k=v" lines, sorted.
func principalsOf(rec *recorder) map[string][]string {
	out := map[string][]string{}
	for _, r := range findType(rec, "marketbus:index:User") {
		out[r.Inputs["name"].StringValue()] = nil
	}
	for _, r := range findType(rec, "marketbus:index:Acl") {
		in := r.Inputs
		user := strings.TrimPrefix(in["principal"].StringValue(), "User:")
		out[user] = append(out[user], fmt.Sprintf("%s/%s/%s/%s", in["resourceType"].StringValue(), in["patternType"].StringValue(),
			in["resourceName"].StringValue(), in["operation"].StringValue()))
	}
	for _, r := range findType(rec, "marketbus:index:ClientQuota") {
		in := r.Inputs
		user := in["user"].StringValue()
		for _, k := range []string{"producerByteRate", "consumerByteRate", "requestPercentage"} {
			if v, ok := in[resource.PropertyKey(k)]; ok && !v.IsNull() {
				out[user] = append(out[user], fmt.Sprintf("quota %s=%v", k, v.NumberValue()))
			}
		}
	}
	for _, v := range out {
		slices.Sort(v)
	}
	return out
}

// TestDevAndProdShipTheSamePrincipals runs the shipped dev and prod stack files under mocks:
// both register feed-handler and analytics with the same minimal ACLs and quotas; prod,
// whose cluster authenticates clients, adds the gate's own user with exactly its topic's
// ACLs, and the gate logs in as it.
func TestDevAndProdShipTheSamePrincipals(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken","market-bus:grafanaAdminPassword"]`)
	dev := stackFileSource(t, "Pulumi.dev.yaml")
	dev[KeyGrafanaAdminPassword] = "admin-pw"
	devRec, err := runProgram(t, "dev", dev)
	if err != nil {
		t.Fatalf("dev program: %v", err)
	}
	prodRec, err := runProgram(t, "prod", prodEU(t))
	if err != nil {
		t.Fatalf("prod program: %v", err)
	}
	want := map[string][]string{
		"feed-handler": {"cluster/literal/kafka-cluster/IdempotentWrite", "quota producerByteRate=1.6777216e+07",
			"topic/literal/fx-stream-global/Describe", "topic/literal/fx-stream-global/Write",
			"topic/literal/market-telemetry/Describe", "topic/literal/market-telemetry/Write"},
		"analytics": {"group/prefixed/analytics-/Read", "quota consumerByteRate=3.3554432e+07",
			"topic/literal/fx-stream-global/Describe", "topic/literal/fx-stream-global/Read",
			"topic/literal/market-telemetry/Describe", "topic/literal/market-telemetry/Read"},
	}
	devP, prodP := principalsOf(devRec), principalsOf(prodRec)
	gate := prodP[GateUser]
	delete(prodP, GateUser)
	for name, stack := range map[string]map[string][]string{"dev": devP, "prod": prodP} {
		if fmt.Sprint(stack) != fmt.Sprint(want) {
			t.Errorf("%s principals:\n got  %v\n want %v", name, stack, want)
		}
	}
	wantGate := []string{"cluster/literal/kafka-cluster/IdempotentWrite", "quota consumerByteRate=1.408e+08", "quota producerByteRate=1.408e+08",
		"topic/literal/market-bus-gate/Describe", "topic/literal/market-bus-gate/Read", "topic/literal/market-bus-gate/Write"}
	if !slices.Equal(gate, wantGate) {
		t.Errorf("prod gate principal %v, want %v", gate, wantGate)
	}
	if _, ok := devP[GateUser]; ok {
		t.Errorf("dev registers %s although its cluster authenticates nobody", GateUser)
	}
	sasl := prodRec.reg["marketbus:index:LatencyGate::latency-gate"].Inputs["sasl"]
	if sasl.IsNull() || sasl.ObjectValue()["username"].StringValue() != GateUser {
		t.Errorf("prod gate logs in as %v, want %s", sasl, GateUser)
	}
	if prov := prodRec.reg["pulumi:providers:marketbus::marketbus"].Inputs; prov["sasl"].ObjectValue()["username"].StringValue() != "admin" {
		t.Errorf("the provider logs in as %v, want the superuser admin", prov["sasl"])
	}
}

// TestBadPrincipalsAreRefusedBeforeAnything: each bad principal config fails Load with its
// key path, the value and the fix, and the program registers nothing.
func TestBadPrincipalsAreRefusedBeforeAnything(t *testing.T) {
	cases := []struct {
		name, principals string
		wants            []string
	}{
		{"unknown access", `[{"name":"fh","roles":[{"topic":"fx-stream-global","access":"write"}]}]`,
			[]string{"market-bus:principals[0].roles[0].access", `"write"`, "use produce, consume or admin"}},
		{"user name SCRAM rejects", `[{"name":"feed,handler","roles":[{"topic":"fx-stream-global","access":"produce"}]}]`,
			[]string{"market-bus:principals[0].name", `"feed,handler"`, "letters, digits"}},
		{"quota below 1 KiB/s", `[{"name":"fh","roles":[{"topic":"fx-stream-global","access":"produce"}],"quota":{"producerByteRate":512}}]`,
			[]string{"market-bus:principals[0].quota.producerByteRate", "512", "at least 1024"}},
		{"duplicate principals", `[{"name":"fh","roles":[{"topic":"fx-stream-global","access":"produce"}]},{"name":"fh","roles":[{"topic":"market-telemetry","access":"produce"}]}]`,
			[]string{"market-bus:principals[1].name", `"fh"`, "market-bus:principals[0].name", "merge their roles"}},
		{"prefix of empty", `[{"name":"fh","roles":[{"topic":"*","access":"produce"}]}]`,
			[]string{"market-bus:principals[0].roles[0].topic", `"*"`, "matches every topic", "non-empty prefix"}},
		{"consume without a group", `[{"name":"an","roles":[{"topic":"fx-stream-global","access":"consume"}]}]`,
			[]string{"market-bus:principals[0].roles[0].group", "needs the consumer group"}},
		{"group prefix of empty", `[{"name":"an","roles":[{"topic":"fx-stream-global","access":"consume","group":"*"}]}]`,
			[]string{"market-bus:principals[0].roles[0].group", `"*"`, "non-empty prefix"}},
		{"no roles", `[{"name":"idle","roles":[]}]`, []string{"market-bus:principals[0].roles", "at least one"}},
		{"the gate's user", `[{"name":"market-bus-gate","roles":[{"topic":"fx-stream-global","access":"produce"}]}]`,
			[]string{"market-bus:principals[0].name", `"market-bus-gate"`, "the latency gate's own user", "name of its own"}},
		{"group on produce", `[{"name":"fh","roles":[{"topic":"fx-stream-global","access":"produce","group":"g"}]}]`,
			[]string{"market-bus:principals[0].roles[0].group", "only consume roles"}},
		{"a quota of nothing", `[{"name":"fh","roles":[{"topic":"fx-stream-global","access":"produce"}],"quota":{}}]`,
			[]string{"market-bus:principals[0].quota", "sets nothing"}},
		{"misspelt field", `[{"name":"fh","role":[{"topic":"fx-stream-global","access":"produce"}]}]`,
			[]string{"market-bus:principals", `unknown field "role"`}},
		{"bad topic name", `[{"name":"fh","roles":[{"topic":"fx stream","access":"produce"}]}]`,
			[]string{"market-bus:principals[0].roles[0].topic", `"fx stream"`, "letters, digits"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := MapSource{}
			for k, v := range localConfig() {
				src[k] = v
			}
			src[KeyTopics] = `[{"name":"fx-stream-global","partitions":3,"replicationFactor":3},{"name":"market-telemetry","partitions":3,"replicationFactor":3}]`
			src[KeyPrincipals] = tc.principals
			_, err := Load("local", src)
			if err == nil {
				t.Fatal("Load accepted it")
			}
			// The first want is the one problem's exact key; the rest are in its message.
			wantKeys(t, err, tc.wants[0])
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%v", w, err)
				}
			}
			rec, err := runProgram(t, "local", src)
			if err == nil || len(rec.reg) > 0 {
				t.Errorf("the program registered %v (err %v), want nothing", keys(rec.reg), err)
			}
		})
	}
}

// TestPrincipalOnAnUnownedTopicWarns: a role on a topic the stack does not manage is a
// warning, and its ACLs ask the provider to refuse the binding when the topic is missing.
func TestPrincipalOnAnUnownedTopicWarns(t *testing.T) {
	src := MapSource{}
	for k, v := range localConfig() {
		src[k] = v
	}
	src[KeyPrincipals] = `[{"name":"fh","roles":[{"topic":"orders","access":"produce"},{"topic":"market-telemetry","access":"produce"}]}]`
	spec, err := Load("local", src)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(spec.Warnings) != 1 || !strings.Contains(spec.Warnings[0], `market-bus:principals[0].roles[0].topic = "orders" is not one of market-bus:topics`) {
		t.Errorf("warnings = %q", spec.Warnings)
	}
	rec, err := runProgram(t, "local", src)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	for _, r := range findType(rec, "marketbus:index:Acl") {
		in := r.Inputs
		want := in["resourceType"].StringValue() == "topic" && in["resourceName"].StringValue() == "orders"
		if got := in["requireExistingTopic"].BoolValue(); got != want {
			t.Errorf("%s requireExistingTopic = %v, want %v", r.Name, got, want)
		}
	}
}

// TestClientConfig: the snippets carry what a client of each kind of cluster needs.
func TestClientConfig(t *testing.T) {
	secure := Spec{Cluster: ClusterSpec{CACertFile: "ca.crt", Config: cluster.Config{TLS: ptr(true), SASL: &cluster.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "admin"}}}}
	lib, rpk := clientConfig(secure, []string{"h1:9094", "h2:9094"}, "feed-handler", "SCRAM-SHA-512", "pw")
	for _, w := range []string{"bootstrap.servers=h1:9094,h2:9094\n", "security.protocol=SASL_SSL\n", "ssl.ca.location=ca.crt\n",
		"sasl.mechanisms=SCRAM-SHA-512\n", "sasl.username=feed-handler\n", "sasl.password=pw\n"} {
		if !strings.Contains(lib, w) {
			t.Errorf("librdkafka config lacks %q:\n%s", w, lib)
		}
	}
	if want := "-X brokers=h1:9094,h2:9094 -X tls.enabled=true -X tls.ca=ca.crt -X sasl.mechanism=SCRAM-SHA-512 -X user=feed-handler -X pass=pw"; rpk != want {
		t.Errorf("rpk flags = %q, want %q", rpk, want)
	}
	lib, rpk = clientConfig(Spec{}, []string{"h1:9092"}, "feed-handler", "SCRAM-SHA-512", "pw")
	if strings.Contains(lib, "pw") || strings.Contains(rpk, "pw") || !strings.Contains(lib, "security.protocol=PLAINTEXT") ||
		!strings.Contains(lib, "ACLs are not enforced") {
		t.Errorf("a cluster without SASL: librdkafka %q, rpk %q", lib, rpk)
	}
}
