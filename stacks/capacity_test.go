package stacks

import (
	"strings"
	"testing"
)

// TestShippedProdFitsItsDisk: the prod stack's defaults (topics with retention.bytes, the
// gate's topic) fit 80 % of its 50 GiB volumes at the certified 100,000 msg/s × 256 B.
func TestShippedProdFitsItsDisk(t *testing.T) {
	spec, err := Load("prod", prodSource(`{"externalDomain":"bus.example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	rep, ok := spec.CapacityReport()
	if !ok {
		t.Fatal("prod has a storageSize and a gate: its capacity must be judged")
	}
	if rep.Exceeds() || spec.CapacityWarning() != "" {
		t.Errorf("shipped prod needs %.0f B per broker of %.0f usable: %s", rep.BrokerBytes, rep.UsableBytes, spec.CapacityWarning())
	}
	if len(rep.Topics) != 3 {
		t.Errorf("estimate covers %d topics, want the two data topics and the gate's", len(rep.Topics))
	}
}

// TestCapacityWarning: the case (7 days of market-telemetry, no retention.bytes)
// warns with the numbers, the key paths and the fixes; stacks without a volume size are
// not judged.
func TestCapacityWarning(t *testing.T) {
	src := prodSource(`{"externalDomain":"bus.example.com"}`)
	src[KeyTopics] = `[{"name":"market-telemetry","partitions":12,"replicationFactor":3,"config":{"retention.ms":"604800000","min.insync.replicas":"2"}}]`
	spec, err := Load("prod", src)
	if err != nil {
		t.Fatal(err)
	}
	w := spec.CapacityWarning()
	for _, want := range []string{"disk capacity: each of the 3 brokers needs about 14.1 TiB", "100000 msg/s × 256 B",
		"market-bus:cluster.storageSize = 50.0 GiB", "40.0 GiB usable", "market-telemetry 14.1 TiB (12 partitions, RF 3, retention.ms 7d)",
		`market-bus:topics[0].config.retention.bytes: "`, "shorten retention.ms", "raise market-bus:cluster.storageSize", "redpanda.remote.read"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning %q\n does not say %q", w, want)
		}
	}
	local, err := Load("local", MapSource{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := local.CapacityReport(); ok {
		t.Error("an external cluster without storageSize was judged")
	}
}
