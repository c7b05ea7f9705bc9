package stacks

import (
	"strings"
	"testing"
)

// TestProgramBrokerSet: with a published admin API the prod StatefulSet waits for a
// BrokerSet (so a decrease decommissions before it shrinks), on a provider of its own whose
// SASL password stays secret; with the default internal admin API there is none.
func TestProgramBrokerSet(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	admin := prodSource(`{"externalDomain":"bus.example.com","listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]},"admin":{"exposure":"external","sourceRanges":["10.30.0.0/24"]}}}`)
	cases := []struct {
		name string
		src  MapSource
		want bool
	}{
		{"external admin API", admin, true},
		{"internal admin API", prodSource(`{"externalDomain":"bus.example.com"}`), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := runProgram(t, "prod", tc.src)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			set, ok := rec.reg["marketbus:index:BrokerSet::brokers"]
			if ok != tc.want {
				t.Fatalf("BrokerSet registered = %t, want %t", ok, tc.want)
			}
			if !ok {
				return
			}
			in := set.Inputs
			if in["brokers"].NumberValue() != 3 || in["maxReplicationFactor"].NumberValue() != 3 {
				t.Errorf("brokers / maxReplicationFactor = %v / %v, want 3 / 3", in["brokers"], in["maxReplicationFactor"])
			}
			hosts := in["rpcHosts"].ArrayValue()
			if len(hosts) != 3 || !strings.HasPrefix(hosts[2].StringValue(), "redpanda-2.") {
				t.Errorf("rpcHosts = %v, want the three pods' names in ordinal order", hosts)
			}
			if urls := in["adminUrls"].ArrayValue(); len(urls) != 3 || !strings.HasPrefix(urls[0].StringValue(), "https://") {
				t.Errorf("adminUrls = %v, want the published https admin listeners", urls)
			}
			if deps := set.RegisterRPC.GetProvider(); !strings.Contains(deps, "marketbus-brokers") {
				t.Errorf("BrokerSet provider = %q, want its own marketbus-brokers", deps)
			}
			if pw := rec.reg["pulumi:providers:marketbus::marketbus-brokers"].Inputs["sasl"].ObjectValue()["password"]; !pw.IsSecret() {
				t.Errorf("the broker set's provider SASL password = %v, want a secret", pw)
			}
			sts := findType(rec, "kubernetes:apps/v1:StatefulSet")
			if len(sts) != 1 || !containsAll(sts[0].RegisterRPC.GetDependencies(), "BrokerSet::brokers") {
				t.Errorf("the StatefulSet does not wait for the BrokerSet: %v", sts[0].RegisterRPC.GetDependencies())
			}
		})
	}
}
