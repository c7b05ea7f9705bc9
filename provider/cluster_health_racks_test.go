package provider

import (
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
)

func metadataWith(racks map[int32]string, replicas map[int32][]int32) kadm.Metadata {
	md := kadm.Metadata{Topics: kadm.TopicDetails{}}
	for id := int32(0); id < 3; id++ {
		b := kadm.BrokerDetail{NodeID: id}
		if r, ok := racks[id]; ok {
			b.Rack = kadm.StringPtr(r)
		}
		md.Brokers = append(md.Brokers, b)
	}
	td := kadm.TopicDetail{Topic: "market-telemetry", Partitions: kadm.PartitionDetails{}}
	for p, reps := range replicas {
		td.Partitions[p] = kadm.PartitionDetail{Topic: "market-telemetry", Partition: p, Replicas: reps}
	}
	md.Topics["market-telemetry"] = td
	return md
}

// TestRackWarnings: replicas sharing a rack and brokers without one are named; a cluster
// without racks, or with every partition spread, warns of nothing.
func TestRackWarnings(t *testing.T) {
	three := map[int32]string{0: "zone-a", 1: "zone-b", 2: "zone-c"}
	cases := []struct {
		name     string
		racks    map[int32]string
		replicas map[int32][]int32
		want     []string
	}{
		{"no racks at all", nil, map[int32][]int32{0: {0, 1, 2}}, nil},
		{"spread over three zones", three, map[int32][]int32{0: {0, 1, 2}, 1: {1, 2, 0}}, nil},
		{"two replicas in one zone", map[int32]string{0: "zone-a", 1: "zone-a", 2: "zone-c"}, map[int32][]int32{0: {2, 0}, 1: {0, 1, 2}},
			[]string{"topic market-telemetry: partitions whose replicas share a rack: 1 (replicas [0 1] in rack zone-a)"}},
		{"a broker without a rack", map[int32]string{0: "zone-a", 1: "zone-b"}, map[int32][]int32{0: {0, 1}},
			[]string{"brokers [2] have no rack while others do: their replicas are placed without regard to zones"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rackWarnings(metadataWith(tc.racks, tc.replicas), []string{"market-telemetry", "not-created-yet"}); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("warnings = %q\nwant %q", got, tc.want)
			}
		})
	}
}
