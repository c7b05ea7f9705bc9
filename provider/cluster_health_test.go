package provider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// fakeHealthAdmin serves /v1/cluster/health_overview: unhealthy for the first `sick` calls.
func fakeHealthAdmin(t *testing.T, sick int32, healthy healthOverview) *httptest.Server {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/cluster/health_overview" {
			http.NotFound(w, r)
			return
		}
		h := healthy
		if calls.Add(1) <= sick {
			h = healthOverview{IsHealthy: false, AllNodes: []int{0, 1}, NodesDown: []int{2}, UnhealthyReasons: []string{"nodes_down"}}
		}
		_ = json.NewEncoder(w).Encode(h)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func healthProps(urls []string, brokers, cores, timeout int) property.Map {
	vals := make([]property.Value, len(urls))
	for i, u := range urls {
		vals[i] = property.New(u)
	}
	m := map[string]property.Value{
		"expectedBrokers": property.New(float64(brokers)),
		"cpuCores":        property.New(float64(cores)),
		"timeoutSeconds":  property.New(float64(timeout)),
	}
	if len(urls) > 0 {
		m["adminUrls"] = property.New(property.NewArray(vals))
	}
	return property.NewMap(m)
}

// healthServer runs the provider against a 3-broker kfake cluster: the Kafka listener is
// what ClusterHealth decides from; the admin API of these tests is an extra.
func healthServer(t *testing.T) (func(property.Map) (p.CreateResponse, error), func(property.Map) property.Map) {
	t.Helper()
	return healthServerOn(t, kfServer(t, kfCluster(t)))
}

func healthServerOn(t *testing.T, s integration.Server) (func(property.Map) (p.CreateResponse, error), func(property.Map) property.Map) {
	t.Helper()
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:ClusterHealth", "health")
	check := func(in property.Map) property.Map {
		resp, err := s.Check(p.CheckRequest{Urn: urn, Inputs: in})
		if err != nil || len(resp.Failures) > 0 {
			t.Fatalf("check: %v %+v", err, resp.Failures)
		}
		return resp.Inputs
	}
	create := func(in property.Map) (p.CreateResponse, error) {
		return s.Create(p.CreateRequest{Urn: urn, Properties: check(in)})
	}
	return create, check
}

func TestClusterHealthWaitsUntilEveryBrokerIsUp(t *testing.T) {
	healthy := healthOverview{IsHealthy: true, ControllerID: 1, AllNodes: []int{0, 1, 2}}
	srv := fakeHealthAdmin(t, 2, healthy)
	create, _ := healthServer(t)
	// The first URL is dead: the check moves on to the next one.
	resp, err := create(healthProps([]string{"http://127.0.0.1:1", srv.URL}, 3, 1, 30))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := resp.Properties.Get("brokers").AsArray().Len(); got != 3 {
		t.Errorf("brokers = %v", resp.Properties.Get("brokers"))
	}
}

// TestClusterHealthWithoutAdminAPI: prod keeps the admin API internal; the Kafka listener
// alone decides, and an admin URL nobody answers on is skipped, not waited for.
func TestClusterHealthWithoutAdminAPI(t *testing.T) {
	for name, urls := range map[string][]string{"no admin URL": nil, "admin API not reachable": {"http://127.0.0.1:1"}} {
		t.Run(name, func(t *testing.T) {
			create, _ := healthServer(t)
			resp, err := create(healthProps(urls, 3, 1, 30))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if got := resp.Properties.Get("brokers").AsArray().Len(); got != 3 {
				t.Errorf("brokers = %v, want the 3 registered brokers", resp.Properties.Get("brokers"))
			}
		})
	}
}

// TestClusterHealthCountsRegisteredBrokers: a cluster with fewer brokers than expected is not
// healthy, whatever else it reports.
func TestClusterHealthCountsRegisteredBrokers(t *testing.T) {
	create, _ := healthServer(t)
	_, err := create(healthProps(nil, 4, 1, 2))
	if err == nil || !strings.Contains(err.Error(), "3 of 4 brokers registered") {
		t.Fatalf("err = %v, want the missing broker named", err)
	}
}

// TestClusterHealthAdminRefusal: an admin API that answers 401 is a refusal naming the
// principal, at once, not a wait until the timeout.
func TestClusterHealthAdminRefusal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	create, _ := healthServer(t)
	_, err := create(healthProps([]string{srv.URL}, 3, 1, 300))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "no SASL user") {
		t.Fatalf("err = %v, want the 401 and the principal named", err)
	}
}

func TestClusterHealthTimesOutNamingTheBrokersDown(t *testing.T) {
	srv := fakeHealthAdmin(t, 1<<30, healthOverview{})
	create, _ := healthServer(t)
	_, err := create(healthProps([]string{srv.URL}, 3, 1, 2))
	if err == nil || !strings.Contains(err.Error(), "brokers down: [2]") || !strings.Contains(err.Error(), "2 of 3 brokers joined") {
		t.Fatalf("err = %v, want the unhealthy brokers named", err)
	}
}

func TestClusterHealthRefusesFewerCores(t *testing.T) {
	s := offlineServer(t)
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:ClusterHealth", "health")
	state := healthProps([]string{"http://localhost:19644"}, 3, 2, 30).
		Set("brokers", property.New(property.NewArray([]property.Value{property.New(0.0), property.New(1.0), property.New(2.0)}))).
		Set("controllerId", property.New(0.0)).Set("checkedAt", property.New("2026-11-27T10:00:00Z"))
	for _, tc := range []struct {
		cores   int
		wantErr bool
	}{{1, true}, {2, false}, {4, false}} {
		in, _ := s.Check(p.CheckRequest{Urn: urn, Inputs: healthProps([]string{"http://localhost:19644"}, 3, tc.cores, 30)})
		_, err := s.Diff(p.DiffRequest{ID: "cluster-health", Urn: urn, State: state, Inputs: in.Inputs, OldInputs: state})
		if tc.wantErr != (err != nil) || (err != nil && !strings.Contains(err.Error(), "cannot lower the shard count")) {
			t.Errorf("cores 2 -> %d: err = %v", tc.cores, err)
		}
	}
}

// offlineServer runs the provider in-process, configured for a cluster it never dials:
// resources that do not speak the Kafka API need no brokers.
func offlineServer(t *testing.T) integration.Server {
	t.Helper()
	return configuredServer(t, []string{"127.0.0.1:1"}, nil)
}
