package guardrails

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Policy settings arrive as decoded JSON (numbers are float64, lists []any). The engine fills
// in the schema defaults before it configures the pack, but unit tests and `pulumi` versions
// that skip Configure pass no config at all, so every reader takes the default too. Each
// default is declared once, in the schema, and read from there.

// setting is one documented policy setting.
type setting struct {
	// key is the config property name.
	key string
	// schema is its JSON schema, "default" included.
	schema map[string]any
}

// intSetting declares a whole-number setting with a lower bound.
func intSetting(key, desc string, def, minimum int64) setting {
	return setting{key, map[string]any{
		"type": "integer", "description": desc, "default": def, "minimum": minimum,
	}}
}

// numberSetting declares a number setting with a lower bound.
func numberSetting(key, desc string, def, minimum float64) setting {
	return setting{key, map[string]any{
		"type": "number", "description": desc, "default": def, "minimum": minimum,
	}}
}

// listSetting declares a list-of-strings setting. The default is stored as []any because
// the engine converts the schema with structpb, which rejects []string.
func listSetting(key, desc string, def []string) setting {
	d := make([]any, len(def))
	for i, s := range def {
		d[i] = s
	}
	return setting{key, map[string]any{
		"type": "array", "description": desc, "default": d,
		"items": map[string]any{"type": "string"},
	}}
}

// schemaOf builds a policy's config schema; nil when it has no settings.
func schemaOf(settings ...setting) *policyx.ConfigSchema {
	if len(settings) == 0 {
		return nil
	}
	s := &policyx.ConfigSchema{Properties: map[string]map[string]any{}}
	for _, st := range settings {
		s.Properties[st.key] = st.schema
	}
	return s
}

// number reads a numeric setting, falling back to the schema default.
func (s setting) number(cfg map[string]any) float64 {
	if v, ok := cfg[s.key].(float64); ok {
		return v
	}
	if v, ok := cfg[s.key].(int); ok {
		return float64(v)
	}
	switch d := s.schema["default"].(type) {
	case int64:
		return float64(d)
	case float64:
		return d
	}
	return 0
}

// list reads a list setting, falling back to the schema default.
func (s setting) list(cfg map[string]any) []string {
	raw, ok := cfg[s.key].([]any)
	if !ok {
		if l, ok := cfg[s.key].([]string); ok {
			return l
		}
		raw, _ = s.schema["default"].([]any)
	}
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		if str, ok := e.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// settingsDoc renders the settings of a schema for Catalog, sorted by name.
func settingsDoc(s *policyx.ConfigSchema) []Setting {
	if s == nil {
		return nil
	}
	out := make([]Setting, 0, len(s.Properties))
	for k, p := range s.Properties {
		typ, _ := p["type"].(string)
		desc, _ := p["description"].(string)
		out = append(out, Setting{Name: k, Type: typ, Description: desc, Default: p["default"]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// containsFold reports whether list holds s, ignoring case.
func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
