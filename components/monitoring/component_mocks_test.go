package monitoring

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Resource types the component registers.
const (
	typeRemoteImage    = "docker:index/remoteImage:RemoteImage"
	typeContainer      = "docker:index/container:Container"
	typeGrafanaProv    = "pulumi:providers:grafana"
	typeFolder         = "grafana:oss/folder:Folder"
	typeDataSource     = "grafana:oss/dataSource:DataSource"
	typeDashboard      = "grafana:oss/dashboard:Dashboard"
	typeRuleGroup      = "grafana:alerting/ruleGroup:RuleGroup"
	typeContactPoint   = "grafana:alerting/contactPoint:ContactPoint"
	typeNotification   = "grafana:alerting/notificationPolicy:NotificationPolicy"
	typeServiceMonitor = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
	typePrometheusRule = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
)

// call is one RegisterResource as the engine would see it: inputs keep
// their secret markers, and the RPC carries options (dependencies,
// provider version, plugin URL) that the inputs do not.
type call struct {
	Type   string
	Name   string
	Inputs resource.PropertyMap
	rpc    *pulumirpc.RegisterResourceRequest
}

// monitoringMocks records every resource and answers like the providers
// would, filling the outputs the component reads.
type monitoringMocks struct {
	mu    sync.Mutex
	calls []call
}

func (m *monitoringMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.calls = append(m.calls, call{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs, rpc: args.RegisterRPC})
	m.mu.Unlock()

	outs := args.Inputs.Copy()
	switch args.TypeToken {
	case typeRemoteImage:
		// A distinct ID per image, so a test sees which image a container runs.
		outs["imageId"] = resource.NewProperty("id-of-" + args.Inputs["name"].StringValue())
	case typeDashboard:
		outs["url"] = resource.NewProperty("http://grafana.test/d/" + args.Name)
	}
	return args.Name + "-id", outs, nil
}

func (m *monitoringMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// ofType returns the calls of one type, sorted by name.
func (m *monitoringMocks) ofType(typ string) []call {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []call
	for _, c := range m.calls {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// one returns the single call of a type and name.
func (m *monitoringMocks) one(t *testing.T, typ, name string) call {
	t.Helper()
	for _, c := range m.ofType(typ) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s named %s was registered", typ, name)
	return call{}
}

// urn is the URN the mock monitor gives a child of the component "mon".
func urn(stack, typ, name string) string {
	return "urn:pulumi:" + stack + "::market-bus::" + TypeToken + "$" + typ + "::" + name
}

// outputs are the component's outputs, resolved.
type outputs struct {
	GrafanaURL, PrometheusURL, DatasourceUID, FolderUID, ScrapeConfigYAML, RulesYAML string
	DashboardURLs                                                                    map[string]string
}

// typeSink is a test-only resource whose inputs are the component's
// outputs: registering it makes the run wait until they resolve, which an
// ApplyT on an output built from plain values would not.
const typeSink = "test:index:Sink"

// runMonitoring runs NewMonitoring("mon", args) under mocks as project
// market-bus, stack `stack`. args is built inside the program so its inputs
// belong to the run's context. An error from NewMonitoring is returned as
// is, not in RunErr's multi-error wrapping, so tests can match it exactly.
func runMonitoring(t *testing.T, stack string, args func() Args) (*monitoringMocks, outputs, error) {
	t.Helper()
	mocks := &monitoringMocks{}
	var newErr error
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		a := args()
		m, err := NewMonitoring(ctx, "mon", &a)
		if err != nil {
			newErr = err
			return err
		}
		var sink pulumi.CustomResourceState
		return ctx.RegisterResource(typeSink, "outputs", pulumi.Map{
			"GrafanaURL":       m.GrafanaURL,
			"PrometheusURL":    m.PrometheusURL,
			"DatasourceUID":    m.DatasourceUID,
			"FolderUID":        m.FolderUID,
			"ScrapeConfigYAML": m.ScrapeConfigYAML,
			"RulesYAML":        m.RulesYAML,
			"DashboardURLs":    m.DashboardURLs,
		}, &sink)
	}, pulumi.WithMocks("market-bus", stack, mocks))
	var got outputs
	if sinks := mocks.ofType(typeSink); len(sinks) == 1 {
		raw, jerr := json.Marshal(plain(resource.NewObjectProperty(sinks[0].Inputs)))
		if jerr == nil {
			jerr = json.Unmarshal(raw, &got)
		}
		if jerr != nil {
			t.Fatalf("decoding the component outputs: %v", jerr)
		}
	}
	if newErr != nil {
		return mocks, got, newErr
	}
	return mocks, got, err
}

// plain unwraps secrets all the way down and returns Go values.
func plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = plain(e)
		}
		return out
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, plain(e))
		}
		return out
	}
	return v.Mappable()
}

// in returns a resolved input by key, secrets unwrapped.
func (c call) in(key string) any { return plain(c.Inputs[resource.PropertyKey(key)]) }

// str returns a string input; a missing or non-string one fails the test.
func (c call) str(t *testing.T, key string) string {
	t.Helper()
	s, ok := c.in(key).(string)
	if !ok {
		t.Fatalf("%s.%s = %#v, want a string", c.Name, key, c.in(key))
	}
	return s
}

// secret reports whether the top-level input key is marked secret.
func (c call) secret(key string) bool {
	v, ok := c.Inputs[resource.PropertyKey(key)]
	return ok && v.IsSecret()
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("%s:\n got  %s\n want %s", what, gj, wj)
	}
}

func assertContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q", what, sub)
		}
	}
}

// ruleFromInputs turns a rule of the RuleGroup inputs back into the plain
// struct, so GrafanaThreshold reads the number Grafana will compare with.
func ruleFromInputs(t *testing.T, rule any) GrafanaRule {
	t.Helper()
	raw, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Name      string                       `json:"name"`
		For       string                       `json:"for"`
		Condition string                       `json:"condition"`
		Labels    map[string]string            `json:"labels"`
		Datas     []GrafanaQuery               `json:"datas"`
		Notify    *GrafanaNotificationSettings `json:"notificationSettings"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return GrafanaRule{Name: r.Name, For: r.For, Condition: r.Condition, Labels: r.Labels, Data: r.Datas, NotificationSettings: r.Notify}
}

// groupRules indexes the RuleGroup's rules by name.
func groupRules(t *testing.T, rg call) map[string]GrafanaRule {
	t.Helper()
	out := map[string]GrafanaRule{}
	rules, _ := rg.in("rules").([]any)
	for _, r := range rules {
		gr := ruleFromInputs(t, r)
		out[gr.Name] = gr
	}
	return out
}
