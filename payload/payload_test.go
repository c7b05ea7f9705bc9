package payload

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/marketbus/market-bus/schemas"
)

func schemaFile(t *testing.T, name string) avro.Schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExamples: every shipped good record passes and every bad one fails at the documented
// field, line by line.
func TestExamples(t *testing.T) {
	cases := []struct {
		file, schema string
		want         map[int]string // line -> "path: message part"; empty for the good files
	}{
		{"fx_tick-good.jsonl", "fx_tick.avsc", nil},
		{"market_telemetry-good.jsonl", "market_telemetry.avsc", nil},
		{"fx_tick-bad.jsonl", "fx_tick.avsc", map[int]string{
			1: "bid: missing field", 2: `bid: want a number (double), got string "1.0841"`, 3: "desk: field is not in record com.marketbus.fx.FxTick",
			4: "producer_id: 4294967296 does not fit an Avro int", 5: "(record): not JSON"}},
		{"market_telemetry-bad.jsonl", "market_telemetry.avsc", map[int]string{
			1: `kind: "FEED_LATENCY" is not a symbol of enum com.marketbus.telemetry.TelemetryKind`,
			2: "instrument: number 42 matches no branch of union [null, string]",
			3: "tags.region: want a string, got number 1"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			rep := &Report{}
			if err := validateJSONFile(filepath.Join(schemas.Dir(), "examples", tc.file), schemaFile(t, tc.schema), rep); err != nil {
				t.Fatal(err)
			}
			if len(tc.want) == 0 {
				if !rep.OK() || rep.Records == 0 {
					t.Fatalf("good file: %d records, invalid %+v", rep.Records, rep.Invalid)
				}
				return
			}
			if len(rep.Invalid) != len(tc.want) || rep.Records != len(tc.want) {
				t.Fatalf("%d of %d records invalid, want all %d: %+v", len(rep.Invalid), rep.Records, len(tc.want), rep.Invalid)
			}
			var out bytes.Buffer
			printText(&out, rep)
			for line, want := range tc.want {
				if !strings.Contains(out.String(), tc.file+":"+itoa(line)+": "+want) {
					t.Errorf("line %d: want %q in\n%s", line, want, out.String())
				}
			}
		})
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestJSONUnionsAndEnums covers the encodings the examples do not.
func TestJSONUnionsAndEnums(t *testing.T) {
	s, err := parse(`{"type":"record","name":"R","fields":[
		{"name":"u","type":["null","string","long"]},
		{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
		{"name":"a","type":{"type":"array","items":"int"}},
		{"name":"f","type":{"type":"fixed","name":"F","size":2}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ record, want string }{
		{`{"u":null,"e":"A","a":[1,2],"f":"ab"}`, ""},
		{`{"u":{"string":"x"},"e":"B","a":[],"f":"ab"}`, ""},
		{`{"u":{"long":7},"e":"B","a":[],"f":"ab"}`, ""},
		{`{"u":7,"e":"B","a":[],"f":"ab"}`, ""}, // bare value of exactly one branch
		{`{"u":true,"e":"A","a":[],"f":"ab"}`, "u: boolean true matches no branch of union [null, string, long]"},
		{`{"u":{"long":"x"},"e":"A","a":[],"f":"ab"}`, "u<long>: want an integer (long)"},
		{`{"u":null,"e":"C","a":[],"f":"ab"}`, `e: "C" is not a symbol of enum E [A B]`},
		{`{"u":null,"e":"A","a":[1,"2"],"f":"ab"}`, "a[1]: want an integer (int)"},
		{`{"u":null,"e":"A","a":[],"f":"abc"}`, "f: fixed F needs 2 bytes, got 3"},
		{`[1]`, "(record): want an object (record R)"},
	}
	for _, tc := range cases {
		t.Run(tc.record, func(t *testing.T) {
			dec := json.NewDecoder(strings.NewReader(tc.record))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			var ps []Problem
			checkJSON(s, v, "", &ps)
			got := ""
			for _, p := range ps {
				path := p.Path
				if path == "" {
					path = "(record)"
				}
				got += path + ": " + p.Message + "\n"
			}
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("problems:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}

// TestBinary: wire-format records are framed and walked by the writer schema, naming the
// field and byte where they break.
func TestBinary(t *testing.T) {
	s := schemaFile(t, "market_telemetry.avsc")
	rec := map[string]any{
		"event_id": "9b2f6c1e-3c1a-4f0e-9d55-2a8c3f0b7e11", "source": "fh", "kind": "FEED_GAP",
		"instrument": "EURUSD", "metric": "gap_ms", "value": 3.5, "unit": nil,
		"event_time": int64(1), "ingest_time": int64(2), "tags": map[string]any{"desk": "spot"},
	}
	body, err := avro.Marshal(s, rec)
	if err != nil {
		t.Fatal(err)
	}
	wire := func(magic byte, id uint32, body []byte) []byte {
		b := []byte{magic, 0, 0, 0, 0}
		binary.BigEndian.PutUint32(b[1:], id)
		return append(b, body...)
	}
	kindAt := bytes.Index(body, []byte("fh")) + 2 // the enum index follows the source string
	badEnum := append([]byte(nil), body...)
	badEnum[kindAt] = 0x7e // zig-zag 63: no such symbol
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"valid", wire(0, 9, body), ""},
		{"magic byte is not 0", wire(1, 9, body), "magic byte is 0x01"},
		{"shorter than the header", []byte{0, 0, 0}, "truncated: 3 bytes"},
		{"truncated body", wire(0, 9, body[:bytes.LastIndex(body, []byte("desk"))-4]), "ingest_time: bad data at byte"}, // hamba frames map blocks with a negative count and a byte size: 3 bytes before "desk"
		{"truncated inside a string", wire(0, 9, body[:20]), "event_id: bad data at byte 5 reading string: unexpected end of data"},
		{"enum index out of range", wire(0, 9, badEnum), "kind: bad data at byte"},
		{"trailing bytes", wire(0, 9, append(append([]byte(nil), body...), 0, 0)), "2 bytes left after the record"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, b, p := splitWire(tc.raw)
			if p == nil {
				if id != 9 {
					t.Fatalf("id = %d", id)
				}
				p = checkBinary(s, b)
			}
			switch {
			case tc.want == "" && p != nil:
				t.Fatalf("valid record refused: %+v", p)
			case tc.want != "" && (p == nil || !strings.Contains(p.Path+": "+p.Message, tc.want)):
				t.Fatalf("problem = %+v, want %q", p, tc.want)
			}
		})
	}
}
