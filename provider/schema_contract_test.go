package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/schemas"
)

// TestContractMismatchNamesTheField: the registry-vs-file check compares Parsing Canonical
// Forms, so layout never counts and field order always does.
func TestContractMismatchNamesTheField(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), "fx_tick.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	file := string(raw)
	swapped := strings.Replace(strings.Replace(file, `{"name": "bid"`, `{"name": "TMP"`, 1), `{"name": "ask"`, `{"name": "bid"`, 1)
	swapped = strings.Replace(swapped, `{"name": "TMP"`, `{"name": "ask"`, 1)
	cases := []struct {
		name, registry string
		want           string // "" when the contract holds
	}{
		{"same text", file, ""},
		{"reformatted, docs dropped, keys reordered",
			`{"fields":[{"type":"string","name":"pair"},{"type":"double","name":"bid"},{"type":"double","name":"ask"},{"type":"string","name":"venue"},{"type":"long","name":"sequence"},{"type":"int","name":"producer_id"},{"type":{"logicalType":"timestamp-micros","type":"long"},"name":"event_time"},{"type":"long","name":"intended_send_ns"},{"type":"long","name":"send_ns"},{"type":"bytes","name":"padding"}],"name":"com.marketbus.fx.FxTick","type":"record"}`, ""},
		{"two fields swapped", swapped, `fields[1] is "bid" (double) in the file but "ask" (double)`},
		{"fields sorted by name (Apicurio's canonical hash)",
			`{"type":"record","name":"FxTick","namespace":"com.marketbus.fx","fields":[{"name":"ask","type":"double"},{"name":"bid","type":"double"},{"name":"event_time","type":{"type":"long","logicalType":"timestamp-micros"}},{"name":"intended_send_ns","type":"long"},{"name":"padding","type":"bytes"},{"name":"pair","type":"string"},{"name":"producer_id","type":"int"},{"name":"send_ns","type":"long"},{"name":"sequence","type":"long"},{"name":"venue","type":"string"}]}`,
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
