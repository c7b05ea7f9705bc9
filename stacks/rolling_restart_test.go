package stacks

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestProgramRollingRestart: with a published admin API (the shipped prod stack) the StatefulSet is OnDelete and a
// RollingRestart follows it and the ClusterConfig (whose restartBrokers it takes), with the
// pod template's hash as its trigger, and topics wait for it; with the default internal admin
// API nothing could roll OnDelete pods, so the StatefulSet keeps RollingUpdate and there is
// no RollingRestart.
func TestProgramRollingRestart(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	shipped, err := StackFileSource("..", filepath.Join("..", "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	shipped[KeySASLPassword], shipped[KeyGrafanaToken] = "s3cret", "glsa_token"
	cases := []struct {
		name     string
		src      MapSource
		want     bool
		strategy string
	}{
		{"shipped prod stack", shipped, true, "OnDelete"},
		{"external admin API", prodSource(`{"externalDomain":"bus.example.com","listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]},"admin":{"exposure":"external","sourceRanges":["10.30.0.0/24"]}}}`), true, "OnDelete"},
		{"internal admin API", prodSource(`{"externalDomain":"bus.example.com"}`), false, "RollingUpdate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := runProgram(t, "prod", tc.src)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			sts := findType(rec, "kubernetes:apps/v1:StatefulSet")
			if len(sts) != 1 {
				t.Fatalf("%d StatefulSets", len(sts))
			}
			if got := sts[0].Inputs["spec"].ObjectValue()["updateStrategy"].ObjectValue()["type"].StringValue(); got != tc.strategy {
				t.Errorf("updateStrategy = %s, want %s", got, tc.strategy)
			}
			rr, ok := rec.reg["marketbus:index:RollingRestart::rolling-restart"]
			if ok != tc.want {
				t.Fatalf("RollingRestart registered = %t, want %t", ok, tc.want)
			}
			if !ok {
				return
			}
			in := rr.Inputs
			meta := sts[0].Inputs["metadata"].ObjectValue()
			if in["namespace"] != meta["namespace"] || in["statefulSet"] != meta["name"] {
				t.Errorf("namespace / statefulSet = %v / %v, want the StatefulSet's %v / %v", in["namespace"], in["statefulSet"], meta["namespace"], meta["name"])
			}
			if h := in["templateHash"].StringValue(); len(h) != 64 {
				t.Errorf("templateHash = %q, want the pod template's SHA-256", h)
			}
			if hosts := in["rpcHosts"].ArrayValue(); len(hosts) != 3 || !strings.HasPrefix(hosts[1].StringValue(), "redpanda-1.") {
				t.Errorf("rpcHosts = %v", hosts)
			}
			if urls := in["adminUrls"].ArrayValue(); len(urls) != 3 || !strings.HasPrefix(urls[0].StringValue(), "https://") {
				t.Errorf("adminUrls = %v, want the published https admin listeners", urls)
			}
			deps := rr.RegisterRPC.GetDependencies()
			if !containsAll(deps, "StatefulSet::", "ClusterConfig::cluster-config", "ClusterHealth::cluster-health") {
				t.Errorf("RollingRestart dependencies = %v, want the StatefulSet, the ClusterConfig and the health check", deps)
			}
			if topic := rec.reg["marketbus:index:Topic::market-telemetry"].RegisterRPC.GetDependencies(); !containsAll(topic, "RollingRestart::rolling-restart") {
				t.Errorf("topics do not wait for the rollout: %v", topic)
			}
		})
	}
}
