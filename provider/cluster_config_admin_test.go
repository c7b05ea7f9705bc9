package provider

// Contract tests of ClusterConfig's redpanda-admin API against fakeAdmin, which follows
// Redpanda's admin handlers (sources cited in redpanda_admin_fake_test.go). The Kafka
// connection points at a closed port: these tests never need the local cluster.

import (
	"net/http/httptest"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

var clusterConfigURN = presource.NewURN("test", "market-bus", "", "marketbus:index:ClusterConfig", "cluster-config")

// adminConfigInputs are a redpanda-admin ClusterConfig's inputs.
func adminConfigInputs(urls []string, props map[string]string, timeout float64) property.Map {
	ps := map[string]property.Value{}
	for k, v := range props {
		ps[k] = property.New(v)
	}
	us := make([]property.Value, 0, len(urls))
	for _, u := range urls {
		us = append(us, property.New(u))
	}
	return property.NewMap(map[string]property.Value{
		"api":            property.New(ConfigAPIRedpandaAdmin),
		"adminUrls":      property.New(property.NewArray(us)),
		"adminPath":      property.New("the dev stack's published admin listener"),
		"properties":     property.New(property.NewMap(ps)),
		"timeoutSeconds": property.New(timeout),
	})
}

func checked(t *testing.T, s integration.Server, in property.Map) property.Map {
	t.Helper()
	resp, err := s.Check(p.CheckRequest{Urn: clusterConfigURN, Inputs: in})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, resp.Failures)
	}
	return resp.Inputs
}

// TestAdminPreviewRefusesWhatRedpandaRefuses: preview sends the change with dry_run=true;
// Redpanda's per-property reasons fail it, each named as the key the stack declared, and
// nothing is written.
func TestAdminPreviewRefusesWhatRedpandaRefuses(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		want  []string
	}{
		{"unknown property", map[string]string{"no_such_property": "1"}, []string{"properties.no_such_property: Unknown property"}},
		{"bad value", map[string]string{"log_segment_size": "big"}, []string{"properties.log_segment_size: expected type integer"}},
		{"one bad among good", map[string]string{"auto_create_topics_enabled": "false", "enable_consumer_group_metrics": "7"},
			[]string{"properties.enable_consumer_group_metrics: expected type array"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAdmin(t, 3)
			s := offlineServer(t)
			in := checked(t, s, adminConfigInputs([]string{f.srv.URL}, tc.props, 10))
			_, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in, DryRun: true})
			if err == nil {
				t.Fatal("preview passed")
			}
			for _, w := range append(tc.want, "the dev stack's published admin listener") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if f.puts != 0 || f.dryRuns != 0 {
				t.Errorf("preview wrote %d changes and %d accepted dry runs; want none", f.puts, f.dryRuns)
			}
		})
	}
}

// TestAdminApplyWaitsForEveryBroker: an update writes the declared keys, resets the removed
// ones, and returns only when every broker reports the new config_version.
func TestAdminApplyWaitsForEveryBroker(t *testing.T) {
	f := newFakeAdmin(t, 3)
	s := offlineServer(t)
	props := map[string]string{"enable_consumer_group_metrics": `["group","partition","consumer_lag"]`, "log_segment_size": "268435456"}
	in := checked(t, s, adminConfigInputs([]string{f.srv.URL}, props, 10))
	if _, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in, DryRun: true}); err != nil {
		t.Fatalf("preview: %v", err)
	}
	if f.dryRuns != 1 || f.puts != 0 {
		t.Fatalf("preview: %d dry runs, %d writes; want 1, 0", f.dryRuns, f.puts)
	}
	created, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := created.Properties.Get("configVersion").AsNumber(); got != 2 {
		t.Errorf("configVersion = %v, want 2", got)
	}
	for id, v := range f.nodes {
		if v != 2 {
			t.Errorf("create returned while broker %d is at version %d", id, v)
		}
	}
	if got := f.value("enable_consumer_group_metrics"); got != `["group","partition","consumer_lag"]` {
		t.Errorf("enable_consumer_group_metrics = %s", got)
	}
	next := checked(t, s, adminConfigInputs([]string{f.srv.URL}, map[string]string{"enable_consumer_group_metrics": props["enable_consumer_group_metrics"]}, 10))
	up, err := s.Update(p.UpdateRequest{ID: "x", Urn: clusterConfigURN, State: created.Properties, Inputs: next, OldInputs: in})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := f.value("log_segment_size"); !strings.HasPrefix(got, "<default") {
		t.Errorf("the removed key log_segment_size is still set: %s", got)
	}
	if got := up.Properties.Get("configVersion").AsNumber(); got != 3 {
		t.Errorf("configVersion after update = %v, want 3", got)
	}
}

// TestAdminRestartIsReported: a property Redpanda applies only at restart comes back as
// restartBrokers, the list the rolling restart works through.
func TestAdminRestartIsReported(t *testing.T) {
	f := newFakeAdmin(t, 3)
	s := offlineServer(t)
	in := checked(t, s, adminConfigInputs([]string{f.srv.URL}, map[string]string{"log_segment_size_jitter_percent": "10"}, 10))
	created, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	got := created.Properties.Get("restartBrokers").AsArray().AsSlice()
	if len(got) != 3 || got[0].AsNumber() != 0 || got[2].AsNumber() != 2 {
		t.Errorf("restartBrokers = %v, want [0 1 2]", got)
	}
}

// TestAdminWaitFailures: a broker that never takes the version, wrong credentials and an
// unreachable admin API each fail with the broker, the status or the path in the message.
func TestAdminWaitFailures(t *testing.T) {
	closed := httptest.NewServer(nil)
	closed.Close()
	cases := []struct {
		name  string
		setup func(f *fakeAdmin)
		urls  func(f *fakeAdmin) []string
		want  []string
	}{
		{"broker stuck", func(f *fakeAdmin) { f.stuck[2] = true }, nil,
			[]string{"broker 2 at version 1", "broker 0 at version 2"}},
		{"credentials refused", func(f *fakeAdmin) { f.user, f.pass = "admin", "secret" }, nil,
			[]string{"answered 401: Unauthorized", "the dev stack's published admin listener"}},
		{"unreachable", nil, func(*fakeAdmin) []string { return []string{closed.URL} },
			[]string{"no URL answered", closed.URL, "the dev stack's published admin listener"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAdmin(t, 3)
			if tc.setup != nil {
				tc.setup(f)
			}
			urls := []string{f.srv.URL}
			if tc.urls != nil {
				urls = tc.urls(f)
			}
			s := offlineServer(t)
			in := checked(t, s, adminConfigInputs(urls, map[string]string{"log_segment_size": "268435456"}, 2))
			_, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in})
			if err == nil {
				t.Fatal("create passed")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestAdminFallsBackToTheNextURL: a URL that cannot be reached is skipped, the next answers.
func TestAdminFallsBackToTheNextURL(t *testing.T) {
	closed := httptest.NewServer(nil)
	closed.Close()
	f := newFakeAdmin(t, 3)
	s := offlineServer(t)
	in := checked(t, s, adminConfigInputs([]string{closed.URL, f.srv.URL}, map[string]string{"auto_create_topics_enabled": "true"}, 10))
	if _, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := f.value("auto_create_topics_enabled"); got != "true" {
		t.Errorf("auto_create_topics_enabled = %s", got)
	}
}

// TestAdminRefreshShowsDrift: a value changed behind the stack's back comes back from Read,
// and a value equal to the declaration keeps the declaration's spelling.
func TestAdminRefreshShowsDrift(t *testing.T) {
	f := newFakeAdmin(t, 3)
	s := offlineServer(t)
	props := map[string]string{"enable_consumer_group_metrics": `["group", "partition"]`, "log_segment_size": "268435456"}
	in := checked(t, s, adminConfigInputs([]string{f.srv.URL}, props, 10))
	created, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	f.mu.Lock()
	f.set["log_segment_size"] = 1048576 // rpk cluster config set, out of band
	f.mu.Unlock()
	r, err := s.Read(p.ReadRequest{ID: created.ID, Urn: clusterConfigURN, Properties: created.Properties, Inputs: in})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	got := r.Inputs.Get("properties").AsMap()
	if v := got.Get("log_segment_size").AsString(); v != "1048576" {
		t.Errorf("refreshed log_segment_size = %q, want the out-of-band 1048576", v)
	}
	if v := got.Get("enable_consumer_group_metrics").AsString(); v != props["enable_consumer_group_metrics"] {
		t.Errorf("refreshed enable_consumer_group_metrics = %q, want the declared spelling kept", v)
	}
}

// TestClusterConfigCheck: bad declarations are refused before anything is sent, naming the key.
func TestClusterConfigCheck(t *testing.T) {
	s := offlineServer(t)
	cases := []struct {
		name string
		in   property.Map
		want string
	}{
		{"admin without urls", adminConfigInputs(nil, map[string]string{"a": "1"}, 10), "needs adminUrls"},
		{"bad url", adminConfigInputs([]string{"localhost:9644"}, map[string]string{"a": "1"}, 10), "is not an http(s) URL"},
		{"bad name", adminConfigInputs([]string{"http://x:1"}, map[string]string{"a b": "1"}, 10), `property name "a b"`},
		{"kafka with urls", property.NewMap(map[string]property.Value{
			"api": property.New("kafka"), "adminUrls": property.New(property.NewArray([]property.Value{property.New("http://x:1")})),
			"properties": property.New(property.NewMap(map[string]property.Value{"message.max.bytes": property.New("2000000")})),
		}), "only used by api"},
		{"unknown api", property.NewMap(map[string]property.Value{
			"api": property.New("zookeeper"), "properties": property.New(property.NewMap(nil)),
		}), `api "zookeeper" is not known`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := s.Check(p.CheckRequest{Urn: clusterConfigURN, Inputs: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, f := range resp.Failures {
				msgs = append(msgs, f.Property+": "+f.Reason)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("failures %q do not contain %q", msgs, tc.want)
			}
		})
	}
}
