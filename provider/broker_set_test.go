package provider

// Contract tests of BrokerSet against fakeAdmin's broker routes, which follow Redpanda's
// api-doc/broker.json (GET /v1/brokers: node_id, internal_rpc_address, membership_status;
// PUT and GET /v1/brokers/{id}/decommission: decommission_status {finished, replicas_left,
// allocation_failures}) and its members handling: a decommissioned broker leaves the member
// list, after which its decommission status answers 404 the seastar way.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

var brokerSetURN = presource.NewURN("test", "market-bus", "", "marketbus:index:BrokerSet", "brokers")

// fakeMember is one broker of the fake: its pod host and how many replicas it still holds.
type fakeMember struct {
	host         string
	replicas     int
	decom        bool
	stuck        []string // partitions with nowhere to go
	decommission int      // order in which PUT decommission arrived, 0 if never
}

// brokerRoutes adds GET /v1/brokers and the decommission routes to f. Node ids are not the
// ordinals (Redpanda assigns them), so the provider must match pods by address.
func brokerRoutes(f *fakeAdmin, members map[int]*fakeMember) *[]string {
	var events []string
	puts := 0
	f.extra = func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/brokers":
			out := []map[string]any{}
			for id, m := range members {
				out = append(out, map[string]any{"node_id": id, "internal_rpc_address": m.host, "internal_rpc_port": 33145,
					"membership_status": map[bool]string{true: "draining", false: "active"}[m.decom], "is_alive": true})
			}
			f.reply(w, out)
			return true
		case strings.HasPrefix(r.URL.Path, "/v1/brokers/") && strings.HasSuffix(r.URL.Path, "/decommission"):
			id, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/brokers/"), "/decommission"))
			m, ok := members[id]
			if err != nil || !ok {
				f.fail(w, http.StatusNotFound, fmt.Sprintf("broker %d not found", id))
				return true
			}
			if r.Method == http.MethodPut {
				for oid, o := range members {
					if o.decom && oid != id {
						// One at a time, as the provider promises.
						f.t.Errorf("PUT decommission of %d while %d is still decommissioning", id, oid)
					}
				}
				puts++
				m.decom, m.decommission = true, puts
				events = append(events, fmt.Sprintf("decommission %d", id))
				f.reply(w, map[string]any{})
				return true
			}
			if !m.decom {
				f.fail(w, http.StatusBadRequest, fmt.Sprintf("broker %d is not being decommissioned", id))
				return true
			}
			if len(m.stuck) == 0 && m.replicas > 0 {
				m.replicas--
			}
			finished := m.replicas == 0 && len(m.stuck) == 0
			f.reply(w, map[string]any{"finished": finished, "replicas_left": m.replicas, "allocation_failures": m.stuck, "partitions": []any{}})
			if finished {
				// Redpanda removes the finished broker from the members.
				delete(members, id)
				events = append(events, fmt.Sprintf("removed %d", id))
			}
			return true
		}
		return false
	}
	return &events
}

func podHost(i int) string { return fmt.Sprintf("redpanda-%d.redpanda.marketbus.svc.cluster.local", i) }

func brokerSetInputs(url string, brokers, maxRF int) property.Map {
	hosts := []property.Value{}
	for i := 0; i < 5; i++ {
		hosts = append(hosts, property.New(podHost(i)))
	}
	return property.NewMap(map[string]property.Value{
		"brokers":              property.New(float64(brokers)),
		"rpcHosts":             property.New(property.NewArray(hosts)),
		"maxReplicationFactor": property.New(float64(maxRF)),
		"adminUrls":            property.New(property.NewArray([]property.Value{property.New(url)})),
		"adminPath":            property.New("the external admin listener"),
		"timeoutSeconds":       property.New(5.0),
	})
}

// TestDecommissionBeforeShrink: lowering 5 → 3 decommissions the pods of ordinals 4 then 3
// (node ids 21 and 7: Redpanda's own), one at a time, each to the end, before the replicas
// output the StatefulSet takes goes down.
func TestDecommissionBeforeShrink(t *testing.T) {
	f := newFakeAdmin(t, 0)
	members := map[int]*fakeMember{3: {host: podHost(0), replicas: 9}, 5: {host: podHost(1), replicas: 9}, 11: {host: podHost(2), replicas: 9},
		7: {host: podHost(3), replicas: 3}, 21: {host: podHost(4), replicas: 2}}
	events := brokerRoutes(f, members)
	s := offlineServer(t)
	created, err := s.Create(p.CreateRequest{Urn: brokerSetURN, Properties: brokerSetInputs(f.srv.URL, 5, 3)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	next := brokerSetInputs(f.srv.URL, 3, 3)
	if _, err := s.Update(p.UpdateRequest{ID: "brokers", Urn: brokerSetURN, State: created.Properties, Inputs: next, OldInputs: created.Properties, DryRun: true}); err != nil {
		t.Fatalf("preview: %v", err)
	}
	if len(*events) != 0 {
		t.Fatalf("preview decommissioned: %v", *events)
	}
	up, err := s.Update(p.UpdateRequest{ID: "brokers", Urn: brokerSetURN, State: created.Properties, Inputs: next, OldInputs: created.Properties})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	want := "decommission 21,removed 21,decommission 7,removed 7"
	if got := strings.Join(*events, ","); got != want {
		t.Errorf("sequence = %s, want %s", got, want)
	}
	if got := up.Properties.Get("replicas").AsNumber(); got != 3 {
		t.Errorf("replicas = %v, want 3 after the decommission", got)
	}
	if got := up.Properties.Get("decommissioned").AsArray().AsSlice(); len(got) != 2 || got[0].AsNumber() != 21 || got[1].AsNumber() != 7 {
		t.Errorf("decommissioned = %v, want [21 7]", got)
	}
}

// TestDecommissionThatCannotFinishKeepsTheBroker: a broker whose replicas have nowhere to go
// stops the update with its id and last status, and no lower replicas come out.
func TestDecommissionThatCannotFinishKeepsTheBroker(t *testing.T) {
	f := newFakeAdmin(t, 0)
	members := map[int]*fakeMember{0: {host: podHost(0), replicas: 1}, 1: {host: podHost(1), replicas: 1},
		2: {host: podHost(2), replicas: 4, stuck: []string{"kafka/market-telemetry/3"}}}
	brokerRoutes(f, members)
	s := offlineServer(t)
	created, err := s.Create(p.CreateRequest{Urn: brokerSetURN, Properties: brokerSetInputs(f.srv.URL, 3, 2)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	next := brokerSetInputs(f.srv.URL, 2, 2)
	next = next.Set("timeoutSeconds", property.New(1.0))
	_, err = s.Update(p.UpdateRequest{ID: "brokers", Urn: brokerSetURN, State: created.Properties, Inputs: next, OldInputs: created.Properties})
	if err == nil {
		t.Fatal("update passed although broker 2 could not move its replicas")
	}
	for _, w := range []string{"broker 2 did not finish decommissioning", "4 replicas left", "kafka/market-telemetry/3", "was not shrunk"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// TestBrokerSetRefusesBelowTheLargestRF: a count below the declared largest replication
// factor fails Check, before any preview or decommission.
func TestBrokerSetRefusesBelowTheLargestRF(t *testing.T) {
	s := offlineServer(t)
	resp, err := s.Check(p.CheckRequest{Urn: brokerSetURN, Inputs: brokerSetInputs("http://127.0.0.1:1", 2, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Failures) != 1 || !strings.Contains(resp.Failures[0].Reason, "brokers = 2 is below the largest topic replication factor 3") {
		t.Errorf("failures = %+v", resp.Failures)
	}
}
