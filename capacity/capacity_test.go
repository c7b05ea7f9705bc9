package capacity

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

const gib = 1 << 30

// TestIssueExample pins the numbers of the issue: market-telemetry keeps 7 days at 100,000
// msg/s of 256 B, RF 3 on 3 brokers: about 14 TiB (15.5 TB) per broker against 50 GiB.
func TestIssueExample(t *testing.T) {
	r := Estimate(Cluster{Brokers: 3, DiskBytes: 50 * gib}, Load{MsgPerSec: 100000, MessageBytes: 256},
		[]Topic{{Name: "market-telemetry", Partitions: 12, ReplicationFactor: 3, Config: map[string]string{"retention.ms": "604800000"}}})
	want := 100000.0*256*604800 + 12*float64(DefaultSegmentBytes)
	if math.Abs(r.BrokerBytes-want) > 1 || !r.Exceeds() {
		t.Fatalf("broker need %.0f (exceeds %v), want %.0f", r.BrokerBytes, r.Exceeds(), want)
	}
	if r.UsableBytes != 40*gib {
		t.Errorf("usable %.0f, want 40 GiB", r.UsableBytes)
	}
	msg := r.Problem("market-bus:cluster.storageSize", func(string) string { return "market-bus:topics[0]" })
	for _, w := range []string{"each of the 3 brokers needs about 14.1 TiB", "100000 msg/s × 256 B", "market-bus:cluster.storageSize = 50.0 GiB",
		"leaves 40.0 GiB usable (80 %)", "market-telemetry 14.1 TiB (12 partitions, RF 3, retention.ms 7d)",
		`market-bus:topics[0].config.retention.bytes: "`, "shorten retention.ms", "raise market-bus:cluster.storageSize",
		"redpanda.remote.write", "retention.local.target.ms"} {
		if !strings.Contains(msg, w) {
			t.Errorf("problem %q\n does not say %q", msg, w)
		}
	}
}

func TestEstimate(t *testing.T) {
	cluster := Cluster{Brokers: 3, DiskBytes: 50 * gib}
	load := Load{MsgPerSec: 100000, MessageBytes: 256}
	cases := []struct {
		name    string
		topics  []Topic
		want    float64 // per broker
		bound   string
		exceeds bool
	}{
		{"retention.bytes bounds", []Topic{{Name: "t", Partitions: 12, ReplicationFactor: 3,
			Config: map[string]string{"retention.ms": "604800000", "retention.bytes": "1073741824"}}},
			12 * (gib + float64(DefaultSegmentBytes)), "retention.bytes", false},
		{"short retention.ms is below retention.bytes", []Topic{{Name: "t", Partitions: 10, ReplicationFactor: 1,
			Config: map[string]string{"retention.ms": "1000", "retention.bytes": "1073741824"}}},
			// 25.6 MB/s for 1 s over 10 partitions, and the open segment is at most that too.
			2 * 25600000.0 / 3, "retention.ms", false},
		{"RF above broker count is capped", []Topic{{Name: "t", Partitions: 3, ReplicationFactor: 5,
			Config: map[string]string{"retention.bytes": "0", "segment.bytes": "1048576"}}},
			3 * 1048576, "retention.bytes", false},
		{"infinite retention", []Topic{{Name: "t", Partitions: 1, ReplicationFactor: 1, Config: map[string]string{"retention.ms": "-1"}}},
			math.Inf(1), "nothing", true},
		{"unset retention.ms is 7 days", []Topic{{Name: "t", Partitions: 12, ReplicationFactor: 3}},
			100000.0*256*604800 + 12*float64(DefaultSegmentBytes), "retention.ms", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Estimate(cluster, load, tc.topics)
			if !(math.IsInf(tc.want, 1) && math.IsInf(r.BrokerBytes, 1)) && math.Abs(r.BrokerBytes-tc.want) > 1 {
				t.Errorf("need %.0f, want %.0f", r.BrokerBytes, tc.want)
			}
			if r.Topics[0].BoundBy != tc.bound || r.Exceeds() != tc.exceeds {
				t.Errorf("bound %s exceeds %v, want %s %v", r.Topics[0].BoundBy, r.Exceeds(), tc.bound, tc.exceeds)
			}
		})
	}
}

// TestSuggestionFits: applying the suggested retention.bytes to every topic passes.
func TestSuggestionFits(t *testing.T) {
	cluster := Cluster{Brokers: 3, DiskBytes: 50 * gib}
	load := Load{MsgPerSec: 100000, MessageBytes: 256}
	topics := []Topic{
		{Name: "a", Partitions: 12, ReplicationFactor: 3, Config: map[string]string{"retention.ms": "604800000"}},
		{Name: "b", Partitions: 6, ReplicationFactor: 3, Config: map[string]string{"retention.ms": "86400000"}},
	}
	s := Estimate(cluster, load, topics).SuggestedRetentionBytes()
	if s <= 0 {
		t.Fatalf("suggestion %d", s)
	}
	for i := range topics {
		topics[i].Config["retention.bytes"] = strconv.FormatInt(s, 10)
	}
	if r := Estimate(cluster, load, topics); r.Exceeds() {
		t.Errorf("with the suggested %d B per partition the need is still %s of %s", s, Bytes(r.BrokerBytes), Bytes(r.UsableBytes))
	}
}
