package guardrails

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/stackenv"
)

// policyCase is one table row: the resources a policy sees and the exact messages it must
// report (none for a passing case).
type policyCase struct {
	name      string
	policy    string
	stack     string // "prod" when empty
	env       string // the stack name's default environment when empty
	config    map[string]any
	resources []policyx.AnalyzerResource
	want      []string
}

// secretV marks a test input secret; unknownV marks it unknown (computed during a preview).
type (
	secretV  struct{ v any }
	unknownV struct{}
)

// toValue builds a property value from plain Go test data.
func toValue(t testing.TB, v any) property.Value {
	t.Helper()
	switch x := v.(type) {
	case nil:
		return property.Value{}
	case secretV:
		return toValue(t, x.v).WithSecret(true)
	case unknownV:
		return property.New(property.Computed)
	case string:
		return property.New(x)
	case bool:
		return property.New(x)
	case int:
		return property.New(float64(x))
	case float64:
		return property.New(x)
	case []string:
		arr := make([]property.Value, len(x))
		for i, e := range x {
			arr[i] = property.New(e)
		}
		return property.New(arr)
	case []any:
		arr := make([]property.Value, len(x))
		for i, e := range x {
			arr[i] = toValue(t, e)
		}
		return property.New(arr)
	case map[string]any:
		return property.New(toMap(t, x))
	case map[string]string:
		m := map[string]property.Value{}
		for k, e := range x {
			m[k] = property.New(e)
		}
		return property.New(property.NewMap(m))
	}
	t.Fatalf("toValue: unsupported %T", v)
	return property.Value{}
}

// toMap builds a property map from plain Go test data.
func toMap(t testing.TB, m map[string]any) property.Map {
	t.Helper()
	out := make(map[string]property.Value, len(m))
	for k, v := range m {
		out[k] = toValue(t, v)
	}
	return property.NewMap(out)
}

// res builds the analyzer's view of a resource.
func res(t testing.TB, typ, name string, props map[string]any) policyx.AnalyzerResource {
	t.Helper()
	return policyx.AnalyzerResource{
		Type:       typ,
		Name:       name,
		URN:        fmt.Sprintf("urn:pulumi:test::market-bus::%s::%s", typ, name),
		Properties: toMap(t, props),
	}
}

// rs lists resources.
func rs(r ...policyx.AnalyzerResource) []policyx.AnalyzerResource { return r }

// recorder is the PolicyManager of the tests.
type recorder struct{ msgs, urns []string }

// ReportViolation records a violation.
func (r *recorder) ReportViolation(msg, urn string) {
	r.msgs = append(r.msgs, msg)
	r.urns = append(r.urns, urn)
}

// optionsFor binds a pack to stack in env, or in the stack name's default environment when
// env is empty (the way Factory resolves a stack that leaves market-bus:environment out).
func optionsFor(t testing.TB, stack, env string) Options {
	t.Helper()
	if env == "" {
		var ok bool
		if env, ok = stackenv.Default(stack); !ok {
			t.Fatalf("stack %q has no default environment: give the case an env", stack)
		}
	}
	return Options{Stack: stack, Environment: env}
}

// policyNamed returns the pack's policy for o by name.
func policyNamed(t testing.TB, o Options, name string) policyx.Policy {
	t.Helper()
	pack, err := NewPack(o)
	if err != nil {
		t.Fatalf("NewPack: %v", err)
	}
	for _, p := range pack.Policies() {
		if p.Name() == name {
			return p
		}
	}
	t.Fatalf("no policy %q in the pack", name)
	return nil
}

// run validates the resources with the named policy, as the engine would: a resource
// policy once per resource, a stack policy once for all. It returns the messages and the
// URNs they were reported against.
func run(t testing.TB, stack, name string, cfg map[string]any, rs []policyx.AnalyzerResource) (msgs, urns []string) {
	t.Helper()
	return runIn(t, optionsFor(t, stack, ""), name, cfg, rs)
}

// runIn is run for a pack bound to o.
func runIn(t testing.TB, o Options, name string, cfg map[string]any, rs []policyx.AnalyzerResource) (msgs, urns []string) {
	t.Helper()
	rec := &recorder{}
	ctx := context.Background()
	switch p := policyNamed(t, o, name).(type) {
	case policyx.StackValidationPolicy:
		if err := p.Validate(ctx, policyx.StackValidationArgs{Manager: rec, Resources: rs}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	case policyx.ResourceValidationPolicy:
		for _, r := range rs {
			args := policyx.ResourceValidationArgs{Manager: rec, Resource: r, Config: cfg}
			if err := p.Validate(ctx, args); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	default:
		t.Fatalf("%s: unexpected policy type %T", name, p)
	}
	return rec.msgs, rec.urns
}

// runCases runs a table of policy cases and compares the messages exactly.
func runCases(t *testing.T, cases []policyCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.policy+"/"+tc.name, func(t *testing.T) {
			stack := tc.stack
			if stack == "" {
				stack = "prod"
			}
			got, urns := runIn(t, optionsFor(t, stack, tc.env), tc.policy, tc.config, tc.resources)
			if !equalUnordered(got, tc.want) {
				t.Errorf("violations:\n got  %q\n want %q", got, tc.want)
			}
			for _, u := range urns {
				if u == "" {
					t.Errorf("a violation has no URN")
				}
			}
		})
	}
}

// equalUnordered compares two message lists as multisets.
func equalUnordered(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
