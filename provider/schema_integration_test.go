package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/schemas"
	"github.com/marketbus/market-bus/tests/kafkatest"
)

// registryServer runs our provider in-process, configured for the local cluster and its
// schema registry; it fails the test when the registry does not answer.
func registryServer(t *testing.T) integration.Server {
	t.Helper()
	resp, err := http.Get(kafkatest.RegistryURL() + "/subjects")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the schema registry at %s is not up (%v): run `scripts/local-cluster start`", kafkatest.RegistryURL(), err)
	}
	resp.Body.Close()
	return configuredServer(t, kafkatest.Bootstrap(), map[string]property.Value{
		"schemaRegistry": property.New(property.NewMap(map[string]property.Value{"url": property.New(kafkatest.RegistryURL())})),
	})
}

func schemaURN(name string) presource.URN {
	return presource.NewURN("test", "market-bus", "", "marketbus:index:Schema", name)
}

func uniqueSubject(t *testing.T) string {
	return fmt.Sprintf("it-%s-%d-value", strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())), time.Now().UnixNano()%1e6)
}

func schemaProps(subject, text string, extra map[string]property.Value) property.Map {
	m := map[string]property.Value{"subject": property.New(subject), "schema": property.New(text), "deletionMode": property.New("hard")}
	for k, v := range extra {
		m[k] = v
	}
	return property.NewMap(m)
}

func checkSchema(t *testing.T, s integration.Server, props property.Map) (property.Map, []p.CheckFailure) {
	t.Helper()
	resp, err := s.Check(p.CheckRequest{Urn: schemaURN("s"), Inputs: props})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return resp.Inputs, resp.Failures
}

func readSchemaFile(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// reformat changes whitespace outside strings and nothing else.
func reformat(t *testing.T, text string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(text), "", "\t\t"); err != nil {
		t.Fatal(err)
	}
	if b.String() == text {
		t.Fatal("reformat changed nothing")
	}
	return b.String()
}

// TestSchemaLifecycle registers market_telemetry.avsc, proves reformatting is no change,
// evolves it compatibly, has an incompatible change refused at preview naming the field,
// imports it and deletes it.
func TestSchemaLifecycle(t *testing.T) {
	s := registryServer(t)
	subject := uniqueSubject(t)
	text := readSchemaFile(t, "market_telemetry.avsc")

	inputs, fails := checkSchema(t, s, schemaProps(subject, text, nil))
	if len(fails) > 0 {
		t.Fatalf("check: %+v", fails)
	}
	if _, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: inputs, DryRun: true}); err != nil {
		t.Fatalf("preview of a new subject: %v", err)
	}
	created, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: inputs})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Delete(p.DeleteRequest{ID: subject, Urn: schemaURN("s"), Properties: created.Properties})
	})
	state := created.Properties
	id := state.Get("schemaId").AsNumber()
	if id <= 0 || state.Get("version").AsNumber() != 1 || state.Get("registrySchema").AsString() == "" {
		t.Fatalf("outputs = id %v version %v", id, state.Get("version"))
	}
	if state.Get("schema").AsString() != text {
		t.Error("state must keep the user's text verbatim")
	}

	t.Run("reformatted text is no change", func(t *testing.T) {
		re, _ := checkSchema(t, s, schemaProps(subject, reformat(t, text), nil))
		d, err := s.Diff(p.DiffRequest{ID: subject, Urn: schemaURN("s"), State: state, Inputs: re, OldInputs: inputs})
		if err != nil || d.HasChanges {
			t.Fatalf("diff = %+v, %v; want no change", d.DetailedDiff, err)
		}
	})

	t.Run("compatible evolution is a new version in place", func(t *testing.T) {
		evolved := strings.Replace(text, `"fields": [`, `"fields": [
    {"name": "desk", "type": ["null", "string"], "default": null, "doc": "Trading desk."},`, 1)
		next, fails := checkSchema(t, s, schemaProps(subject, evolved, nil))
		if len(fails) > 0 {
			t.Fatalf("check: %+v", fails)
		}
		d, err := s.Diff(p.DiffRequest{ID: subject, Urn: schemaURN("s"), State: state, Inputs: next, OldInputs: inputs})
		if err != nil || d.DetailedDiff["schema"].Kind != p.Update {
			t.Fatalf("diff = %+v, %v; want an in-place update of schema", d.DetailedDiff, err)
		}
		if _, err := s.Update(p.UpdateRequest{ID: subject, Urn: schemaURN("s"), State: state, Inputs: next, OldInputs: inputs, DryRun: true}); err != nil {
			t.Fatalf("preview of a compatible change: %v", err)
		}
		up, err := s.Update(p.UpdateRequest{ID: subject, Urn: schemaURN("s"), State: state, Inputs: next, OldInputs: inputs})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if up.Properties.Get("version").AsNumber() != 2 || up.Properties.Get("schemaId").AsNumber() == id {
			t.Errorf("after update: version %v id %v, want version 2 and a new id", up.Properties.Get("version"), up.Properties.Get("schemaId"))
		}
		state, inputs, text = up.Properties, next, evolved
	})

	t.Run("incompatible change fails at preview naming the field", func(t *testing.T) {
		setCompatibility(t, s, subject, "BACKWARD")
		broken := strings.Replace(text, `"name": "value", "type": "double"`, `"name": "value", "type": "string"`, 1)
		if broken == text {
			t.Fatal("test schema no longer has a double field named value")
		}
		next, _ := checkSchema(t, s, schemaProps(subject, broken, nil))
		_, err := s.Update(p.UpdateRequest{ID: subject, Urn: schemaURN("s"), State: state, Inputs: next, OldInputs: inputs, DryRun: true})
		if err == nil || !strings.Contains(err.Error(), "not compatible") || !strings.Contains(err.Error(), `"value"`) {
			t.Fatalf("preview err = %v, want an incompatibility naming field \"value\"", err)
		}
	})

	t.Run("import by subject", func(t *testing.T) {
		r, err := s.Read(p.ReadRequest{ID: subject, Urn: schemaURN("imported")})
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != subject || r.Inputs.Get("subject").AsString() != subject || r.Properties.Get("version").AsNumber() != 2 {
			t.Errorf("import = id %q inputs %v", r.ID, r.Inputs)
		}
	})
}

func TestSchemaBadInputs(t *testing.T) {
	s := registryServer(t)
	cases := []struct {
		name  string
		props property.Map
		prop  string
		want  string
	}{
		{"invalid avro", schemaProps("x-value", `{"type":"record","name":"X","fields":[{"name":"a","type":"strnig"}]}`, nil), "schema", "not valid Avro"},
		{"not even json", schemaProps("x-value", `{"type":`, nil), "schema", "not valid Avro"},
		{"duplicated field", schemaProps("x-value", `{"type":"record","name":"X","fields":[{"name":"a","type":"string"},{"name":"a","type":"long"}]}`, nil), "schema", `duplicate field name "a"`},
		{"invalid json schema text", schemaProps("x-value", `{"type":`, map[string]property.Value{"schemaType": property.New("JSON")}), "schema", "not valid JSON"},
		{"unknown type", schemaProps("x-value", `{}`, map[string]property.Value{"schemaType": property.New("XML")}), "schemaType", "AVRO, JSON or PROTOBUF"},
		{"empty subject", schemaProps(" ", `"string"`, nil), "subject", "subject is empty"},
		{"bad deletion mode", schemaProps("x-value", `"string"`, map[string]property.Value{"deletionMode": property.New("shred")}), "deletionMode", `"shred"`},
		{"reference without version", schemaProps("x-value", `"string"`, map[string]property.Value{"references": property.New(property.NewArray([]property.Value{
			property.New(property.NewMap(map[string]property.Value{"name": property.New("com.x.Y"), "subject": property.New("y-value"), "version": property.New(0.0)})),
		}))}), "references", "version of 1 or more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fails := checkSchema(t, s, tc.props)
			if len(fails) == 0 || fails[0].Property != tc.prop || !strings.Contains(fails[0].Reason, tc.want) {
				t.Errorf("failures = %+v, want %s: %q", fails, tc.prop, tc.want)
			}
		})
	}

	t.Run("missing reference is refused by the registry with its code", func(t *testing.T) {
		subject := uniqueSubject(t)
		props := schemaProps(subject, `{"type":"record","name":"Z","fields":[{"name":"y","type":"com.nowhere.Y"}]}`,
			map[string]property.Value{"references": property.New(property.NewArray([]property.Value{
				property.New(property.NewMap(map[string]property.Value{"name": property.New("com.nowhere.Y"), "subject": property.New("nowhere-" + subject), "version": property.New(1.0)})),
			}))})
		in, fails := checkSchema(t, s, props)
		if len(fails) > 0 {
			t.Fatalf("check: %+v", fails)
		}
		_, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: in})
		if err == nil || !strings.Contains(err.Error(), "schema registry error") {
			t.Fatalf("create with a missing reference: err = %v, want the registry's error code", err)
		}
		if r, _ := s.Read(p.ReadRequest{ID: subject, Urn: schemaURN("s")}); r.ID != "" {
			t.Error("a refused schema was registered")
		}
	})
}

func TestSubjectConfigLifecycle(t *testing.T) {
	s := registryServer(t)
	subject := uniqueSubject(t)
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:SubjectConfig", "c")
	props := func(level string) property.Map {
		return property.NewMap(map[string]property.Value{"subject": property.New(subject), "compatibility": property.New(level)})
	}
	chk, err := s.Check(p.CheckRequest{Urn: urn, Inputs: props("none-ish")})
	if err != nil || len(chk.Failures) == 0 || !strings.Contains(chk.Failures[0].Reason, "not a level") {
		t.Fatalf("bad level accepted: %+v %v", chk.Failures, err)
	}
	chk, _ = s.Check(p.CheckRequest{Urn: urn, Inputs: props("full")})
	created, err := s.Create(p.CreateRequest{Urn: urn, Properties: chk.Inputs})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	r, err := s.Read(p.ReadRequest{ID: subject, Urn: urn, Properties: created.Properties})
	if err != nil || r.Properties.Get("compatibility").AsString() != "FULL" {
		t.Fatalf("read = %v, %v; want FULL", r.Properties, err)
	}
	if err := s.Delete(p.DeleteRequest{ID: subject, Urn: urn, Properties: created.Properties}); err != nil {
		t.Fatalf("delete: %v", err)
	}
}

func setCompatibility(t *testing.T, s integration.Server, subject, level string) {
	t.Helper()
	urn := presource.NewURN("test", "market-bus", "", "marketbus:index:SubjectConfig", "c")
	chk, err := s.Check(p.CheckRequest{Urn: urn, Inputs: property.NewMap(map[string]property.Value{
		"subject": property.New(subject), "compatibility": property.New(level)})})
	if err != nil || len(chk.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, chk.Failures)
	}
	if _, err := s.Create(p.CreateRequest{Urn: urn, Properties: chk.Inputs}); err != nil {
		t.Fatalf("setting %s on %s: %v", level, subject, err)
	}
}

// TestSchemaDriftFromANewerVersion: a version registered outside the stack shows in the
// refreshed state (latestVersion) while the stack keeps the version it manages.
func TestSchemaDriftFromANewerVersion(t *testing.T) {
	s := registryServer(t)
	subject := uniqueSubject(t)
	v1 := `{"type":"record","name":"D","fields":[{"name":"a","type":"string"}]}`
	in, _ := checkSchema(t, s, schemaProps(subject, v1, nil))
	created, err := s.Create(p.CreateRequest{Urn: schemaURN("s"), Properties: in})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Delete(p.DeleteRequest{ID: subject, Urn: schemaURN("s"), Properties: created.Properties})
	})

	cl, err := sr.NewClient(sr.URLs(kafkatest.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	v2 := `{"type":"record","name":"D","fields":[{"name":"a","type":"string"},{"name":"b","type":["null","string"],"default":null}]}`
	if _, err := cl.CreateSchema(context.Background(), subject, sr.Schema{Schema: v2}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Read(p.ReadRequest{ID: subject, Urn: schemaURN("s"), Properties: created.Properties, Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if r.Properties.Get("latestVersion").AsNumber() != 2 || r.Properties.Get("version").AsNumber() != 1 {
		t.Errorf("after an outside registration: version %v latestVersion %v, want 1 and 2",
			r.Properties.Get("version"), r.Properties.Get("latestVersion"))
	}
	if r.Properties.Get("schema").AsString() != v1 {
		t.Error("the stack's own text must stay in state")
	}
}

// TestSchemasRegisteredTogether registers new subjects all at once, as one up registers
// every Schema of a stack in parallel. Apicurio's in-memory store answers some of such
// concurrent first registrations with a 409 "artifact already exists" (or a 500) for a
// subject that has no version; the provider must retry those, not call them incompatible.
func TestSchemasRegisteredTogether(t *testing.T) {
	s := registryServer(t)
	base := uniqueSubject(t)
	const rounds, together = 3, 6
	for r := range rounds {
		errs := make(chan error, together)
		for i := range together {
			subject := fmt.Sprintf("%s-%d-%d", strings.TrimSuffix(base, "-value"), r, i)
			text := fmt.Sprintf(`{"type":"record","name":"Together%d_%d","fields":[{"name":"a","type":"string"}]}`, r, i)
			go func() {
				created, err := s.Create(p.CreateRequest{Urn: schemaURN(subject), Properties: schemaProps(subject, text, nil)})
				if err == nil {
					t.Cleanup(func() {
						_ = s.Delete(p.DeleteRequest{ID: subject, Urn: schemaURN(subject), Properties: created.Properties})
					})
				}
				errs <- err
			}()
		}
		for range together {
			if err := <-errs; err != nil {
				t.Errorf("round %d: a first registration made together with %d others failed: %v", r, together-1, err)
			}
		}
	}
}
