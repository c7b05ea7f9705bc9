package promql

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"bare", `up`, []string{"up"}},
		{"selector", `redpanda_kafka_max_offset{redpanda_topic=~"a|b", cluster="dev"}`, []string{"redpanda_kafka_max_offset"}},
		{"aggregation by before", `sum by (le, instance) (rate(x_bucket{a="b"}[5m]))`, []string{"x_bucket"}},
		{"aggregation by after", `sum(rate(x_bucket[5m])) by (le)`, []string{"x_bucket"}},
		{"join", `a - on (t, p) group_right max by (g, t, p) (b)`, []string{"a", "b"}},
		{"group_left without list", `a / on (t) group_left b`, []string{"a", "b"}},
		{"or vector", `count(a) OR on() vector(0)`, []string{"a"}},
		{"subquery and offset", `max_over_time(count(a)[1w:]) - a offset 1d`, []string{"a"}},
		{"numbers", `a > 1.073741824e+09 and b < 0x1F and c != Inf`, []string{"a", "b", "c"}},
		{"name matcher", `{__name__="a", job="x"}`, []string{"a"}},
		{"strings hide names", `label_replace(a, "dst", "b", "src", "(.*)")`, []string{"a"}},
		{"keywords are not metrics", `a unless b and bool c`, []string{"a", "b", "c"}},
		{"topk by", `topk by (t) (15, sum by (t, n) (a != 0))`, []string{"a"}},
		{"comment", "a # b\n+ c", []string{"a", "c"}},
		{"dedupe", `a / a`, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MetricNames(tc.expr)
			if err != nil {
				t.Fatalf("MetricNames(%q): %v", tc.expr, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("MetricNames(%q) = %v, want %v", tc.expr, got, tc.want)
			}
		})
	}
}

func TestMetricNamesErrors(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"unknown function", `rat(a[5m])`, `unknown function "rat"`},
		{"open paren", `sum(rate(a[5m])`, "unbalanced '('"},
		{"close paren", `sum(a))`, "unbalanced ')'"},
		{"unterminated string", `a{b="c}`, "unterminated string"},
		{"unterminated range", `rate(a[5m)`, "unterminated range"},
		{"malformed range", `rate(a[5m) + rate(b[1m])`, "malformed range"},
		{"regex name", `{__name__=~"redpanda_.*"}`, "selects metrics by pattern"},
		{"bad matcher", `a{b c}`, "bad matcher operator"},
		{"stray char", `a ; b`, "unexpected character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MetricNames(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("MetricNames(%q) err = %v, want %q", tc.expr, err, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name, expr string
		wantMetric string // "" = must pass
		suggestion string
	}{
		{"known", `sum(rate(redpanda_kafka_request_bytes_total{redpanda_topic=~"$topic"}[$__rate_interval]))`, "", ""},
		{"histogram bucket", `histogram_quantile(0.99, sum by (le) (rate(redpanda_kafka_request_latency_seconds_bucket[5m])))`, "", ""},
		{"histogram base name is not a series", `redpanda_kafka_request_latency_seconds`, "redpanda_kafka_request_latency_seconds", "redpanda_kafka_request_latency_seconds_sum"},
		{"typo", `sum(redpanda_kafka_under_replicated_replica)`, "redpanda_kafka_under_replicated_replica", "redpanda_kafka_under_replicated_replicas"},
		{"foreign", `kafka_consumergroup_lag`, "kafka_consumergroup_lag", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.expr)
			if tc.wantMetric == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *UnknownMetricError
			if !errors.As(err, &ue) {
				t.Fatalf("Check(%q) = %v, want *UnknownMetricError", tc.expr, err)
			}
			if ue.Metric != tc.wantMetric || ue.Expr != tc.expr || ue.Suggestion != tc.suggestion {
				t.Errorf("got %+v", ue)
			}
			if !strings.Contains(err.Error(), tc.expr) || !strings.Contains(err.Error(), tc.wantMetric) {
				t.Errorf("error %q does not name the expression and the metric", err)
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"topic": "t1", "__rate_interval": "1m"}
	tests := []struct{ in, want, wantErr string }{
		{`a{redpanda_topic=~"$topic"}[$__rate_interval]`, `a{redpanda_topic=~"t1"}[1m]`, ""},
		{`a{x="${topic}", y="${topic:regex}", z="[[topic]]"}`, `a{x="t1", y="t1", z="t1"}`, ""},
		{`a{x="$topci"}`, "", "$topci"},
	}
	for _, tc := range tests {
		got, err := Substitute(tc.in, vars)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Substitute(%q) err = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Substitute(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSeriesNamesCoverHistograms(t *testing.T) {
	names := SeriesNames()
	for _, m := range Redpanda() {
		if m.Kind != Histogram {
			if !slices.Contains(names, m.Name) {
				t.Errorf("%s missing", m.Name)
			}
			continue
		}
		if slices.Contains(names, m.Name) {
			t.Errorf("histogram base name %s must not be selectable", m.Name)
		}
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			if !slices.Contains(names, m.Name+s) {
				t.Errorf("%s%s missing", m.Name, s)
			}
		}
	}
}

func TestConsumerLagUsesKnownMetrics(t *testing.T) {
	if err := Check(ConsumerLag([]string{"cluster"}, []string{`cluster="dev"`}, nil)); err != nil {
		t.Fatal(err)
	}
}
