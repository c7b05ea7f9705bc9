//lint:file-ignore SA1019 the v1 dashboard model (deprecated in the SDK for v2) is the JSON that Grafana's dashboard API and the grafana Dashboard resource take

package dashboards

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/marketbus/market-bus/dashboards/promql"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json golden files")

func testOptions() Options {
	return Options{DatasourceUID: "prometheus-dev", Stack: "dev"}
}

func buildAll(t *testing.T, o Options) map[string]dashboard.Dashboard {
	t.Helper()
	out := map[string]dashboard.Dashboard{}
	for _, def := range Definitions() {
		d, err := def.Build(o)
		if err != nil {
			t.Fatalf("%s: %v", def.Slug, err)
		}
		out[def.Slug] = d
	}
	return out
}

func TestGolden(t *testing.T) {
	for slug, d := range buildAll(t, testOptions()) {
		t.Run(slug, func(t *testing.T) {
			got, err := JSON(d)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", slug+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./dashboards -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the built dashboard; review and run go test ./dashboards -update", path)
			}
		})
	}
}

// TestRoundTrip proves the JSON loses nothing: the golden file decodes into
// the SDK's own dashboard.Dashboard and encodes back byte for byte, so no
// field we emit is unknown to the SDK type (it would be dropped) and no
// panel or query variant is decoded into a lossy fallback.
//
// UnmarshalJSONStrict is not used: in SDK v0.0.22 it returns an empty
// cog.BuildErrors as a non-nil error, and PanelOrRowPanel then drops every
// panel.
func TestRoundTrip(t *testing.T) {
	plugins.RegisterDefaultPlugins() // panel and query variants for decoding
	for _, def := range Definitions() {
		t.Run(def.Slug, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", def.Slug+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var d dashboard.Dashboard
			if err := json.Unmarshal(want, &d); err != nil {
				t.Fatal(err)
			}
			got, err := JSON(d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("re-encoded JSON differs from %s.json:\n%s", def.Slug, firstDiff(got, want))
			}
			built, err := def.Build(testOptions())
			if err != nil {
				t.Fatal(err)
			}
			if q, w := Queries(d), Queries(built); fmt.Sprint(q) != fmt.Sprint(w) {
				t.Errorf("decoded queries differ from built ones:\n got %v\nwant %v", q, w)
			}
		})
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, al[i], bl[i])
		}
	}
	return "lengths differ"
}

// TestMetricNames runs every panel and variable expression through the
// Redpanda metric-name check.
func TestMetricNames(t *testing.T) {
	for slug, d := range buildAll(t, testOptions()) {
		qs := Queries(d)
		if len(qs) == 0 {
			t.Fatalf("%s: no queries found", slug)
		}
		for _, q := range qs {
			if err := promql.Check(q.Expr); err != nil {
				t.Errorf("%s / %s / %s: %v", q.Dashboard, q.Panel, q.RefID, err)
			}
		}
	}
}

func TestVariables(t *testing.T) {
	want := map[string][]string{
		slugOverview: {VarDatasource, VarCluster, VarTopic},
		slugTopics:   {VarDatasource, VarCluster, VarTopic},
		slugLag:      {VarDatasource, VarCluster, VarGroup, VarTopic},
	}
	for slug, d := range buildAll(t, testOptions()) {
		var got []string
		for _, v := range d.Templating.List {
			got = append(got, v.Name)
		}
		if strings.Join(got, ",") != strings.Join(want[slug], ",") {
			t.Errorf("%s variables = %v, want %v", slug, got, want[slug])
		}
		ds := d.Templating.List[0]
		if ds.Current == nil || ds.Current.Value.String == nil || *ds.Current.Value.String != "prometheus-dev" {
			t.Errorf("%s: $datasource does not default to the DatasourceUID", slug)
		}
		if *d.Uid != UID("dev", slug) || len(*d.Uid) > 40 {
			t.Errorf("%s: uid %q", slug, *d.Uid)
		}
		// Every query must use the $cluster filter, or a shared Grafana mixes stacks.
		for _, q := range Queries(d) {
			if q.Panel != "variable $"+VarCluster && !strings.Contains(q.Expr, `cluster="$cluster"`) {
				t.Errorf("%s / %s: no cluster filter in %s", slug, q.Panel, q.Expr)
			}
		}
	}
}

// panelByTitle finds a top-level panel.
func panelByTitle(t *testing.T, d dashboard.Dashboard, title string) dashboard.Panel {
	t.Helper()
	for _, p := range d.Panels {
		if p.Panel != nil && p.Panel.Title != nil && *p.Panel.Title == title {
			return *p.Panel
		}
	}
	t.Fatalf("%s: no panel %q", *d.Title, title)
	return dashboard.Panel{}
}

func TestUnitsAndThresholds(t *testing.T) {
	o := testOptions()
	o.Thresholds = Thresholds{ProduceP99: 250 * time.Millisecond, ConsumerLagRecords: 500, KafkaRPCErrorPercent: 2}
	all := buildAll(t, o)
	tests := []struct {
		slug, panel, unit string
		threshold         float64 // a step that must exist; 0 = none checked
	}{
		{slugOverview, "Throughput", unitBytesPerSec, 0},
		{slugOverview, "Records per second", unitOpsPerSec, 0},
		{slugOverview, "Produce latency", unitSeconds, 0.25},
		{slugOverview, "Fetch latency", unitSeconds, 0},
		{slugOverview, "Internal RPC latency", unitSeconds, 0},
		{slugOverview, "Kafka API error rate", unitPercent, 2},
		{slugOverview, "Storage used", unitPercent, 85},
		{slugOverview, "CPU utilization", unitPercent, cpuWarnPercent},
		{slugOverview, "Brokers up", unitNone, 3},
		{slugTopics, "Bytes in per topic", unitBytesPerSec, 0},
		{slugTopics, "Records out per topic", unitOpsPerSec, 0},
		{slugTopics, "Replicas", unitNone, 3},
		{slugLag, "Lag per partition", unitNone, 500},
		{slugLag, "Group lag max (Redpanda 25.1+)", unitNone, 500},
		{slugLag, "Lag in seconds", unitSeconds, 60},
		{slugLag, "Production vs consumption", unitOpsPerSec, 0},
	}
	for _, tc := range tests {
		t.Run(tc.slug+"/"+tc.panel, func(t *testing.T) {
			p := panelByTitle(t, all[tc.slug], tc.panel)
			if p.FieldConfig == nil || p.FieldConfig.Defaults.Unit == nil || *p.FieldConfig.Defaults.Unit != tc.unit {
				t.Errorf("unit = %v, want %q", p.FieldConfig.Defaults.Unit, tc.unit)
			}
			if tc.threshold == 0 {
				return
			}
			th := p.FieldConfig.Defaults.Thresholds
			if th == nil {
				t.Fatal("no thresholds")
			}
			for _, s := range th.Steps {
				if s.Value != nil && *s.Value == tc.threshold {
					return
				}
			}
			t.Errorf("no threshold step at %v in %+v", tc.threshold, th.Steps)
		})
	}
}

func TestOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no datasource", Options{Stack: "dev"}, "DatasourceUID is required"},
		{"no stack", Options{DatasourceUID: "x"}, `Stack ""`},
		{"bad stack", Options{DatasourceUID: "x", Stack: "Dev_1"}, `Stack "Dev_1"`},
		{"long stack", Options{DatasourceUID: "x", Stack: strings.Repeat("a", 25)}, "must be 1-24"},
		{"negative lag", Options{DatasourceUID: "x", Stack: "dev", Thresholds: Thresholds{ConsumerLagRecords: -1}}, "ConsumerLagRecords is -1"},
		{"error rate over 100", Options{DatasourceUID: "x", Stack: "dev", Thresholds: Thresholds{KafkaRPCErrorPercent: 101}}, "at most 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, def := range Definitions() {
				_, err := def.Build(tc.o)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: err = %v, want it to contain %q", def.Slug, err, tc.want)
				}
			}
		})
	}
}

func TestWithDefaultsKeepsSetValues(t *testing.T) {
	got := Thresholds{Brokers: 5, ConsumerLagRecords: 42}.WithDefaults()
	if got.Brokers != 5 || got.ConsumerLagRecords != 42 || got.ProduceP99 != 100*time.Millisecond {
		t.Errorf("WithDefaults = %+v", got)
	}
}
