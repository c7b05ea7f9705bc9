package stacks

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/fielderr"
)

// refusedFields returns the key path of every problem of a Load error, in order ("?" for a
// problem that names no key, so an assertion on the list shows it), and the field refusals.
func refusedFields(t *testing.T, err error) ([]string, []*fielderr.Error) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *ConfigError", err)
	}
	var fields []string
	var refusals []*fielderr.Error
	for _, p := range ce.Problems {
		var fe *fielderr.Error
		if !errors.As(p, &fe) {
			fields = append(fields, "?")
			continue
		}
		fields = append(fields, fe.Field)
		refusals = append(refusals, fe)
	}
	return fields, refusals
}

// k lists full config keys for the paths under the project.
func k(paths ...string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = Key(p)
	}
	return out
}

// wantKeys fails t unless err's problems name exactly keys (in any order, repeats counted).
func wantKeys(t *testing.T, err error, keys ...string) {
	t.Helper()
	want := slices.Clone(keys)
	slices.Sort(want)
	got, _ := refusedFields(t, err)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("problems name the keys %q, want %q; error:\n%v", got, want, err)
	}
}

func TestUnderKeyPrefixesTheComponentsPath(t *testing.T) {
	tests := []struct {
		key, field, want string
	}{
		{"cluster", "memory", "market-bus:cluster.memory"},
		{"cluster", "listeners.kafka.sourceRanges", "market-bus:cluster.listeners.kafka.sourceRanges"},
		{"topics", "[2].name", "market-bus:topics[2].name"},
		{"nodePool", "", "market-bus:nodePool"},
	}
	for _, tt := range tests {
		errs := underKey(tt.key, fielderr.Join([]*fielderr.Error{fielderr.New(tt.field, 1, "p", "f")}))
		var fe *fielderr.Error
		if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Field != tt.want {
			t.Errorf("underKey(%q, %q) = %v, want one problem at %q", tt.key, tt.field, errs, tt.want)
		}
	}
	plain := errors.New("not a field refusal")
	if errs := underKey("cluster", plain); len(errs) != 1 || errs[0] != plain {
		t.Errorf("underKey passes other errors through unchanged; got %v", errs)
	}
}

// TestLoadRejectsBadSchemas: each refusal of market-bus:schemas names the subject's entry
// and its field.
func TestLoadRejectsBadSchemas(t *testing.T) {
	cases := []struct {
		name, schemas string
		keys          []string
		want          string
	}{
		{"no subject", `[{"file":"schemas/fx_tick.avsc"}]`, k("schemas[0].subject"), "no subject is named"},
		{"duplicate subject", `[{"subject":"a-value","file":"schemas/fx_tick.avsc"},{"subject":"a-value","file":"schemas/fx_tick.avsc"}]`,
			k("schemas[1].subject"), "duplicates market-bus:schemas[0]"},
		{"unknown type", `[{"subject":"a-value","file":"schemas/fx_tick.avsc","type":"THRIFT"}]`, k("schemas[0].type"), "use AVRO, JSON or PROTOBUF"},
		{"unknown compatibility", `[{"subject":"a-value","file":"schemas/fx_tick.avsc","compatibility":"SIDEWAYS"}]`,
			k("schemas[0].compatibility"), "not a compatibility level"},
		{"unknown deletion mode", `[{"subject":"a-value","file":"schemas/fx_tick.avsc","deletionMode":"shred"}]`,
			k("schemas[0].deletionMode"), "use soft, hard or retain"},
		{"no file", `[{"subject":"a-value"}]`, k("schemas[0].file"), "no schema file is named"},
		{"missing file", `[{"subject":"a-value","file":"schemas/nope.avsc"}]`, k("schemas[0].file"), "cannot be read"},
		{"not Avro", `[{"subject":"a-value","file":"Pulumi.yaml"}]`, k("schemas[0].file"), "not valid Avro"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := MapSource(localConfig())
			src[KeySchemas] = tc.schemas
			src[KeyGate] = `{"enabled":false}`
			_, err := Load("local", src)
			if err == nil {
				t.Fatal("accepted")
			}
			wantKeys(t, err, tc.keys...)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\n does not mention %q", err, tc.want)
			}
		})
	}
}
