package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestTopicLifecycle drives one topic through create, no-op, in-place updates, a refused
// decrease, drift, refused deletion, import and delete on the real 3-broker cluster.
func TestTopicLifecycle(t *testing.T) {
	s := server(t)
	adm := kafkatest.Admin(t)
	ctx := context.Background()
	in := topicIn{name: uniqueTopic(t), partitions: 3, rf: 2, protected: true,
		config: map[string]string{"retention.ms": "1000000", "cleanup.policy": "delete"}}

	created := create(t, s, in)
	if created.ID != in.name {
		t.Fatalf("id = %q, want the topic name", created.ID)
	}
	if parts, rf := brokerShape(t, adm, in.name); parts != 3 || rf != 2 {
		t.Fatalf("broker shape %d/%d, want 3 partitions rf 2", parts, rf)
	}
	if got := value(brokerConfig(t, adm, in.name)["retention.ms"]); got != "1000000" {
		t.Fatalf("retention.ms on broker = %q", got)
	}
	if id := created.Properties.Get("topicId").AsString(); id == "" || strings.Trim(id, "0-") == "" {
		t.Errorf("topicId output = %q, want the cluster's UUID", id)
	}
	eff := created.Properties.Get("effectiveConfig").AsMap()
	if src := eff.Get("retention.ms").AsMap().Get("source").AsString(); src != "DYNAMIC_TOPIC_CONFIG" {
		t.Errorf("effectiveConfig retention.ms source = %q", src)
	}
	for k := range eff.AsMap() {
		if k != "retention.ms" && k != "cleanup.policy" {
			t.Errorf("effectiveConfig holds %q: broker defaults must never enter state", k)
		}
	}
	state := created.Properties
	oldInputs, _ := check(t, s, in)

	t.Run("same inputs are no diff", func(t *testing.T) {
		d, err := s.Diff(p.DiffRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: oldInputs, OldInputs: oldInputs})
		if err != nil || d.HasChanges {
			t.Fatalf("diff = %+v, %v; want no changes", d, err)
		}
	})

	t.Run("config, partitions and rf change in place", func(t *testing.T) {
		next := in
		next.partitions, next.rf = 6, 3
		next.config = map[string]string{"retention.ms": "2000000"} // cleanup.policy removed
		inputs, _ := check(t, s, next)
		d, err := s.Diff(p.DiffRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: inputs, OldInputs: oldInputs})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range d.DetailedDiff {
			if v.Kind == p.UpdateReplace || v.Kind == p.AddReplace || v.Kind == p.DeleteReplace {
				t.Errorf("%s would replace the topic", k)
			}
		}
		before := created.Properties.Get("topicId").AsString()
		up, err := s.Update(p.UpdateRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: inputs, OldInputs: oldInputs})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if parts, rf := brokerShape(t, adm, in.name); parts != 6 || rf != 3 {
			t.Errorf("broker shape %d/%d, want 6 partitions rf 3", parts, rf)
		}
		cfg := brokerConfig(t, adm, in.name)
		if got := value(cfg["retention.ms"]); got != "2000000" {
			t.Errorf("retention.ms = %q", got)
		}
		if c := cfg["cleanup.policy"]; c.Source == kmsg.ConfigSourceDynamicTopicConfig {
			t.Errorf("cleanup.policy was removed from the program but is still set on the topic")
		}
		if after := up.Properties.Get("topicId").AsString(); after != before {
			t.Errorf("topic id changed %s -> %s", before, after)
		}
		state, oldInputs, in = up.Properties, inputs, next
	})

	t.Run("partition decrease is refused", func(t *testing.T) {
		next := in
		next.partitions = 2
		inputs, _ := check(t, s, next)
		_, err := s.Diff(p.DiffRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: inputs, OldInputs: oldInputs})
		if err == nil || !strings.Contains(err.Error(), "Kafka cannot remove partitions") || !strings.Contains(err.Error(), "onPartitionDecrease") {
			t.Fatalf("err = %v, want a refusal that names onPartitionDecrease", err)
		}
		if parts, _ := brokerShape(t, adm, in.name); parts != 6 {
			t.Errorf("partitions on broker = %d after a refused decrease", parts)
		}
	})

	t.Run("out-of-band change is drift on refresh", func(t *testing.T) {
		_, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: kadm.StringPtr("5")}}, in.name)
		if err != nil {
			t.Fatal(err)
		}
		// The out-of-band change reaches every broker's metadata a moment later.
		var r p.ReadResponse
		for deadline := time.Now().Add(10 * time.Second); ; {
			r, err = s.Read(p.ReadRequest{ID: in.name, Urn: topicURN(in.name), Properties: state, Inputs: oldInputs})
			if err != nil {
				t.Fatal(err)
			}
			if r.Properties.Get("config").AsMap().Get("retention.ms").AsString() == "5" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := r.Properties.Get("config").AsMap().Get("retention.ms").AsString(); got != "5" {
			t.Fatalf("refreshed retention.ms = %q, want the out-of-band 5", got)
		}
		d, err := s.Diff(p.DiffRequest{ID: in.name, Urn: topicURN(in.name), State: r.Properties, Inputs: oldInputs, OldInputs: r.Inputs})
		if err != nil || d.DetailedDiff[`config["retention.ms"]`].Kind != p.Update {
			t.Fatalf("diff after drift = %+v, %v; want an update of retention.ms", d.DetailedDiff, err)
		}
		state = r.Properties
		up, err := s.Update(p.UpdateRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: oldInputs, OldInputs: r.Inputs})
		if err != nil {
			t.Fatal(err)
		}
		if got := value(brokerConfig(t, adm, in.name)["retention.ms"]); got != "2000000" {
			t.Errorf("retention.ms after correcting drift = %q", got)
		}
		state = up.Properties
	})

	t.Run("protected topic is not deleted", func(t *testing.T) {
		err := s.Delete(p.DeleteRequest{ID: in.name, Urn: topicURN(in.name), Properties: state})
		if err == nil || !strings.Contains(err.Error(), "deletionProtection") {
			t.Fatalf("delete of a protected topic: err = %v", err)
		}
		if parts, _ := brokerShape(t, adm, in.name); parts != 6 {
			t.Error("protected topic changed after a refused delete")
		}
	})

	t.Run("import by name adopts only topic-level keys", func(t *testing.T) {
		r, err := s.Read(p.ReadRequest{ID: in.name, Urn: topicURN("imported")})
		if err != nil {
			t.Fatal(err)
		}
		got := r.Inputs
		if got.Get("name").AsString() != in.name || got.Get("partitions").AsNumber() != 6 || got.Get("replicationFactor").AsNumber() != 3 {
			t.Errorf("imported inputs = %v", got)
		}
		cfg := got.Get("config").AsMap()
		if cfg.Get("retention.ms").AsString() != "2000000" || cfg.Len() != 1 {
			t.Errorf("imported config = %v, want only retention.ms", cfg)
		}
	})

	t.Run("unprotected topic is deleted and gone", func(t *testing.T) {
		next := in
		next.protected = false
		inputs, _ := check(t, s, next)
		up, err := s.Update(p.UpdateRequest{ID: in.name, Urn: topicURN(in.name), State: state, Inputs: inputs, OldInputs: oldInputs})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(p.DeleteRequest{ID: in.name, Urn: topicURN(in.name), Properties: up.Properties}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		tds, _ := adm.ListTopics(uncached(ctx), in.name)
		if td, ok := tds[in.name]; ok && td.Err == nil {
			t.Errorf("topic still listed after Delete returned: %+v", td)
		}
		r, err := s.Read(p.ReadRequest{ID: in.name, Urn: topicURN(in.name), Properties: up.Properties, Inputs: inputs})
		if err != nil || r.ID != "" {
			t.Errorf("read of a deleted topic = %q, %v; want an empty id", r.ID, err)
		}
	})
}

func TestCreateRefusesExistingTopic(t *testing.T) {
	s := server(t)
	adm := kafkatest.Admin(t)
	name := uniqueTopic(t)
	if _, err := adm.CreateTopic(context.Background(), 1, 1, nil, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = adm.DeleteTopic(context.Background(), name) })
	inputs, _ := check(t, s, topicIn{name: name, partitions: 1, rf: 1})
	for _, dry := range []bool{true, false} {
		_, err := s.Create(p.CreateRequest{Urn: topicURN(name), Properties: inputs, DryRun: dry})
		if err == nil || !strings.Contains(err.Error(), "pulumi import marketbus:index:Topic") {
			t.Errorf("dryRun=%v: err = %v, want a hint to import", dry, err)
		}
	}
}

// TestPreviewAsksTheBroker: validate-only requests make the broker's own refusals fail the
// preview, and nothing is created.
func TestPreviewAsksTheBroker(t *testing.T) {
	s := server(t)
	adm := kafkatest.Admin(t)
	cases := []struct {
		name string
		in   topicIn
		want string
	}{
		{"rf above broker count", topicIn{partitions: 1, rf: 5}, "INVALID_REPLICATION_FACTOR"},
		// A value only the broker judges: cleanup.policy "purge" is refused by Check already
		// (topicrules), so it no longer reaches the broker.
		{"invalid config value", topicIn{partitions: 1, rf: 1, config: map[string]string{"compression.type": "brotli"}}, "INVALID_CONFIG"},
		{"unknown config key", topicIn{partitions: 1, rf: 1, config: map[string]string{"retention.msec": "1"}}, "INVALID_CONFIG"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.name = uniqueTopic(t)
			inputs, fails := check(t, s, tc.in)
			if len(fails) > 0 {
				t.Fatalf("check failures: %+v", fails)
			}
			_, err := s.Create(p.CreateRequest{Urn: topicURN(tc.in.name), Properties: inputs, DryRun: true})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("preview err = %v, want %s", err, tc.want)
			}
			tds, _ := adm.ListTopics(uncached(context.Background()), tc.in.name)
			if td, ok := tds[tc.in.name]; ok && td.Err == nil {
				t.Error("preview created the topic")
			}
		})
	}
}

// TestReplaceWaitsForDeletion: deleting and immediately recreating a topic of the same
// name works because Delete returns only once the cluster no longer lists it.
func TestReplaceWaitsForDeletion(t *testing.T) {
	s := server(t)
	in := topicIn{name: uniqueTopic(t), partitions: 4, rf: 3}
	created := create(t, s, in)
	if err := s.Delete(p.DeleteRequest{ID: in.name, Urn: topicURN(in.name), Properties: created.Properties}); err != nil {
		t.Fatal(err)
	}
	in.partitions = 2
	inputs, _ := check(t, s, in)
	if _, err := s.Create(p.CreateRequest{Urn: topicURN(in.name), Properties: inputs}); err != nil {
		t.Fatalf("re-create right after delete: %v", err)
	}
	if parts, _ := brokerShape(t, kafkatest.Admin(t), in.name); parts != 2 {
		t.Errorf("re-created topic has %d partitions", parts)
	}
}
