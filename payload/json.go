package payload

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hamba/avro/v2"
)

// checkJSON checks one JSON value (decoded with UseNumber) against an Avro schema in the
// Avro JSON encoding: a union value is null or {"<branch>": value}; a bare value is also
// accepted when exactly one branch takes it, since most application JSON is written so.
// A record field absent from the object is accepted when the schema gives it a default.
// It appends every problem found, each with its field path.
func checkJSON(s avro.Schema, v any, path string, out *[]Problem) {
	bad := func(format string, args ...any) {
		*out = append(*out, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	switch s.Type() {
	case avro.Null:
		if v != nil {
			bad("want null, got %s", describe(v))
		}
	case avro.Boolean:
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %s", describe(v))
		}
	case avro.Int, avro.Long:
		n, ok := v.(json.Number)
		i, err := n.Int64()
		switch {
		case !ok || err != nil:
			bad("want an integer (%s), got %s", s.Type(), describe(v))
		case s.Type() == avro.Int && (i < math.MinInt32 || i > math.MaxInt32):
			bad("%d does not fit an Avro int (32 bits)", i)
		}
	case avro.Float, avro.Double:
		if _, ok := v.(json.Number); !ok {
			bad("want a number (%s), got %s", s.Type(), describe(v))
		}
	case avro.String:
		if _, ok := v.(string); !ok {
			bad("want a string, got %s", describe(v))
		}
	case avro.Bytes, avro.Fixed:
		str, ok := v.(string)
		if !ok {
			bad("want a string of byte values (Avro JSON for %s), got %s", s.Type(), describe(v))
			return
		}
		if f, isFixed := s.(*avro.FixedSchema); isFixed && utf8.RuneCountInString(str) != f.Size() {
			bad("fixed %s needs %d bytes, got %d", f.FullName(), f.Size(), utf8.RuneCountInString(str))
		}
	case avro.Enum:
		e := s.(*avro.EnumSchema)
		str, ok := v.(string)
		if !ok {
			bad("want a symbol of enum %s, got %s", e.FullName(), describe(v))
		} else if !slices.Contains(e.Symbols(), str) {
			bad("%q is not a symbol of enum %s %v", str, e.FullName(), e.Symbols())
		}
	case avro.Array:
		items, ok := v.([]any)
		if !ok {
			bad("want an array, got %s", describe(v))
			return
		}
		for i, x := range items {
			checkJSON(s.(*avro.ArraySchema).Items(), x, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case avro.Map:
		m, ok := v.(map[string]any)
		if !ok {
			bad("want an object (Avro map), got %s", describe(v))
			return
		}
		for _, k := range sortedKeys(m) {
			checkJSON(s.(*avro.MapSchema).Values(), m[k], join(path, k), out)
		}
	case avro.Record:
		checkRecord(s.(*avro.RecordSchema), v, path, out)
	case avro.Union:
		checkUnion(s.(*avro.UnionSchema), v, path, out)
	default:
		bad("schema type %s is not supported by this validator", s.Type())
	}
}

func checkRecord(r *avro.RecordSchema, v any, path string, out *[]Problem) {
	m, ok := v.(map[string]any)
	if !ok {
		*out = append(*out, Problem{Path: path, Message: fmt.Sprintf("want an object (record %s), got %s", r.FullName(), describe(v))})
		return
	}
	known := map[string]bool{}
	for _, f := range r.Fields() {
		known[f.Name()] = true
		x, present := m[f.Name()]
		if !present {
			if !f.HasDefault() {
				*out = append(*out, Problem{Path: join(path, f.Name()), Message: fmt.Sprintf("missing field (type %s, no default)", typeName(f.Type()))})
			}
			continue
		}
		checkJSON(f.Type(), x, join(path, f.Name()), out)
	}
	for _, k := range sortedKeys(m) {
		if !known[k] {
			*out = append(*out, Problem{Path: join(path, k), Message: fmt.Sprintf("field is not in record %s", r.FullName())})
		}
	}
}

func checkUnion(u *avro.UnionSchema, v any, path string, out *[]Problem) {
	if v == nil {
		if !slices.ContainsFunc(u.Types(), func(b avro.Schema) bool { return b.Type() == avro.Null }) {
			*out = append(*out, Problem{Path: path, Message: fmt.Sprintf("null is not a branch of union %s", branchList(u))})
		}
		return
	}
	// The Avro JSON encoding: {"branch name": value}.
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for k, x := range m {
			for _, b := range u.Types() {
				if branchName(b) == k || shortName(b) == k {
					checkJSON(b, x, path+"<"+k+">", out)
					return
				}
			}
		}
	}
	var fits []avro.Schema
	for _, b := range u.Types() {
		var p []Problem
		checkJSON(b, v, path, &p)
		if len(p) == 0 {
			fits = append(fits, b)
		}
	}
	switch len(fits) {
	case 1:
	case 0:
		*out = append(*out, Problem{Path: path, Message: fmt.Sprintf("%s matches no branch of union %s", describe(v), branchList(u))})
	default:
		*out = append(*out, Problem{Path: path, Message: fmt.Sprintf("%s matches several branches of union %s: wrap it as {\"<branch>\": value}", describe(v), branchList(u))})
	}
}

// branchName is how the Avro JSON encoding names a union branch: the primitive type or the
// full name of a named type.
func branchName(s avro.Schema) string {
	if n, ok := s.(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

func shortName(s avro.Schema) string {
	if n, ok := s.(avro.NamedSchema); ok {
		return n.Name()
	}
	return string(s.Type())
}

func branchList(u *avro.UnionSchema) string {
	names := make([]string, len(u.Types()))
	for i, b := range u.Types() {
		names[i] = branchName(b)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

func typeName(s avro.Schema) string {
	if u, ok := s.(*avro.UnionSchema); ok {
		return branchList(u)
	}
	return branchName(s)
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case json.Number:
		return "number " + x.String()
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return fmt.Sprintf("string %q", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
