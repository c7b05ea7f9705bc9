package provider

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/topicrules"
)

// validateTopicArgs checks what can be checked without a cluster, with the rules stacks.Load
// applies too (package topicrules). Each failure is on the top-level input the engine can
// show the value of (config, not config.retention.ms); its reason starts with the exact path.
func validateTopicArgs(a TopicArgs) []p.CheckFailure {
	errs := topicrules.Validate(topicrules.Topic{
		Name: a.Name, Partitions: a.Partitions, ReplicationFactor: a.ReplicationFactor, Config: a.Config,
		OnPartitionDecrease: deref(a.OnPartitionDecrease, ""), OnReplicationDecrease: deref(a.OnReplicationDecrease, ""),
	}, 0)
	fs := make([]p.CheckFailure, 0, len(errs))
	for _, fe := range errs {
		fs = append(fs, p.CheckFailure{Property: inputOf(fe.Field), Reason: fe.Error()})
	}
	return fs
}

// inputOf is the top-level input a field path lies in: config for config.retention.ms.
func inputOf(field string) string {
	if i := strings.IndexAny(field, ".["); i >= 0 {
		return field[:i]
	}
	return field
}

// configOps computes the incremental config changes that bring the topic from what the
// broker reports to what the user declares. Only owned keys are touched: keys declared now,
// and keys declared before that are gone now (those are deleted). With strict set, keys set
// on the topic outside Pulumi are deleted too.
func configOps(before, after map[string]string, observed map[string]ConfigValue, strict bool) []kadm.AlterConfig {
	var ops []kadm.AlterConfig
	for _, k := range sortedKeys(after) {
		// Skip only when the broker and the recorded state both already hold the value: the
		// broker answering may trail the cluster, and a drift the refresh recorded must be
		// corrected even if this particular broker has not seen it yet.
		prev, recorded := before[k]
		if cur, ok := observed[k]; ok && cur.Value == after[k] && (!recorded || prev == after[k]) {
			continue
		}
		ops = append(ops, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(after[k])})
	}
	deleted := map[string]bool{}
	for _, k := range sortedKeys(before) {
		if _, still := after[k]; still {
			continue
		}
		if cur, ok := observed[k]; ok && cur.isTopicLevel() {
			ops = append(ops, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
			deleted[k] = true
		}
	}
	if strict {
		for _, k := range sortedKeys(observed) {
			if _, declared := after[k]; declared || deleted[k] || !observed[k].isTopicLevel() {
				continue
			}
			ops = append(ops, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
		}
	}
	return ops
}

// ownedConfig returns the broker's value of every owned key; a key the broker does not
// report at all is left out so the next diff shows it as missing.
func ownedConfig(owned []string, observed map[string]ConfigValue) map[string]string {
	out := map[string]string{}
	for _, k := range owned {
		if v, ok := observed[k]; ok {
			out[k] = v.Value
		}
	}
	return out
}

// effectiveConfig is the state's view of the broker: owned keys with any source, plus
// every key set on the topic itself. Broker defaults of keys nobody declared are dropped,
// so a changed cluster default never causes a diff.
func effectiveConfig(owned []string, observed map[string]ConfigValue) map[string]ConfigValue {
	out := map[string]ConfigValue{}
	for _, k := range owned {
		if v, ok := observed[k]; ok {
			out[k] = v
		}
	}
	for k, v := range observed {
		if v.isTopicLevel() {
			out[k] = v
		}
	}
	return out
}

// topicLevelConfig is what an import adopts: only keys set on the topic itself.
func topicLevelConfig(observed map[string]ConfigValue) map[string]string {
	out := map[string]string{}
	for k, v := range observed {
		if v.isTopicLevel() {
			out[k] = v.Value
		}
	}
	return out
}

// ownedKeys is the union of keys declared now and keys declared before.
func ownedKeys(maps ...map[string]string) []string {
	set := map[string]bool{}
	for _, m := range maps {
		for k := range m {
			set[k] = true
		}
	}
	return sortedKeys(set)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// diffTopic decides what a change of inputs means for the topic on the cluster.
func diffTopic(state TopicState, in TopicArgs) (p.DiffResponse, error) {
	d := map[string]p.PropertyDiff{}
	replace := false
	if in.Name != state.Name {
		d["name"] = p.PropertyDiff{Kind: p.UpdateReplace}
		replace = true
	}
	switch {
	case in.Partitions > state.Partitions:
		d["partitions"] = p.PropertyDiff{Kind: p.Update}
	case in.Partitions < state.Partitions && in.decreaseMode() == PartitionDecreaseReplace:
		d["partitions"] = p.PropertyDiff{Kind: p.UpdateReplace}
		replace = true
	case in.Partitions < state.Partitions:
		return p.DiffResponse{}, fmt.Errorf("topic %q has %d partitions and the program asks for %d: Kafka cannot remove partitions. "+
			"Keep partitions at %d, or set onPartitionDecrease: replace to delete and recreate the topic (all its data is lost)",
			state.Name, state.Partitions, in.Partitions, state.Partitions)
	}
	if in.ReplicationFactor < state.ReplicationFactor && in.replicationDecreaseMode() != ReplicationDecreaseAllow {
		return p.DiffResponse{}, replicationDecreaseError(state, in)
	}
	if in.ReplicationFactor != state.ReplicationFactor {
		d["replicationFactor"] = p.PropertyDiff{Kind: p.Update}
	}
	for _, k := range ownedKeys(state.Config, in.Config) {
		old, hadOld := state.Config[k]
		nv, hasNew := in.Config[k]
		path := fmt.Sprintf("config[%q]", k)
		switch {
		case hadOld && !hasNew:
			d[path] = p.PropertyDiff{Kind: p.Delete}
		case !hadOld && hasNew:
			d[path] = p.PropertyDiff{Kind: p.Add}
		case old != nv:
			d[path] = p.PropertyDiff{Kind: p.Update}
		}
	}
	if in.strict() {
		for k, v := range state.EffectiveConfig {
			if _, declared := in.Config[k]; !declared && v.isTopicLevel() {
				d[fmt.Sprintf("config[%q]", k)] = p.PropertyDiff{Kind: p.Delete}
			}
		}
	}
	if in.deletionProtected() != state.deletionProtected() {
		d["deletionProtection"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.strict() != state.strict() {
		d["strictConfig"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.decreaseMode() != state.decreaseMode() {
		d["onPartitionDecrease"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.replaceUnmanaged() != state.replaceUnmanaged() {
		d["replaceUnmanaged"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.replicationDecreaseMode() != state.replicationDecreaseMode() {
		d["onReplicationDecrease"] = p.PropertyDiff{Kind: p.Update}
	}
	if replace && state.deletionProtected() {
		return p.DiffResponse{}, fmt.Errorf("topic %q must be replaced (deleted and recreated, losing its data) but deletionProtection is on: "+
			"first run an update with deletionProtection: false, then apply the change", state.Name)
	}
	return p.DiffResponse{
		DeleteBeforeReplace: true,
		HasChanges:          len(d) > 0,
		DetailedDiff:        d,
	}, nil
}

// replicationDecreaseError says what a refused replication-factor decrease would have cost
// and how to ask for it: a typo such as 3 -> 1 would silently drop two copies of every
// partition, so, like a partition decrease, it needs an explicit opt-in on the topic.
func replicationDecreaseError(state TopicState, in TopicArgs) error {
	removed := state.ReplicationFactor - in.ReplicationFactor
	msg := fmt.Sprintf("topic %q has replication factor %d and the program asks for %d: this removes %d of the %d copies of each of its %d partitions "+
		"(%d replicas in all); afterwards the topic survives %d broker failure(s) instead of %d without losing acknowledged data",
		state.Name, state.ReplicationFactor, in.ReplicationFactor, removed, state.ReplicationFactor, in.Partitions,
		removed*in.Partitions, in.ReplicationFactor-1, state.ReplicationFactor-1)
	if isr, err := strconv.Atoi(in.Config["min.insync.replicas"]); err == nil && isr > in.ReplicationFactor {
		msg += fmt.Sprintf(", and with min.insync.replicas %d above it every acks=all write would be refused", isr)
	}
	return fmt.Errorf("%s. Keep replicationFactor at %d, or, if fewer copies are intended, set onReplicationDecrease: allow on this topic "+
		"(the replicas are then removed by partition reassignment)", msg, state.ReplicationFactor)
}
