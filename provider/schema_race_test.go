package provider

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// raceRegistry answers like Apicurio's in-memory store under parallel first registrations:
// the first POST of a version answers with a scripted failure (a 409 "already exists", or a
// 500 after which the version does exist), later ones succeed. existing makes the subject
// hold an older, different version from the start (a real conflict).
type raceRegistry struct {
	mu         sync.Mutex
	first      int  // status of the first register: 409, or 500 (which still registers)
	existing   bool // the subject already has a version 1 of another schema
	registered string
	posts      int
}

func (r *raceRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reply := func(code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	notFound := func() { reply(404, map[string]any{"error_code": 40401, "message": "No artifact"}) }
	var body struct {
		Schema string `json:"schema"`
	}
	_ = json.NewDecoder(req.Body).Decode(&body)
	path := req.URL.Path
	switch {
	case req.Method == http.MethodPost && strings.HasSuffix(path, "/versions"):
		r.posts++
		// Apicurio: a first 409 for nothing there, or a 409 because a 500'd attempt landed.
		if r.posts == 1 && r.first == 409 || r.posts == 2 && r.first == 500 || r.existing {
			reply(409, map[string]any{"error_code": 409, "message": "An artifact with ID 's-value' in group 'null' already exists."})
			return
		}
		r.registered = body.Schema
		if r.posts == 1 && r.first == 500 {
			reply(500, map[string]any{"error_code": 50001, "message": "Unique index or primary key violation"})
			return
		}
		reply(200, map[string]any{"id": 7})
	case req.Method == http.MethodPost && strings.Contains(path, "/compatibility/"):
		reply(200, map[string]any{"is_compatible": false, "messages": []string{"field removed"}})
	case req.Method == http.MethodPost && strings.HasPrefix(path, "/subjects/"):
		if r.registered == "" || r.registered != body.Schema {
			reply(404, map[string]any{"error_code": 40403, "message": "Schema not found"})
			return
		}
		reply(200, map[string]any{"subject": "s-value", "version": 1, "id": 7, "schema": r.registered})
	case path == "/subjects/s-value/versions":
		switch {
		case r.existing:
			reply(200, []int{1})
		case r.registered != "":
			reply(200, []int{1})
		default:
			notFound()
		}
	case strings.HasPrefix(path, "/subjects/s-value/versions/"):
		if r.registered == "" {
			notFound()
			return
		}
		reply(200, map[string]any{"subject": "s-value", "version": 1, "id": 7, "schema": r.registered})
	case path == "/schemas/ids/7":
		reply(200, map[string]any{"schema": r.registered})
	case path == "/schemas/ids/7/versions":
		reply(200, []map[string]any{{"subject": "s-value", "version": 1}})
	default:
		notFound()
	}
}

// TestRegisterRidesOutRegistryRaces: a 409 for a subject with no version is the registry's
// own race and is retried; a 409 after a 500 whose registration did land is success, and
// the version counts as the stack's; a 409 against a real older version is an
// incompatibility, not retried.
func TestRegisterRidesOutRegistryRaces(t *testing.T) {
	text := `{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}`
	cases := []struct {
		name      string
		reg       *raceRegistry
		wantErr   string
		wantPosts int
	}{
		{"409 on an empty subject is retried", &raceRegistry{first: 409}, "", 2},
		{"500 that registered, then 409", &raceRegistry{first: 500}, "", 2},
		{"409 against an existing version", &raceRegistry{existing: true}, "is not compatible with its latest version", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.reg)
			defer ts.Close()
			s := configuredServer(t, []string{"127.0.0.1:1"}, map[string]property.Value{
				"schemaRegistry": property.New(property.NewMap(map[string]property.Value{"url": property.New(ts.URL)})),
			})
			resp, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: schemaProps("s-value", text, nil)})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("create: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("create: err = %v, want %q", err, tc.wantErr)
			}
			if tc.reg.posts != tc.wantPosts {
				t.Errorf("the registry saw %d registrations, want %d", tc.reg.posts, tc.wantPosts)
			}
			if tc.wantErr == "" {
				if id := resp.Properties.Get("schemaId").AsNumber(); id != 7 {
					t.Errorf("schemaId = %v, want 7", id)
				}
				if v := resp.Properties.Get("registeredVersions").AsArray().AsSlice(); len(v) != 1 || v[0].AsNumber() != 1 {
					t.Errorf("registeredVersions = %v, want [1]: the version is the stack's", v)
				}
			}
		})
	}
}
