package guardrails

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// The helpers below read resource inputs as the engine sends them to the pack. During a
// preview any input may still be unknown (computed); every getter reports ok=false for an
// unknown or missing value, and the policies skip what they cannot see rather than guess.

// at walks nested objects by key. A missing key or a non-object on the way yields null.
func at(m property.Map, keys ...string) property.Value {
	v := property.New(m)
	for _, k := range keys {
		if !v.IsMap() {
			return property.Value{}
		}
		v = v.AsMap().Get(k)
	}
	return v
}

// str returns a known string value.
func str(v property.Value) (string, bool) {
	if !v.IsString() {
		return "", false
	}
	return v.AsString(), true
}

// num returns a known number, accepting numeric strings (topic config values are strings).
func num(v property.Value) (float64, bool) {
	switch {
	case v.IsNumber():
		return v.AsNumber(), true
	case v.IsString():
		f, err := strconv.ParseFloat(strings.TrimSpace(v.AsString()), 64)
		return f, err == nil
	}
	return 0, false
}

// boolean returns a known bool, accepting "true"/"false" strings.
func boolean(v property.Value) (bool, bool) {
	switch {
	case v.IsBool():
		return v.AsBool(), true
	case v.IsString():
		b, err := strconv.ParseBool(strings.TrimSpace(v.AsString()))
		return b, err == nil
	}
	return false, false
}

// object returns a known object. Provider resources may carry nested config JSON-encoded
// in a string (older SDKs do that), so a string holding a JSON object is decoded too.
func object(v property.Value) (property.Map, bool) {
	switch {
	case v.IsMap():
		return v.AsMap(), true
	case v.IsString():
		var m map[string]any
		if err := json.Unmarshal([]byte(v.AsString()), &m); err != nil || m == nil {
			return property.Map{}, false
		}
		pm := resource.FromResourcePropertyMap(resource.NewPropertyMapFromMap(m))
		if v.Secret() {
			// The whole JSON string was secret: so is every part of it.
			pm = secretMap(pm)
		}
		return pm, true
	}
	return property.Map{}, false
}

// secretMap marks every top-level value of m secret.
func secretMap(m property.Map) property.Map {
	out := make(map[string]property.Value, m.Len())
	for k, v := range m.All {
		out[k] = v.WithSecret(true)
	}
	return property.NewMap(out)
}

// items returns the elements of a known array.
func items(v property.Value) []property.Value {
	if !v.IsArray() {
		return nil
	}
	return v.AsArray().AsSlice()
}

// strs returns the known strings of an array, skipping unknown elements.
func strs(v property.Value) []string {
	var out []string
	for _, e := range items(v) {
		if s, ok := str(e); ok {
			out = append(out, s)
		}
	}
	return out
}

// stringMap returns the known string entries of an object. Docker's label lists
// ([{label, value}]) are read by labelList instead.
func stringMap(v property.Value) map[string]string {
	m, ok := object(v)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, e := range m.All {
		if s, ok := str(e); ok {
			out[k] = s
		}
	}
	return out
}

// labelList reads Docker's label list [{label, value}] into a map.
func labelList(v property.Value) map[string]string {
	out := map[string]string{}
	for _, e := range items(v) {
		if !e.IsMap() {
			continue
		}
		k, ok1 := str(e.AsMap().Get("label"))
		val, ok2 := str(e.AsMap().Get("value"))
		if ok1 && ok2 {
			out[k] = val
		}
	}
	return out
}

// isInt reports whether f is a whole number.
func isInt(f float64) bool { return f == float64(int64(f)) }

// fmtNum prints a number without a trailing ".0" for whole values.
func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// mapOf returns the object v holds, or an empty one.
func mapOf(v property.Value) property.Map {
	if v.IsMap() {
		return v.AsMap()
	}
	return property.Map{}
}
