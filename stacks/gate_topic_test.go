package stacks

import (
	"slices"
	"strings"
	"testing"
)

// TestGateTopicIsManaged: the gate's topic is a Topic of the stack with the gate's
// partitions and replication, short retention and no deletion protection, and the gate
// waits for it (so destroy deletes the gate first, then its topic).
func TestGateTopicIsManaged(t *testing.T) {
	cfg := localConfig()
	cfg[KeyGate] = `{"partitions":6,"replicationFactor":2}`
	rec, err := runProgram(t, "local", cfg)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	topic, ok := rec.reg["marketbus:index:Topic::gate-topic"]
	if !ok {
		t.Fatalf("no gate topic registered; got %v", keys(rec.reg))
	}
	in := topic.Inputs
	conf := in["config"].ObjectValue()
	if in["name"].StringValue() != "market-bus-gate" || in["partitions"].NumberValue() != 6 || in["replicationFactor"].NumberValue() != 2 ||
		in["deletionProtection"].BoolValue() || !in["replaceUnmanaged"].BoolValue() ||
		conf["retention.ms"].StringValue() != "3600000" || conf["retention.bytes"].StringValue() != "268435456" ||
		conf["min.insync.replicas"].StringValue() != "2" {
		t.Errorf("gate topic inputs = %v", in)
	}
	gate := rec.reg["marketbus:index:LatencyGate::latency-gate"]
	if gate.Inputs["topic"].StringValue() != "market-bus-gate" || gate.Inputs["partitions"].NumberValue() != 6 || gate.Inputs["replicationFactor"].NumberValue() != 2 {
		t.Errorf("gate inputs = %v", gate.Inputs)
	}
	deps := gate.RegisterRPC.GetDependencies()
	if !slices.ContainsFunc(deps, func(u string) bool { return strings.HasSuffix(u, "marketbus:index:Topic::gate-topic") }) {
		t.Errorf("the gate does not depend on its topic: %v", deps)
	}

	cfg[KeyGate] = `{"enabled":false}`
	rec, err = runProgram(t, "local", cfg)
	if err != nil {
		t.Fatalf("program without the gate: %v", err)
	}
	if _, ok := rec.reg["marketbus:index:Topic::gate-topic"]; ok {
		t.Error("a disabled gate still gets a topic")
	}
}

// TestLoadRejectsBadGateTopic: a gate topic that is a managed topic, or that the brokers
// cannot replicate, is refused at load with the key, value and fix.
func TestLoadRejectsBadGateTopic(t *testing.T) {
	cases := []struct {
		name string
		src  MapSource
		key  string
		want []string
	}{
		{"collides with a managed topic", MapSource{KeyGate: `{"topic":"market-telemetry"}`}, "gate.topic",
			[]string{`market-bus:gate.topic = "market-telemetry": it is also market-bus:topics[0].name`, "give the gate a topic of its own"}},
		{"replication above broker count", MapSource{KeyGate: `{"replicationFactor":4}`}, "gate.replicationFactor",
			[]string{"market-bus:gate.replicationFactor = 4: more than the 3 broker(s)", "at most 3"}},
		{"bad name", MapSource{KeyGate: `{"topic":"gate/runs"}`}, "gate.topic",
			[]string{`market-bus:gate.topic = "gate/runs"`, "letters, digits"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("local", tc.src)
			if err == nil {
				t.Fatal("accepted")
			}
			wantKeys(t, err, Key(tc.key))
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not mention %q", err, w)
				}
			}
		})
	}
}
