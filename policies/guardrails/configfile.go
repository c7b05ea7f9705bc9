package guardrails

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
)

// ConfigFile is a policy config file for this pack, the JSON file passed with
// `pulumi preview|up --policy-pack-config=<file>` or, through the Automation API,
// optpreview.PolicyPackConfigs(file) / optup.PolicyPackConfigs(file) (one file per pack, in
// the order of PolicyPacks).
//
// Pulumi's format has no pack-level settings: its top-level keys are policy names, plus the
// reserved "all", whose enforcement level applies to every policy before the per-policy
// entries. MandatoryEverywhere is therefore written as "all": "mandatory". A policy cannot
// raise its own level at run time either (the engine fixes it before calling the
// validation), so the file is the only switch.
type ConfigFile struct {
	// MandatoryEverywhere makes every policy mandatory on every stack: "all": "mandatory".
	MandatoryEverywhere bool
	// Enforcement sets single policies' levels: advisory, mandatory or disabled. With
	// MandatoryEverywhere only mandatory is accepted, since a per-policy level overrides "all".
	Enforcement map[string]string
	// Settings sets policy config properties (see PolicyInfo.Settings), by policy name and key.
	Settings map[string]map[string]any
}

// MandatoryConfig is the config that raises every policy to mandatory on every stack, what
// `busctl policy-check --mandatory` writes.
func MandatoryConfig() ConfigFile { return ConfigFile{MandatoryEverywhere: true} }

// validLevels are the levels a validation policy accepts in a config file.
func validLevels() []string { return []string{"advisory", "mandatory", "disabled"} }

// Marshal validates the config against the pack's policies and renders the JSON file.
func (c ConfigFile) Marshal() ([]byte, error) {
	policies := map[string]PolicyInfo{}
	for _, p := range Catalog() {
		policies[p.Name] = p
	}
	entries := map[string]map[string]any{}
	entry := func(name string) map[string]any {
		if entries[name] == nil {
			entries[name] = map[string]any{}
		}
		return entries[name]
	}
	var errs []error
	for _, name := range sortedKeys(c.Enforcement) {
		level := c.Enforcement[name]
		switch {
		case policies[name].Name == "":
			errs = append(errs, fmt.Errorf("enforcement: unknown policy %q (known: %v)", name, PolicyNames()))
		case !slices.Contains(validLevels(), level):
			errs = append(errs, fmt.Errorf("enforcement of %s: %q is not one of %v", name, level, validLevels()))
		case c.MandatoryEverywhere && level != "mandatory":
			errs = append(errs, fmt.Errorf("enforcement of %s: %q contradicts MandatoryEverywhere (a policy's own level overrides \"all\")", name, level))
		default:
			entry(name)["enforcementLevel"] = level
		}
	}
	for _, name := range sortedKeys(c.Settings) {
		p, ok := policies[name]
		if !ok {
			errs = append(errs, fmt.Errorf("settings: unknown policy %q (known: %v)", name, PolicyNames()))
			continue
		}
		for _, key := range sortedKeys(c.Settings[name]) {
			if !slices.ContainsFunc(p.Settings, func(s Setting) bool { return s.Name == key }) {
				errs = append(errs, fmt.Errorf("settings of %s: unknown setting %q", name, key))
				continue
			}
			entry(name)[key] = c.Settings[name][key]
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	file := map[string]any{}
	if c.MandatoryEverywhere {
		file["all"] = "mandatory"
	}
	for name, e := range entries {
		file[name] = e
	}
	return json.MarshalIndent(file, "", "  ")
}

// Write validates the config and writes it to path.
func (c ConfigFile) Write(path string) error {
	b, err := c.Marshal()
	if err != nil {
		return fmt.Errorf("policy config: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
