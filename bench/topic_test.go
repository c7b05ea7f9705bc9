package bench

import (
	"reflect"
	"testing"
)

func TestAssignPartitions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		offsets   map[int32]int64
		consumers int
		want      []map[int32]int64 // partition → start offset per consumer
	}{
		{"one consumer", map[int32]int64{0: 5, 1: 7}, 1, []map[int32]int64{{0: 5, 1: 7}}},
		{"round robin", map[int32]int64{2: 0, 0: 1, 1: 2}, 2, []map[int32]int64{{0: 1, 2: 0}, {1: 2}}},
		{"more consumers than partitions", map[int32]int64{0: 0, 1: 0}, 5, []map[int32]int64{{0: 0}, {1: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := assignPartitions(tc.offsets, tc.consumers)
			var flat []map[int32]int64
			for _, m := range got {
				f := make(map[int32]int64)
				for p, o := range m {
					f[p] = o.EpochOffset().Offset
				}
				flat = append(flat, f)
			}
			if !reflect.DeepEqual(flat, tc.want) {
				t.Errorf("assignPartitions = %v, want %v", flat, tc.want)
			}
		})
	}
}
