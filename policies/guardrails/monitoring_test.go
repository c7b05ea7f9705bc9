package guardrails

import "testing"

// alertRule is a Grafana alert rule with the given annotations.
func alertRule(name string, annotations map[string]any) map[string]any {
	return map[string]any{"name": name, "for": "1m", "condition": "C", "annotations": annotations}
}

// gate is the prod LatencyGate at the SLO; over replaces inputs (nil deletes one).
func gate(over map[string]any) map[string]any {
	g := map[string]any{"enabled": true, "maxAvgLatencyMs": 50, "maxP99LatencyMs": 100, "minThroughputMsgPerSec": 100000}
	for k, v := range over {
		if v == nil {
			delete(g, k)
			continue
		}
		g[k] = v
	}
	return g
}

func monitoringCases(t testing.TB) []policyCase {
	annotated := map[string]any{"summary": "Brokers are down", "runbook_url": "https://runbooks/market-bus#down"}
	return []policyCase{
		// alert-annotations
		{name: "summary and runbook pass", policy: "alert-annotations", stack: "dev", resources: rs(
			res(t, typeRuleGroup, "redpanda", map[string]any{"name": "redpanda", "rules": []any{
				alertRule("RedpandaBrokerDown", annotated),
				alertRule("RedpandaDiskLow", map[string]any{"summary": "Disk low", "runbook": "https://runbooks/disk", "description": unknownV{}}),
			}}))},
		{name: "missing summary and runbook", policy: "alert-annotations", stack: "dev", resources: rs(
			res(t, typeRuleGroup, "redpanda", map[string]any{"rules": []any{
				alertRule("RedpandaBrokerDown", annotated),
				alertRule("RedpandaLag", map[string]any{"summary": " ", "description": "Consumers lag"}),
			}})),
			want: []string{
				`rule group "redpanda" rule "RedpandaLag": annotation "summary" is missing or empty; rule: every alert says what is wrong in one line`,
				`rule group "redpanda" rule "RedpandaLag": no runbook annotation (runbook_url or runbook); rule: every alert links the runbook that resolves it`,
			}},
		{name: "configured annotations", policy: "alert-annotations", config: map[string]any{"requiredAnnotations": []any{"summary", "severity"}},
			resources: rs(res(t, typeRuleGroupAlias, "redpanda", map[string]any{"rules": []any{alertRule("RedpandaBrokerDown", annotated)}})),
			want:      []string{`rule group "redpanda" rule "RedpandaBrokerDown": annotation "severity" is missing or empty; rule: every alert says what is wrong in one line`}},

		// latency-gate
		{name: "at the SLO passes", policy: "latency-gate", resources: rs(res(t, typeLatencyGate, "gate", gate(nil)))},
		{name: "stricter than the SLO passes", policy: "latency-gate", resources: rs(res(t, typeLatencyGate, "gate",
			gate(map[string]any{"maxAvgLatencyMs": 20, "maxP99LatencyMs": 40.5, "minThroughputMsgPerSec": 250000, "enabled": nil})))},
		{name: "disabled and loose", policy: "latency-gate", resources: rs(res(t, typeLatencyGate, "gate",
			gate(map[string]any{"enabled": false, "maxP99LatencyMs": 150, "minThroughputMsgPerSec": 5000}))),
			want: []string{
				`latency gate "gate": enabled false on stack prod; rule: every prod deployment passes the latency gate`,
				`latency gate "gate": maxP99LatencyMs 150 is looser than the SLO 100 ms; rule: on stack prod the gate may not be looser than the SLO`,
				`latency gate "gate": minThroughputMsgPerSec 5000 is looser than the SLO 100000 msg/s; rule: on stack prod the gate may not be looser than the SLO`,
			}},
		{name: "threshold left out", policy: "latency-gate", resources: rs(res(t, typeLatencyGate, "gate", gate(map[string]any{"maxAvgLatencyMs": nil}))),
			want: []string{`latency gate "gate": maxAvgLatencyMs is not set; rule: on stack prod set it explicitly, at most as loose as the SLO 50 ms (the policy cannot see provider defaults)`}},
		{name: "dev may run without the gate", policy: "latency-gate", stack: "dev",
			resources: rs(res(t, typeLatencyGate, "gate", gate(map[string]any{"enabled": false})))},
	}
}

func TestMonitoringPolicies(t *testing.T) { runCases(t, monitoringCases(t)) }
