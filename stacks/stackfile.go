package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// secretPresent stands for a secret the stack file holds encrypted: a
// StackFileSource knows a secret is set, never its value.
const secretPresent = "(secret: set, not read)"

// StackFileSource reads a stack's config without the Pulumi engine: the
// defaults Pulumi.yaml declares under root, overridden by file (a
// Pulumi.<stack>.yaml), structured values as JSON the way the engine hands
// them to a program. Secrets are never decrypted: a `secure:` value reads
// as a placeholder, so checks that a secret is set still pass, and the
// secret keys the program needs for anything it renders are refused by
// the caller, not here.
func StackFileSource(root, file string) (MapSource, error) {
	src := MapSource{}
	var project struct {
		Config map[string]struct {
			Default any `yaml:"default"`
		} `yaml:"config"`
	}
	if err := readYAMLFile(filepath.Join(root, "Pulumi.yaml"), &project); err != nil {
		return nil, err
	}
	for key, decl := range project.Config {
		if name, ok := strings.CutPrefix(key, Project+":"); ok && decl.Default != nil {
			v, err := configText(decl.Default)
			if err != nil {
				return nil, fmt.Errorf("the default of %s in Pulumi.yaml: %w", key, err)
			}
			src[name] = v
		}
	}
	var stack struct {
		Config map[string]any `yaml:"config"`
	}
	if err := readYAMLFile(file, &stack); err != nil {
		return nil, err
	}
	for key, raw := range stack.Config {
		name, ok := strings.CutPrefix(key, Project+":")
		if !ok {
			continue
		}
		if m, ok := raw.(map[string]any); ok && len(m) == 1 && m["secure"] != nil {
			src[name] = secretPresent
			continue
		}
		v, err := configText(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, key, err)
		}
		src[name] = v
	}
	return src, nil
}

// configText is a config value as a program reads it: strings as they
// are, everything else as JSON.
func configText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func readYAMLFile(path string, into any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	return nil
}
