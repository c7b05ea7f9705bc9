package provider

import (
	"strings"
	"testing"

	"github.com/marketbus/market-bus/bench"
)

// TestGateFailureCarriesTheBrokersReason: a failed gate names each threshold missed and the
// data errors with their examples, so a refused produce reads as the broker's reason.
func TestGateFailureCarriesTheBrokersReason(t *testing.T) {
	res := &bench.Result{}
	res.Counts.ProduceErrors = 12000
	res.ProduceErrorExamples = []string{"producer 0 seq 1: TOPIC_AUTHORIZATION_FAILED: Not authorized to access topics: [Topic authorization failed.]"}
	a := LatencyGateArgs{Rate: 2000, DurationSeconds: 5}
	got := gateFailure(a, []bench.Violation{{Metric: "produce errors", Measured: 12000, Target: 0, Op: "<=", Unit: "records"}}, res)
	for _, want := range []string{
		"latency gate failed at 2000 msg/s offered for 5s:",
		"produce errors: measured 12000 records vs target <= 0 records",
		"12000 produce errors, e.g. [producer 0 seq 1: TOPIC_AUTHORIZATION_FAILED",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("gate failure lacks %q:\n%s", want, got)
		}
	}
}
