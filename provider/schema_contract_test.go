package provider

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/schemas"
)

// TestContractMismatchNamesTheField: the registry-vs-file check compares Parsing Canonical
// Forms, so layout never counts and field order always does.
func TestContractMismatchNamesTheField(t *testing.T) {
	file := schemas.FxTick()
	swapped := strings.Replace(strings.Replace(file, `{"name": "bid"`, `{"name": "TMP"`, 1), `{"name": "ask"`, `{"name": "bid"`, 1)
	swapped = strings.Replace(swapped, `{"name": "TMP"`, `{"name": "ask"`, 1)
	cases := []struct {
		name, registry string
		want           string // "" when the contract holds
	}{
		{"same text", file, ""},
		{"reformatted, docs and defaults dropped, keys reordered", registryForm(t, file, false), ""},
		{"two fields swapped", swapped, `fields[1] is "bid" (double) in the file but "ask" (double)`},
		{"fields sorted by name (Apicurio's canonical hash)", registryForm(t, file, true),
			`fields[0] is "pair" (string) in the file but "ask" (double)`},
		{"a type changed", strings.Replace(file, `{"name": "producer_id", "type": "int"`, `{"name": "producer_id", "type": "long"`, 1), `fields[5] producer_id is int in the file but long`},
		{"a field missing", strings.Replace(file, `,
    {"name": "padding", "type": "bytes", "default": "", "doc": "Filler to reach the configured message size."}`, "", 1), "has 10 fields in the file but 9"},
		{"another record name", strings.Replace(file, `"name": "FxTick"`, `"name": "FxQuote"`, 1), "record com.marketbus.fx.FxTick in the file but com.marketbus.fx.FxQuote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := contractMismatch(SchemaArgs{Subject: "fx-stream-global-value", Schema: file}, tc.registry)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("same encoding reported as a mismatch: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestSameJSONKeepsFieldOrder: the offline "no change" rule ignores layout but never a field
// swap, which changes the binary encoding.
func TestSameJSONKeepsFieldOrder(t *testing.T) {
	a := `{"type":"record","name":"T","fields":[{"name":"a","type":"string"},{"name":"b","type":"string"}]}`
	b := `{"type":"record","name":"T","fields":[{"name":"b","type":"string"},{"name":"a","type":"string"}]}`
	if sameJSON(a, b) {
		t.Error("swapped fields compared equal")
	}
	if _, err := avroCanonical(`{"type":"record","name":"T","fields":[{"name":"a","type":"string"},{"name":"a","type":"long"}]}`); err == nil {
		t.Error("a duplicated field parsed")
	}
}

// registryForm is schema as a registry may hand it back: docs and defaults dropped, keys in
// another order, no layout, and with sortFields the fields sorted by name. Built from the
// file rather than written out, so the test holds no second copy of the schema.
func registryForm(t *testing.T, schema string, sortFields bool) string {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal([]byte(schema), &rec); err != nil {
		t.Fatal(err)
	}
	delete(rec, "doc")
	fields, _ := rec["fields"].([]any)
	for _, f := range fields {
		delete(f.(map[string]any), "doc")
		delete(f.(map[string]any), "default")
	}
	if sortFields {
		sort.Slice(fields, func(i, j int) bool {
			return fields[i].(map[string]any)["name"].(string) < fields[j].(map[string]any)["name"].(string)
		})
	}
	out, err := json.Marshal(rec) // map keys come out sorted: another order than the file's
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
