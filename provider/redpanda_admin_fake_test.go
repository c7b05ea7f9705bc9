package provider

// fakeAdmin is an httptest stand-in for Redpanda's admin API, which cannot run here. It
// follows Redpanda's own handlers and API docs, request and answer shapes included:
//
//   - redpanda-data/redpanda src/v/redpanda/admin/server_config_routes.cc
//     (patch_cluster_config_handler, register_cluster_config_routes, get_cluster_config):
//     PUT /v1/cluster_config takes {"upsert": {...}, "remove": [...]}, both required (its
//     JSON schema, make_cluster_config_validator); every upsert is validated first and a
//     refusal is a 400 whose body is an object of property name to reason ("Unknown
//     property", "expected type integer", ...); ?dry_run=true stops after validation and
//     answers {"config_version": <current>}; a write answers {"config_version": <new>}.
//     GET /v1/cluster_config?include_defaults=<bool> is a flat object of property to value.
//     GET /v1/cluster_config/status lists {node_id, restart, config_version, invalid,
//     unknown} per broker (config_manager's projected status).
//   - src/v/redpanda/admin/api-doc/cluster_config.json: the routes, the dry_run and force
//     query parameters and cluster_config_write_result {config_version}.
//   - src/v/redpanda/admin/api-doc/broker.json and broker.cc: PUT/GET
//     /v1/brokers/{id}/decommission, whose status answer carries finished and replicas_left.
//   - seastar's json_exception: any other error answers {"message": ..., "code": ...},
//     e.g. 401 when admin_api_require_auth is on and basic auth is missing or wrong.
//
// Brokers take a new config_version one status poll at a time, as real brokers apply the
// controller log asynchronously; a property marked needsRestart sets restart: true.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeProp is one property the fake knows: its kind, its default, whether it needs a restart.
type fakeProp struct {
	kind         string // "integer", "boolean", "string", "array"
	def          any
	needsRestart bool
}

// fakeProps follow src/v/config/configuration.cc for the properties the tests use.
func fakeProps() map[string]fakeProp {
	return map[string]fakeProp{
		"enable_consumer_group_metrics":   {kind: "array", def: []any{"group", "partition"}},
		"log_segment_size":                {kind: "integer", def: json.Number("134217728")},
		"log_segment_size_jitter_percent": {kind: "integer", def: json.Number("5"), needsRestart: true},
		"auto_create_topics_enabled":      {kind: "boolean", def: false},
	}
}

type fakeAdmin struct {
	t     *testing.T
	mu    sync.Mutex
	props map[string]fakeProp
	set   map[string]any // explicitly set values
	// version is the controller's config_version; nodes[i] is what broker i applied.
	version int
	nodes   map[int]int
	restart map[int]bool
	// lag is how many status polls a broker needs per version step; stuck never applies.
	stuck map[int]bool
	// puts and dryRuns count the writes, so a test can prove a preview wrote nothing.
	puts, dryRuns int
	user, pass    string
	srv           *httptest.Server
	// extra handles routes a test adds (decommission, maintenance).
	extra func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeAdmin(t *testing.T, brokers int) *fakeAdmin {
	f := &fakeAdmin{t: t, props: fakeProps(), set: map[string]any{}, version: 1, nodes: map[int]int{}, restart: map[int]bool{}, stuck: map[int]bool{}}
	for i := 0; i < brokers; i++ {
		f.nodes[i] = 1
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAdmin) fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "code": code})
}

func (f *fakeAdmin) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeAdmin) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.user != "" {
		if u, pw, ok := r.BasicAuth(); !ok || u != f.user || pw != f.pass {
			f.fail(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
	}
	if f.extra != nil && f.extra(w, r) {
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/cluster_config":
		out := map[string]any{}
		defaults := r.URL.Query().Get("include_defaults") != "false"
		for k, p := range f.props {
			if v, ok := f.set[k]; ok {
				out[k] = v
			} else if defaults {
				out[k] = p.def
			}
		}
		f.reply(w, out)
	case r.Method == http.MethodPut && r.URL.Path == "/v1/cluster_config":
		f.put(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/cluster_config/status":
		f.reply(w, f.status())
	default:
		f.fail(w, http.StatusNotFound, "Not found")
	}
}

// status advances every broker one version per poll and reports it.
func (f *fakeAdmin) status() []map[string]any {
	ids := make([]int, 0, len(f.nodes))
	for id := range f.nodes {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := []map[string]any{}
	for _, id := range ids {
		if f.nodes[id] < f.version && !f.stuck[id] {
			f.nodes[id]++
		}
		out = append(out, map[string]any{"node_id": id, "restart": f.restart[id], "config_version": f.nodes[id], "invalid": []string{}, "unknown": []string{}})
	}
	return out
}

func (f *fakeAdmin) put(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		f.fail(w, http.StatusBadRequest, "Invalid JSON")
		return
	}
	// make_cluster_config_validator: upsert and remove required, nothing else allowed.
	var upsert map[string]any
	var remove []string
	_, hasU := body["upsert"]
	_, hasR := body["remove"]
	if !hasU || !hasR || len(body) != 2 || decodeNumbers(body["upsert"], &upsert) != nil || json.Unmarshal(body["remove"], &remove) != nil {
		f.fail(w, http.StatusBadRequest, "Request body does not match the schema: upsert (object) and remove (array) are required")
		return
	}
	errs := map[string]string{}
	for k, v := range upsert {
		p, ok := f.props[k]
		if !ok {
			errs[k] = "Unknown property"
			continue
		}
		if !fakeKindMatches(p.kind, v) {
			errs[k] = "expected type " + p.kind
		}
	}
	for _, k := range remove {
		if _, ok := f.props[k]; !ok {
			errs[k] = "Unknown property"
		}
	}
	if len(errs) > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(errs)
		return
	}
	if r.URL.Query().Get("dry_run") == "true" {
		f.dryRuns++
		f.reply(w, map[string]int{"config_version": f.version})
		return
	}
	f.puts++
	f.version++
	for k, v := range upsert {
		f.set[k] = v
		if f.props[k].needsRestart {
			for id := range f.nodes {
				f.restart[id] = true
			}
		}
	}
	for _, k := range remove {
		delete(f.set, k)
	}
	f.reply(w, map[string]int{"config_version": f.version})
}

func decodeNumbers(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func fakeKindMatches(kind string, v any) bool {
	switch kind {
	case "integer":
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(n.String(), ".eE")
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	default:
		_, ok := v.(string)
		return ok
	}
}

// value is the value the fake holds for key, as JSON text.
func (f *fakeAdmin) value(key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.set[key]
	if !ok {
		return fmt.Sprintf("<default %v>", f.props[key].def)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
