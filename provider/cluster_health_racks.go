package provider

import (
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
)

// rackWarnings lists what defeats rack awareness in md: brokers without a rack while others
// have one, and partitions of topics with two replicas in one rack, which one zone outage
// would take down together. A cluster where no broker has a rack gets no warning: rack
// awareness is simply off. Warnings, not failures: the cluster still takes traffic.
func rackWarnings(md kadm.Metadata, topics []string) []string {
	racks := map[int32]string{}
	var without []int32
	for _, b := range md.Brokers {
		if b.Rack != nil && *b.Rack != "" {
			racks[b.NodeID] = *b.Rack
		} else {
			without = append(without, b.NodeID)
		}
	}
	if len(racks) == 0 {
		return nil
	}
	var out []string
	if len(without) > 0 {
		sort.Slice(without, func(i, j int) bool { return without[i] < without[j] })
		out = append(out, fmt.Sprintf("brokers %v have no rack while others do: their replicas are placed without regard to zones", without))
	}
	for _, name := range topics {
		t, ok := md.Topics[name]
		if !ok || t.Err != nil {
			continue
		}
		var shared []string
		for _, pd := range t.Partitions.Sorted() {
			seen := map[string][]int32{}
			for _, r := range pd.Replicas {
				if rack, ok := racks[r]; ok {
					seen[rack] = append(seen[rack], r)
				}
			}
			for rack, ids := range seen {
				if len(ids) > 1 {
					shared = append(shared, fmt.Sprintf("%d (replicas %v in rack %s)", pd.Partition, ids, rack))
				}
			}
		}
		if len(shared) > 0 {
			out = append(out, fmt.Sprintf("topic %s: partitions whose replicas share a rack: %s", name, strings.Join(shared, ", ")))
		}
	}
	return out
}
