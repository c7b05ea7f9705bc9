package provider

import (
	"strings"
	"testing"
)

// TestAvroBackwardOffline: the offline check that stands in when no registry answers.
func TestAvroBackwardOffline(t *testing.T) {
	const base = `{"type":"record","name":"T","fields":[{"name":"pair","type":"string"},{"name":"bid","type":"double"}]}`
	const withInt = `{"type":"record","name":"T","fields":[{"name":"pair","type":"string"},{"name":"bid","type":"double"},{"name":"qty","type":"int"}]}`
	cases := []struct {
		name, old, next string
		field           string // "" when compatible
	}{
		{"same", base, base, ""},
		{"new optional field", base, `{"type":"record","name":"T","fields":[{"name":"pair","type":"string"},{"name":"bid","type":"double"},{"name":"venue","type":["null","string"],"default":null}]}`, ""},
		{"new required field", base, `{"type":"record","name":"T","fields":[{"name":"pair","type":"string"},{"name":"bid","type":"double"},{"name":"venue","type":"string"}]}`, "venue"},
		{"type change", base, `{"type":"record","name":"T","fields":[{"name":"pair","type":"string"},{"name":"bid","type":"string"}]}`, "bid"},
		{"widening int to long is fine", withInt, strings.Replace(withInt, `"qty","type":"int"`, `"qty","type":"long"`, 1), ""},
		{"narrowing long to int is refused", strings.Replace(withInt, `"qty","type":"int"`, `"qty","type":"long"`, 1), withInt, "qty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := avroBackwardIncompatibility(tc.old, tc.next)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("compatible change refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), `field "`+tc.field+`"`) {
				t.Fatalf("err = %v, want the field %q named", err, tc.field)
			}
		})
	}
	if err := avroBackwardIncompatibility(base, `{"type":"record"`); err == nil || !strings.Contains(err.Error(), "not valid Avro") {
		t.Errorf("broken new schema: err = %v", err)
	}
}

func TestSameJSONIgnoresLayoutNotContent(t *testing.T) {
	a := `{"type":"record","name":"T","fields":[{"name":"a","type":"string"}]}`
	if !sameJSON(a, "{\n  \"name\": \"T\",\n  \"type\": \"record\",\n  \"fields\": [ {\"type\": \"string\", \"name\": \"a\"} ]\n}") {
		t.Error("key order and whitespace made a difference")
	}
	if sameJSON(a, `{"type":"record","name":"T","fields":[{"name":"b","type":"string"}]}`) {
		t.Error("a renamed field compared equal")
	}
}
