package driver

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/stacks"
)

// ConfigKey returns key namespaced by the project (saslPassword becomes
// market-bus:saslPassword), as `pulumi config` does, and refuses malformed keys.
func ConfigKey(key string) (string, error) {
	if !strings.Contains(key, ":") {
		key = stacks.Project + ":" + key
	}
	if _, err := config.ParseKey(key); err != nil {
		return "", fmt.Errorf("config key %q: %w (write it as market-bus:NAME or NAME)", key, err)
	}
	return key, nil
}

// SetConfig sets key in the stack's config file the way `pulumi config set [--secret]` does:
// a secret is encrypted by the stack's secrets provider, and the file keeps the salt (or
// encrypted data key) that decrypts it. Comments and the order of the file are kept.
func SetConfig(ctx context.Context, o Options, key, value string, secret bool) error {
	key, err := ConfigKey(key)
	if err != nil {
		return err
	}
	st, err := Open(ctx, o)
	if err != nil {
		return err
	}
	if err := st.SetConfig(ctx, key, auto.ConfigValue{Value: value, Secret: secret}); err != nil {
		return fmt.Errorf("setting %s: %w", key, Brief(err))
	}
	o, _ = Resolve(o)
	// The CLI wrote the work directory's copy; carry the value, and what decrypts it, over.
	work, err := readYAML(filepath.Join(o.WorkDir(), "Pulumi."+o.Stack+".yaml"))
	if err != nil {
		return err
	}
	repo, err := readYAML(o.StackFile)
	if err != nil {
		return err
	}
	val := mapGet(mapGet(docRoot(work), "config"), key)
	if val == nil {
		return fmt.Errorf("setting %s: the Pulumi CLI did not write it to %s", key, o.WorkDir())
	}
	root := docRoot(repo)
	for _, k := range []string{"secretsprovider", "encryptedkey", "encryptionsalt"} {
		if v := mapGet(docRoot(work), k); v != nil && mapGet(root, k) == nil {
			mapSet(root, k, v)
		}
	}
	cfg := mapGet(root, "config")
	if cfg == nil {
		cfg = &yaml.Node{Kind: yaml.MappingNode}
		mapSet(root, "config", cfg)
	}
	mapSet(cfg, key, val)
	return writeYAML(o.StackFile, repo)
}

// GetConfig returns key's value, decrypted, as `pulumi config get` does.
func GetConfig(ctx context.Context, o Options, key string) (auto.ConfigValue, error) {
	key, err := ConfigKey(key)
	if err != nil {
		return auto.ConfigValue{}, err
	}
	st, err := Open(ctx, o)
	if err != nil {
		return auto.ConfigValue{}, err
	}
	v, err := st.GetConfig(ctx, key)
	if err != nil {
		return v, fmt.Errorf("stack %q has no config %s: %w", o.Stack, key, Brief(err))
	}
	return v, nil
}

// RemoveConfig deletes key from the stack's config file; it is an error when it is not set.
func RemoveConfig(o Options, key string) error {
	key, err := ConfigKey(key)
	if err != nil {
		return err
	}
	if o, err = Resolve(o); err != nil {
		return err
	}
	doc, err := readYAML(o.StackFile)
	if err != nil {
		return err
	}
	cfg := mapGet(docRoot(doc), "config")
	if cfg == nil || !mapDelete(cfg, key) {
		return fmt.Errorf("%s is not set in %s", key, o.StackFile)
	}
	return writeYAML(o.StackFile, doc)
}

func readYAML(path string) (*yaml.Node, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	return &doc, nil
}

func writeYAML(path string, doc *yaml.Node) error {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	// Write beside and rename, so an interrupted write never leaves half a stack file.
	tmp := path + ".busctl-tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func docRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0]
	}
	return doc
}

func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapSet replaces key's value or adds it at the end, after the file's own keys and comments.
func mapSet(m *yaml.Node, key string, val *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}

func mapDelete(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
	}
	return false
}
