package provider

import (
	"os"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

func gateProps(topic string, p99 float64, reportDir string) property.Map {
	return property.NewMap(map[string]property.Value{
		"topic":           property.New(topic),
		"schemaId":        property.New(7.0),
		"rate":            property.New(2000.0),
		"durationSeconds": property.New(2.0),
		"warmupSeconds":   property.New(1.0),
		// A fixed warm-up: the default adaptive one would wait 90 s for the impossible target.
		"maxWarmupSeconds":       property.New(0.0),
		"maxAvgLatencyMs":        property.New(p99),
		"maxP99LatencyMs":        property.New(p99),
		"minThroughputMsgPerSec": property.New(1.0),
		"reportDir":              property.New(reportDir),
	})
}

// TestLatencyGateOnRealCluster: a reachable target passes and publishes its measurements; an
// impossible one fails with measured-vs-target, and nothing is recorded, so the next `up`
// measures again.
func TestLatencyGateOnRealCluster(t *testing.T) {
	s := server(t)
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:LatencyGate", "gate")
	topic := uniqueTopic(t)
	t.Cleanup(func() { _, _ = adminForCleanup(t).DeleteTopic(t.Context(), topic) })
	dir := t.TempDir()

	// A generous target: this test proves the mechanism, and right after a cluster starts
	// its JVMs are cold (seconds of p99 are normal then); speed is measured by benchmarks.
	chk, err := s.Check(p.CheckRequest{Urn: urn, Inputs: gateProps(topic, 30000, dir)})
	if err != nil || len(chk.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, chk.Failures)
	}
	pre, err := s.Create(p.CreateRequest{Urn: urn, Properties: chk.Inputs, DryRun: true})
	if v := pre.Properties.Get("received"); err != nil || (v.IsNumber() && v.AsNumber() != 0) {
		t.Fatalf("preview must not measure: %v %v", pre.Properties.Get("received"), err)
	}
	ok, err := s.Create(p.CreateRequest{Urn: urn, Properties: chk.Inputs})
	if err != nil {
		t.Fatalf("a reachable target failed: %v", err)
	}
	out := ok.Properties
	if !out.Get("passed").AsBool() || out.Get("received").AsNumber() < 2000 || out.Get("p99LatencyMs").AsNumber() <= 0 ||
		out.Get("throughputMsgPerSec").AsNumber() <= 0 || out.Get("lost").AsNumber() != 0 {
		t.Errorf("outputs = %v", out)
	}
	for _, k := range []string{"reportJson", "reportSvg"} {
		if _, err := os.Stat(out.Get(k).AsString()); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}

	bad, _ := s.Check(p.CheckRequest{Urn: urn, Inputs: gateProps(topic, 0.5, dir)})
	_, err = s.Update(p.UpdateRequest{ID: ok.ID, Urn: urn, State: out, Inputs: bad.Inputs, OldInputs: chk.Inputs})
	if err == nil || !strings.Contains(err.Error(), "latency gate failed") || !strings.Contains(err.Error(), "measured") || !strings.Contains(err.Error(), "0.50 ms") {
		t.Fatalf("impossible threshold: err = %v, want measured vs target", err)
	}
}

func TestLatencyGateDisabledSkips(t *testing.T) {
	s := server(t)
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:LatencyGate", "gate")
	props := gateProps("unused", 100, "").Set("enabled", property.New(false))
	chk, err := s.Check(p.CheckRequest{Urn: urn, Inputs: props})
	if err != nil || len(chk.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, chk.Failures)
	}
	res, err := s.Create(p.CreateRequest{Urn: urn, Properties: chk.Inputs})
	if err != nil || !res.Properties.Get("skipped").AsBool() {
		t.Fatalf("disabled gate: %v %v", res.Properties, err)
	}
}

func TestLatencyGateRejectsBadLoad(t *testing.T) {
	s := server(t)
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:LatencyGate", "gate")
	props := gateProps("t", 100, "").Set("rate", property.New(0.0)).Set("acks", property.New("most"))
	chk, err := s.Check(p.CheckRequest{Urn: urn, Inputs: props})
	if err != nil {
		t.Fatal(err)
	}
	if len(chk.Failures) == 0 || !strings.Contains(chk.Failures[0].Reason, "rate") {
		t.Errorf("failures = %+v, want one naming rate", chk.Failures)
	}
}
