package bench

import (
	"strings"
	"testing"
)

func TestThresholdsCheck(t *testing.T) {
	base := func() *Result {
		return &Result{
			EndToEnd:   LatencySummary{Count: 100, AvgUs: 2500, P99Us: 8000},
			Throughput: Throughput{ProduceMsgPerSec: 990, ConsumeMsgPerSec: 985},
		}
	}
	for _, tc := range []struct {
		name string
		th   Thresholds
		mod  func(*Result)
		want []string // one line per violation
	}{
		{"all met", Thresholds{MaxAvgMs: 3, MaxP99Ms: 10, MinMsgPerSec: 950}, nil, nil},
		{"zero means unchecked", Thresholds{}, nil, nil},
		{"p99 over", Thresholds{MaxP99Ms: 5}, nil,
			[]string{"e2e p99 latency (corrected): measured 8 ms vs target <= 5 ms"}},
		{"avg over", Thresholds{MaxAvgMs: 2}, nil,
			[]string{"e2e avg latency (corrected): measured 2.50 ms vs target <= 2 ms"}},
		{"rate under", Thresholds{MinMsgPerSec: 988}, nil,
			[]string{"consume rate: measured 985 msg/s vs target >= 988 msg/s"}},
		{"both rates under", Thresholds{MinMsgPerSec: 1000}, nil,
			[]string{"produce rate: measured 990 msg/s vs target >= 1000 msg/s", "consume rate: measured 985 msg/s vs target >= 1000 msg/s"}},
		{"data errors fail by default", Thresholds{}, func(r *Result) {
			r.Counts.Lost, r.Counts.Duplicates, r.Validation.Failed, r.Counts.ProduceErrors = 3, 2, 1, 4
		}, []string{
			"lost records: measured 3 records vs target <= 0 records",
			"duplicate records: measured 2 records vs target <= 0 records",
			"invalid records: measured 1 records vs target <= 0 records",
			"produce errors: measured 4 records vs target <= 0 records",
		}},
		{"data errors allowed", Thresholds{AllowDataErrors: true}, func(r *Result) { r.Counts.Lost = 3 }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			if tc.mod != nil {
				tc.mod(r)
			}
			var got []string
			for _, v := range tc.th.Check(r) {
				got = append(got, v.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestThresholdsValidate(t *testing.T) {
	if err := (Thresholds{MaxP99Ms: 10}).Validate(); err != nil {
		t.Error(err)
	}
	err := (Thresholds{MaxP99Ms: -1, MinMsgPerSec: -2}).Validate()
	if err == nil || !strings.Contains(err.Error(), "max_p99_ms = -1") || !strings.Contains(err.Error(), "min_msg_per_sec = -2") {
		t.Errorf("Validate = %v", err)
	}
}
