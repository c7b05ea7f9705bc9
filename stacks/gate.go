package stacks

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// deployGate registers the latency gate after the topics and schemas it depends on (and its
// own user, ACLs and quota when login is set). Its
// watch list holds the topic ids and the cluster's addresses, so a new cluster or a
// recreated topic makes it measure again.
func deployGate(ctx *pulumi.Context, g GateSpec, prov pulumi.ProviderResource, schema *marketbus.Schema,
	bootstrap pulumi.StringArrayInput, topics []*marketbus.Topic, deps []pulumi.Resource, login *gateLogin) error {
	if !g.IsEnabled() {
		ctx.Export("latencyGate", pulumi.Map{"enabled": pulumi.Bool(false)})
		return nil
	}
	// A topic's id, shape and config all count as "the topics changed": a retention change
	// measures again, and preview and up agree on it.
	watch := pulumi.StringArray{pulumi.String("trigger=" + g.Trigger)}
	for _, t := range topics {
		watch = append(watch, pulumi.All(t.Name, t.TopicId, t.Partitions, t.ReplicationFactor, t.Config).ApplyT(func(v []any) string {
			cfg, _ := v[4].(map[string]string)
			keys := make([]string, 0, len(cfg))
			for k := range cfg {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = k + "=" + cfg[k]
			}
			return fmt.Sprintf("topic=%v id=%v partitions=%v rf=%v config=%s", v[0], v[1], v[2], v[3], strings.Join(parts, ","))
		}).(pulumi.StringOutput))
	}
	args := &marketbus.LatencyGateArgs{
		Enabled:                pulumi.BoolPtr(true),
		Topic:                  pulumi.StringPtr(g.Topic),
		Partitions:             pulumi.IntPtr(g.Partitions),
		ReplicationFactor:      pulumi.IntPtr(g.ReplicationFactor),
		SchemaId:               schema.SchemaId,
		Rate:                   pulumi.Int(g.Rate),
		DurationSeconds:        pulumi.Float64(g.DurationSeconds),
		WarmupSeconds:          pulumi.Float64Ptr(g.WarmupSeconds),
		MaxWarmupSeconds:       pulumi.Float64Ptr(g.MaxWarmupSeconds),
		MessageSize:            pulumi.IntPtr(g.MessageSize),
		Acks:                   pulumi.StringPtr(g.Acks),
		LingerMs:               pulumi.Float64Ptr(g.LingerMs),
		Compression:            pulumi.StringPtr(g.Compression),
		Producers:              pulumi.IntPtr(g.Producers),
		Consumers:              pulumi.IntPtr(g.Consumers),
		MaxAvgLatencyMs:        pulumi.Float64(g.MaxAvgLatencyMs),
		MaxP99LatencyMs:        pulumi.Float64(g.MaxP99LatencyMs),
		MinThroughputMsgPerSec: pulumi.Float64(g.MinThroughputMsgPerSec),
		Watch: pulumi.All(watch.ToStringArrayOutput(), bootstrap.ToStringArrayOutput()).ApplyT(func(v []any) []string {
			return append(v[0].([]string), v[1].([]string)...)
		}).(pulumi.StringArrayOutput),
	}
	if login != nil {
		// The gate logs in as its own principal, so it proves its ACLs are enough.
		args.Sasl = login.sasl
		deps = append(deps, login.deps...)
	}
	if root, err := FindRoot(); err == nil {
		args.ReportDir = pulumi.StringPtr(filepath.Join(root, "reports", "gate", ctx.Stack()))
	}
	gate, err := marketbus.NewLatencyGate(ctx, "latency-gate", args, pulumi.Provider(prov), pulumi.DependsOn(deps))
	if err != nil {
		return fmt.Errorf("registering the latency gate: %w", err)
	}
	ctx.Export("latencyGate", pulumi.Map{
		"passed":              gate.Passed,
		"avgLatencyMs":        gate.AvgLatencyMs,
		"p50LatencyMs":        gate.P50LatencyMs,
		"p99LatencyMs":        gate.P99LatencyMs,
		"maxLatencyMs":        gate.MaxLatencyMs,
		"throughputMsgPerSec": gate.ThroughputMsgPerSec,
		"measuredAt":          gate.MeasuredAt,
		"warmupSecondsUsed":   gate.WarmupSecondsUsed,
		"reportSvg":           gate.ReportSvg,
	})
	return nil
}

// validateGate checks market-bus:gate; every refusal names its key.
func (s Spec) validateGate() []error {
	var errs []error
	add := func(field string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(Key(KeyGate+"."+field), value, problem, fix))
	}
	g := s.Gate
	for _, f := range []struct {
		name string
		v    float64
	}{{"maxAvgLatencyMs", g.MaxAvgLatencyMs}, {"maxP99LatencyMs", g.MaxP99LatencyMs}, {"minThroughputMsgPerSec", g.MinThroughputMsgPerSec}} {
		if f.v < 0 {
			add(f.name, f.v, "negative, and thresholds must be positive", "use the SLO's values: avg 50 ms, p99 100 ms, 100000 msg/s")
		}
	}
	if g.MaxP99LatencyMs > 0 && g.MaxAvgLatencyMs > g.MaxP99LatencyMs {
		add("maxAvgLatencyMs", g.MaxAvgLatencyMs, fmt.Sprintf("above maxP99LatencyMs = %g: an average cannot exceed the 99th percentile", g.MaxP99LatencyMs),
			"lower maxAvgLatencyMs")
	}
	if !g.IsEnabled() {
		return errs
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"rate", float64(g.Rate)}, {"durationSeconds", g.DurationSeconds}, {"messageSize", float64(g.MessageSize)},
		{"producers", float64(g.Producers)}, {"consumers", float64(g.Consumers)}, {"partitions", float64(g.Partitions)}} {
		if f.v <= 0 {
			add(f.name, f.v, "the gate needs a positive "+f.name, "set it above 0, or set "+Key(KeyGate)+".enabled: false")
		}
	}
	if g.WarmupSeconds < 0 {
		add("warmupSeconds", g.WarmupSeconds, "negative", "use 0 or more")
	}
	if g.MaxWarmupSeconds != 0 && g.MaxWarmupSeconds < g.WarmupSeconds {
		add("maxWarmupSeconds", g.MaxWarmupSeconds, fmt.Sprintf("below warmupSeconds (%g)", g.WarmupSeconds),
			"set it above warmupSeconds to let the warm-up run until the cluster is steady, or 0 for a fixed warm-up")
	}
	switch g.Acks {
	case "all", "leader", "none":
	default:
		add("acks", strconv.Quote(g.Acks), "not an acks setting", "use all, leader or none")
	}
	found := false
	for _, sc := range s.Schemas {
		found = found || sc.Subject == g.Subject
	}
	if !found {
		add("subject", strconv.Quote(g.Subject), "not in "+Key(KeySchemas)+": the gate encodes its payloads with that subject's schema",
			"list it there, or set "+Key(KeyGate)+".enabled: false")
	}
	return append(errs, s.validateGateTopic()...)
}
