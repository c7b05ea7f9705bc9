package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestRegistryKeepsTheContract registers every schema file through the provider and reads
// back the text the registry serves for the id, as any consumer does: its Parsing Canonical
// Form must be the file's. On a registry that canonicalises (Apicurio with
// registry.ccompat.use-canonical-hash) the create fails naming the first moved field.
func TestRegistryKeepsTheContract(t *testing.T) {
	s := registryServer(t)
	cl := testRegistryClient(t)
	for _, file := range []string{"fx_tick.avsc", "market_telemetry.avsc"} {
		t.Run(file, func(t *testing.T) {
			subject := uniqueSubject(t)
			text := readSchemaFile(t, file)
			in, fails := checkSchema(t, s, schemaProps(subject, text, nil))
			if len(fails) > 0 {
				t.Fatalf("check: %+v", fails)
			}
			created, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: in})
			if created.ID != "" {
				t.Cleanup(func() {
					_ = s.Delete(p.DeleteRequest{ID: subject, Urn: schemaURN("s"), Properties: created.Properties})
				})
			}
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			id := int(created.Properties.Get("schemaId").AsNumber())
			byID, err := cl.SchemaByID(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := avroCanonical(text)
			got, err := avroCanonical(byID.Schema)
			if err != nil || got != want {
				t.Fatalf("GET /schemas/ids/%d has canonical form\n%s\nthe file has\n%s", id, got, want)
			}
			latest, err := cl.SchemaByVersion(context.Background(), subject, -1)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := avroCanonical(latest.Schema.Schema); got != want {
				t.Fatalf("GET /subjects/%s/versions/latest has canonical form\n%s\nthe file has\n%s", subject, got, want)
			}

			t.Run("refresh finds no drift", func(t *testing.T) {
				r, err := s.Read(p.ReadRequest{ID: subject, Urn: schemaURN("s"), Properties: created.Properties, Inputs: in})
				if err != nil {
					t.Fatal(err)
				}
				if m := r.Properties.Get("contractMismatch"); m.IsString() && m.AsString() != "" {
					t.Fatalf("drift reported on an intact registry: %s", m.AsString())
				}
			})
			t.Run("reformatting is no change", func(t *testing.T) {
				re, _ := checkSchema(t, s, schemaProps(subject, reformat(t, text), nil))
				d, err := s.Diff(p.DiffRequest{ID: subject, Urn: schemaURN("s"), State: created.Properties, Inputs: re, OldInputs: in})
				if err != nil || d.HasChanges {
					t.Fatalf("diff = %+v, %v; want no change", d.DetailedDiff, err)
				}
			})
			t.Run("a registry text in another field order is drift", func(t *testing.T) {
				// The state claims the file has the fields swapped: the registry's text for the
				// id then no longer matches it, as when a registry rewrites what it stores.
				st := created.Properties.Set("schema", property.New(swapFirstTwoFields(t, text)))
				r, err := s.Read(p.ReadRequest{ID: subject, Urn: schemaURN("s"), Properties: st, Inputs: in})
				if err != nil {
					t.Fatal(err)
				}
				m := r.Properties.Get("contractMismatch")
				if !m.IsString() || !strings.Contains(m.AsString(), "fields[0]") || !strings.Contains(m.AsString(), "field order differs") {
					t.Fatalf("contractMismatch = %v, want the first moved field named", m)
				}
				d, err := s.Diff(p.DiffRequest{ID: subject, Urn: schemaURN("s"), State: r.Properties, Inputs: in, OldInputs: in})
				if err != nil || d.DetailedDiff["schema"].Kind != p.Update {
					t.Fatalf("diff after drift = %+v, %v; want an update of schema", d.DetailedDiff, err)
				}
			})
			t.Run("swapping two fields is a change", func(t *testing.T) {
				swapped := swapFirstTwoFields(t, text)
				next, _ := checkSchema(t, s, schemaProps(subject, swapped, nil))
				d, err := s.Diff(p.DiffRequest{ID: subject, Urn: schemaURN("s"), State: created.Properties, Inputs: next, OldInputs: in})
				if err != nil || d.DetailedDiff["schema"].Kind != p.Update {
					t.Fatalf("diff = %+v, %v; want an update of schema", d.DetailedDiff, err)
				}
			})
		})
	}
}

// swapFirstTwoFields exchanges the first two entries of a record's fields array.
func swapFirstTwoFields(t *testing.T, text string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	fields := doc["fields"].([]any)
	fields[0], fields[1] = fields[1], fields[0]
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func testRegistryClient(t *testing.T) *sr.Client {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(kafkatest.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// TestSchemaDeleteKeepsOthersVersions: destroy deletes only the versions the resource
// registered. A version registered out of band keeps the subject alive, in each mode; hard
// purges ours (gone even from ?deleted=true), soft leaves them soft-deleted.
func TestSchemaDeleteKeepsOthersVersions(t *testing.T) {
	s := registryServer(t)
	cl := testRegistryClient(t)
	ctx := context.Background()
	const v1 = `{"type":"record","name":"K","fields":[{"name":"a","type":"string"}]}`
	const v2 = `{"type":"record","name":"K","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","string"],"default":null}]}`
	const v3 = `{"type":"record","name":"K","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","string"],"default":null},{"name":"c","type":["null","long"],"default":null}]}`
	for _, mode := range []string{"soft", "hard"} {
		t.Run(mode, func(t *testing.T) {
			subject := uniqueSubject(t)
			withMode := map[string]property.Value{"deletionMode": property.New(mode)}
			in, _ := checkSchema(t, s, schemaProps(subject, v1, withMode))
			created, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: in})
			if err != nil {
				t.Fatal(err)
			}
			// Someone else registers version 2; then the stack evolves to version 3.
			if _, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: v2}); err != nil {
				t.Fatal(err)
			}
			next, _ := checkSchema(t, s, schemaProps(subject, v3, withMode))
			up, err := s.Update(p.UpdateRequest{ID: subject, Urn: schemaURN("s"), State: created.Properties, Inputs: next, OldInputs: in})
			if err != nil {
				t.Fatal(err)
			}
			if rv := up.Properties.Get("registeredVersions").AsArray().AsSlice(); len(rv) != 2 || rv[0].AsNumber() != 1 || rv[1].AsNumber() != 3 {
				t.Fatalf("registeredVersions = %v, want [1 3]", rv)
			}
			t.Cleanup(func() {
				_, _ = cl.DeleteSubject(ctx, subject, sr.SoftDelete)
				_, _ = cl.DeleteSubject(ctx, subject, sr.HardDelete)
			})
			if err := s.Delete(p.DeleteRequest{ID: subject, Urn: schemaURN("s"), Properties: up.Properties}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			live, err := liveVersions(ctx, cl, subject)
			if err != nil || !slices.Equal(live, []int{2}) {
				t.Fatalf("after destroy the subject has versions %v (%v), want only [2], the out-of-band one", live, err)
			}
			all, err := cl.SubjectVersions(sr.WithParams(ctx, sr.ShowDeleted), subject)
			if err != nil {
				t.Fatal(err)
			}
			want := []int{1, 2, 3} // soft: ours are still there for ?deleted=true
			if mode == "hard" {
				want = []int{2}
			}
			if !slices.Equal(all, want) {
				t.Fatalf("versions including soft-deleted = %v, want %v", all, want)
			}
		})
	}
}

// liveVersions are the subject's versions that are not soft-deleted. Apicurio's Confluent API
// keeps listing soft-deleted versions (it marks them DISABLED in its own API), so on Apicurio
// the state is read there; on other registries the Confluent list already hides them.
func liveVersions(ctx context.Context, cl *sr.Client, subject string) ([]int, error) {
	base, ok := strings.CutSuffix(kafkatest.RegistryURL(), "/apis/ccompat/v7")
	if ok {
		resp, err := http.Get(base + "/apis/registry/v2/groups/default/artifacts/" + url.PathEscape(subject) + "/versions")
		if err == nil && resp.StatusCode == http.StatusOK {
			defer resp.Body.Close()
			var vs struct {
				Versions []struct {
					Version string `json:"version"`
					State   string `json:"state"`
				} `json:"versions"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&vs); err != nil {
				return nil, err
			}
			var live []int
			for _, v := range vs.Versions {
				if n, err := strconv.Atoi(v.Version); err == nil && v.State != "DISABLED" {
					live = append(live, n)
				}
			}
			slices.Sort(live)
			return live, nil
		}
	}
	return cl.SubjectVersions(ctx, subject)
}
