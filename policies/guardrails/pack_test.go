package guardrails

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/marketbus/market-bus/stackenv"
)

// allCases gathers every table of policy cases.
func allCases(t testing.TB) []policyCase {
	var out []policyCase
	for _, cases := range [][]policyCase{
		topicCases(t), schemaCases(t), clusterCases(t), securityCases(t), monitoringCases(t), capacityCases(t), networkCases(t), podSecurityCases(t), principalCases(t),
	} {
		out = append(out, cases...)
	}
	return out
}

func TestEveryPolicyHasPassingAndFailingCase(t *testing.T) {
	passing, failing := map[string]int{}, map[string]int{}
	known := PolicyNames()
	for _, c := range allCases(t) {
		if !slices.Contains(known, c.policy) {
			t.Errorf("case %q names unknown policy %q", c.name, c.policy)
		}
		if len(c.want) == 0 {
			passing[c.policy]++
		} else {
			failing[c.policy]++
		}
	}
	for _, name := range known {
		if passing[name] == 0 || failing[name] == 0 {
			t.Errorf("policy %s has %d passing and %d failing cases; want at least one of each", name, passing[name], failing[name])
		}
	}
}

func TestDefaultEnforcement(t *testing.T) {
	tests := []struct {
		env  string
		want policyx.EnforcementLevel
	}{
		{stackenv.Production, policyx.EnforcementLevelMandatory},
		{stackenv.Staging, policyx.EnforcementLevelAdvisory},
		{stackenv.Development, policyx.EnforcementLevelAdvisory},
		{"", policyx.EnforcementLevelAdvisory},
	}
	for _, tt := range tests {
		if got := DefaultEnforcement(tt.env); got != tt.want {
			t.Errorf("DefaultEnforcement(%q) = %s, want %s", tt.env, LevelName(got), LevelName(tt.want))
		}
	}
}

func TestPackBindsEveryPolicyToTheEnvironmentLevel(t *testing.T) {
	for _, o := range []Options{
		{"prod", stackenv.Production}, {"prod-eu", stackenv.Production}, {"acme/market-bus/prod-eu", stackenv.Production},
		{"dev", stackenv.Development}, {"local", stackenv.Development}, {"prod", stackenv.Staging},
	} {
		t.Run(o.Stack+"/"+o.Environment, func(t *testing.T) {
			pack, err := NewPack(o)
			if err != nil {
				t.Fatal(err)
			}
			if pack.Name() != PackName || pack.Version().String() != PackVersion {
				t.Errorf("pack %s %s, want %s %s", pack.Name(), pack.Version(), PackName, PackVersion)
			}
			want := DefaultEnforcement(o.Environment)
			var names []string
			for _, p := range pack.Policies() {
				names = append(names, p.Name())
				if p.EnforcementLevel() != want {
					t.Errorf("%s: level %s, want %s", p.Name(), LevelName(p.EnforcementLevel()), LevelName(want))
				}
				if p.Description() == "" {
					t.Errorf("%s has no description", p.Name())
				}
			}
			if !slices.Equal(names, PolicyNames()) {
				t.Errorf("pack policies %v, catalog %v", names, PolicyNames())
			}
			if len(slices.Compact(slices.Sorted(slices.Values(names)))) != len(names) {
				t.Errorf("duplicate policy names in %v", names)
			}
		})
	}
}

// TestProdOnlyPoliciesAreQuietElsewhere replays every failing prod case of a prod-only
// policy on dev and local.
func TestProdOnlyPoliciesAreQuietElsewhere(t *testing.T) {
	prodOnly := map[string]bool{}
	for _, p := range Catalog() {
		prodOnly[p.Name] = p.ProdOnly
	}
	checked := 0
	for _, c := range allCases(t) {
		if !prodOnly[c.policy] || len(c.want) == 0 || (c.stack != "" && c.stack != "prod") {
			continue
		}
		for _, stack := range []string{"dev", "local"} {
			if got, _ := run(t, stack, c.policy, c.config, c.resources); len(got) > 0 {
				t.Errorf("%s/%s on %s: %q, want nothing", c.policy, c.name, stack, got)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no prod-only failing case found")
	}
}

// TestConfigSchemas checks the schemas the way the engine receives them: converted with
// structpb (as policyx's GetAnalyzerInfo does), without the reserved enforcementLevel, and
// with a default the reader returns when the config is empty.
func TestConfigSchemas(t *testing.T) {
	for _, d := range definitions() {
		s := schemaOf(d.settings...)
		if d.checkStack != nil && s != nil {
			t.Errorf("%s: stack policies never receive config (policyx v3.274.1), so a schema would mislead", d.name)
		}
		if s == nil {
			continue
		}
		m := map[string]any{}
		for k, v := range s.Properties {
			m[k] = v
		}
		if _, err := structpb.NewStruct(m); err != nil {
			t.Errorf("%s: schema does not convert to protobuf: %v", d.name, err)
		}
		if _, ok := s.Properties["enforcementLevel"]; ok {
			t.Errorf("%s: enforcementLevel is reserved", d.name)
		}
		for _, st := range d.settings {
			if st.schema["default"] == nil || st.schema["description"] == "" {
				t.Errorf("%s.%s: no default or description", d.name, st.key)
			}
		}
	}
}

func TestSettingsReadConfigOrDefault(t *testing.T) {
	n := intSetting("n", "d", 3, 1)
	l := listSetting("l", "d", []string{"a", "b"})
	tests := []struct {
		name     string
		cfg      map[string]any
		wantNum  float64
		wantList []string
	}{
		{"no config", nil, 3, []string{"a", "b"}},
		{"JSON values", map[string]any{"n": 7.0, "l": []any{"c"}}, 7, []string{"c"}},
		{"Go values", map[string]any{"n": 8, "l": []string{"d"}}, 8, []string{"d"}},
		{"wrong types fall back", map[string]any{"n": "x", "l": "y"}, 3, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := n.number(tt.cfg); got != tt.wantNum {
			t.Errorf("%s: number = %v, want %v", tt.name, got, tt.wantNum)
		}
		if got := l.list(tt.cfg); !slices.Equal(got, tt.wantList) {
			t.Errorf("%s: list = %v, want %v", tt.name, got, tt.wantList)
		}
	}
}

func TestCatalog(t *testing.T) {
	cat := Catalog()
	if len(cat) != len(definitions()) {
		t.Fatalf("catalog has %d policies, want %d", len(cat), len(definitions()))
	}
	for _, p := range cat {
		switch p.Scope {
		case ScopeStack:
			if len(p.ResourceTypes) != 0 || len(p.Settings) != 0 {
				t.Errorf("%s: a stack policy lists types %v and settings %v", p.Name, p.ResourceTypes, p.Settings)
			}
		case ScopeResource:
			if len(p.ResourceTypes) == 0 {
				t.Errorf("%s: a resource policy with no resource types never runs", p.Name)
			}
		default:
			t.Errorf("%s: scope %q", p.Name, p.Scope)
		}
	}
	topicPartitions := cat[slices.IndexFunc(cat, func(p PolicyInfo) bool { return p.Name == "topic-partitions" })]
	want := []Setting{{Name: "maxPartitions", Type: "integer", Description: "Most partitions a topic may have.", Default: int64(1000)}}
	if !slices.Equal(topicPartitions.Settings, want) {
		t.Errorf("topic-partitions settings %+v, want %+v", topicPartitions.Settings, want)
	}
}

// TestReadmeListsEveryPolicy keeps policies/README.md's table in step with the catalog.
func TestReadmeListsEveryPolicy(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, p := range Catalog() {
		if !strings.Contains(readme, "| `"+p.Name+"` |") {
			t.Errorf("README.md has no row for %s", p.Name)
		}
		for _, s := range p.Settings {
			if !strings.Contains(readme, "`"+s.Name+"`") {
				t.Errorf("README.md does not document %s.%s", p.Name, s.Name)
			}
		}
	}
}
