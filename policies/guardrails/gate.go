package guardrails

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// latencyGate: a prod deployment is proven against the SLO before it counts as done.
func latencyGate() definition {
	avg := numberSetting("sloMaxAvgLatencyMs", "The SLO's average end-to-end latency, ms: maxAvgLatencyMs may not be above it.", 50, 0)
	p99 := numberSetting("sloMaxP99LatencyMs", "The SLO's p99 end-to-end latency, ms: maxP99LatencyMs may not be above it.", 100, 0)
	tput := numberSetting("sloMinThroughputMsgPerSec", "The SLO's throughput, msg/s: minThroughputMsgPerSec may not be below it.", 100000, 0)
	return definition{
		name: "latency-gate",
		description: "On production, the LatencyGate is enabled with thresholds no looser than the SLO " +
			"(avg <= 50 ms, p99 <= 100 ms, throughput >= 100000 msg/s).",
		prodOnly: true,
		types:    []string{typeLatencyGate},
		settings: []setting{avg, p99, tput},
		check: func(o Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			var out []string
			// enabled defaults to true, as the stack's gate config does.
			if on, ok := boolean(r.Properties.Get("enabled")); ok && !on {
				out = append(out, fmt.Sprintf("%s: enabled false on stack %s; rule: every prod deployment passes the latency gate",
					label(r), o.Stack))
			}
			limits := []struct {
				key     string
				slo     float64
				unit    string
				ceiling bool // the threshold may not be above the SLO (else: below)
			}{
				{"maxAvgLatencyMs", avg.number(cfg), "ms", true},
				{"maxP99LatencyMs", p99.number(cfg), "ms", true},
				{"minThroughputMsgPerSec", tput.number(cfg), "msg/s", false},
			}
			for _, l := range limits {
				v := r.Properties.Get(l.key)
				if v.IsComputed() {
					continue
				}
				got, ok := num(v)
				switch {
				case !ok:
					out = append(out, fmt.Sprintf("%s: %s is not set; rule: on stack %s set it explicitly, at most as loose as the SLO %s %s (the policy cannot see provider defaults)",
						label(r), l.key, o.Stack, fmtNum(l.slo), l.unit))
				case l.ceiling && got > l.slo:
					out = append(out, fmt.Sprintf("%s: %s %s is looser than the SLO %s %s; rule: on stack %s the gate may not be looser than the SLO",
						label(r), l.key, fmtNum(got), fmtNum(l.slo), l.unit, o.Stack))
				case !l.ceiling && got < l.slo:
					out = append(out, fmt.Sprintf("%s: %s %s is looser than the SLO %s %s; rule: on stack %s the gate may not be looser than the SLO",
						label(r), l.key, fmtNum(got), fmtNum(l.slo), l.unit, o.Stack))
				}
			}
			return out
		},
	}
}
