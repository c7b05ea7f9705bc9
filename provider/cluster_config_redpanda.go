package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// configChange is what a ClusterConfig writes: every declared key (setting a key to the
// value it has is a no-op on both APIs) and the keys it no longer declares.
type configChange struct {
	Set    map[string]string
	Remove []string
}

// configApplied is what the cluster reported after a change.
type configApplied struct {
	Version int
	Restart []int
}

// configBackend is one API a ClusterConfig writes through.
type configBackend interface {
	// where names the API and how it was reached, for messages.
	where() string
	// current returns the cluster-level value of each key in keys (all set keys when keys is
	// nil); a key missing from the answer is not set (kafka) or not known (redpanda-admin).
	current(ctx context.Context, keys []string) (map[string]string, error)
	// validate asks the cluster whether it would take the change, changing nothing.
	validate(ctx context.Context, ch configChange) error
	// apply writes the change and waits until every broker applied it.
	apply(ctx context.Context, ch configChange, timeout time.Duration) (configApplied, error)
	// same reports whether an observed value is the declared one.
	same(declared, observed string) bool
}

// redpandaConfig is the redpanda-admin backend: Redpanda's central cluster config.
type redpandaConfig struct{ c *adminClient }

func (r redpandaConfig) where() string { return r.c.where() }

// jsonValue is a declared value as Redpanda takes it: JSON as written, other text a string.
func jsonValue(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s) // a Go string always marshals
	return b
}

// canonicalJSON rewrites a JSON value so equal values compare equal as text (spacing, key
// order); numbers keep their digits.
func canonicalJSON(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return string(raw)
	}
	return string(b)
}

func (redpandaConfig) same(declared, observed string) bool {
	return canonicalJSON(jsonValue(declared)) == canonicalJSON([]byte(observed))
}

func (r redpandaConfig) current(ctx context.Context, keys []string) (map[string]string, error) {
	// Defaults included: a declared value equal to the default is then seen as set, and a
	// removed key shows its default, which is what the stack asked for.
	all, err := r.c.getClusterConfig(ctx, keys != nil)
	if err != nil {
		return nil, fmt.Errorf("reading the cluster config from %s: %w", r.where(), err)
	}
	out := map[string]string{}
	for k, v := range all {
		if keys == nil || containsString(keys, k) {
			out[k] = canonicalJSON(v)
		}
	}
	return out, nil
}

func (ch configChange) write() configWrite {
	w := configWrite{Upsert: map[string]json.RawMessage{}, Remove: append([]string{}, ch.Remove...)}
	for k, v := range ch.Set {
		w.Upsert[k] = jsonValue(v)
	}
	return w
}

func (r redpandaConfig) validate(ctx context.Context, ch configChange) error {
	if _, err := r.c.putClusterConfig(ctx, ch.write(), true); err != nil {
		return configRefusal(r.where(), err)
	}
	return nil
}

// configRefusal turns Redpanda's per-property reasons into a message that names each key
// as the stack declares it.
func configRefusal(where string, err error) error {
	var ae *adminError
	if errors.As(err, &ae) && len(ae.Properties) > 0 {
		keys := sortedKeys(ae.Properties)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("properties.%s: %s", k, ae.Properties[k]))
		}
		return fmt.Errorf("%s refused the cluster config (%s): fix or remove these keys: %w", where, strings.Join(parts, "; "), err)
	}
	return fmt.Errorf("writing the cluster config through %s: %w", where, err)
}

func (r redpandaConfig) apply(ctx context.Context, ch configChange, timeout time.Duration) (configApplied, error) {
	version, err := r.c.putClusterConfig(ctx, ch.write(), false)
	if err != nil {
		return configApplied{}, configRefusal(r.where(), err)
	}
	got, err := waitConfigVersion(ctx, r.c, version, ownedNames(ch), timeout)
	if err != nil {
		return configApplied{Version: version}, err
	}
	return got, nil
}

// ownedNames are the keys a change touches.
func ownedNames(ch configChange) []string { return append(sortedKeys(ch.Set), ch.Remove...) }

// waitConfigVersion polls GET /v1/cluster_config/status until every broker runs config
// version v or later. A broker that reports one of keys as invalid or unknown fails the wait
// at once: it will not apply the change by waiting longer.
func waitConfigVersion(ctx context.Context, c *adminClient, v int, keys []string, timeout time.Duration) (configApplied, error) {
	var last []configStatus
	var bad error
	err := waitFor(ctx, timeout, fmt.Sprintf("every broker to apply cluster config version %d", v), func(ctx context.Context) (bool, error) {
		st, err := c.configStatuses(ctx)
		if err != nil {
			return false, nil
		}
		last = st
		if len(st) == 0 {
			return false, nil
		}
		for _, s := range st {
			if s.ConfigVersion < v {
				return false, nil
			}
		}
		for _, s := range st {
			for _, k := range keys {
				if containsString(s.Invalid, k) || containsString(s.Unknown, k) {
					bad = fmt.Errorf("broker %d applied cluster config version %d but reports %q as invalid or unknown (invalid %v, unknown %v)",
						s.NodeID, s.ConfigVersion, k, s.Invalid, s.Unknown)
					return false, bad
				}
			}
		}
		return true, nil
	})
	if bad != nil {
		return configApplied{Version: v}, bad
	}
	if err != nil {
		return configApplied{Version: v}, fmt.Errorf("%s: %w (last status: %s)", c.where(), err, describeStatuses(last))
	}
	out := configApplied{Version: v}
	for _, s := range last {
		if s.Restart {
			out.Restart = append(out.Restart, s.NodeID)
		}
	}
	return out, nil
}

func describeStatuses(st []configStatus) string {
	if len(st) == 0 {
		return "no broker reported"
	}
	parts := make([]string, 0, len(st))
	for _, s := range st {
		parts = append(parts, fmt.Sprintf("broker %d at version %d restart=%t", s.NodeID, s.ConfigVersion, s.Restart))
	}
	return strings.Join(parts, ", ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
