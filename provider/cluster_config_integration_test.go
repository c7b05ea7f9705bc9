package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

func kafkaConfigInputs(props map[string]string) property.Map {
	ps := map[string]property.Value{}
	for k, v := range props {
		ps[k] = property.New(v)
	}
	return property.NewMap(map[string]property.Value{
		"api":        property.New(ConfigAPIKafka),
		"properties": property.New(property.NewMap(ps)),
	})
}

// clusterWide is the cluster-wide (default BROKER resource) value of key, "" when unset.
func clusterWide(t *testing.T, adm *kadm.Client, key string) string {
	t.Helper()
	rcs, err := adm.DescribeBrokerConfigs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if c.Key == key && c.Source == kmsg.ConfigSourceDynamicDefaultBrokerConfig && c.Value != nil {
				return *c.Value
			}
		}
	}
	return ""
}

// perBroker is key's value as each broker reports it.
func perBroker(t *testing.T, adm *kadm.Client, key string) map[int32]string {
	t.Helper()
	ids, err := brokerIDs(context.Background(), adm)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]string{}
	for _, id := range ids {
		rcs, err := adm.DescribeBrokerConfigs(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range rcs {
			for _, c := range rc.Configs {
				if c.Key == key {
					out[id] = c.MaybeValue()
				}
			}
		}
	}
	return out
}

func waitAllBrokers(t *testing.T, adm *kadm.Client, key, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := perBroker(t, adm, key)
		done := len(got) > 0
		for _, v := range got {
			done = done && v == want
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("brokers report %s = %v 30 s after the change, want %s everywhere", key, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func resetClusterWide(t *testing.T, adm *kadm.Client, keys ...string) {
	t.Helper()
	t.Cleanup(func() {
		ops := make([]kadm.AlterConfig, 0, len(keys))
		for _, k := range keys {
			ops = append(ops, kadm.AlterConfig{Op: kadm.DeleteConfig, Name: k})
		}
		if _, err := adm.AlterBrokerConfigs(context.Background(), ops); err != nil {
			t.Errorf("resetting %v: %v", keys, err)
		}
	})
}

// TestClusterConfigOnKafka walks the kafka api on the real brokers: preview changes nothing,
// create sets the cluster-wide default and returns once every broker reports it, a refresh
// shows an out-of-band change, an update puts the declaration back, a removed key is reset.
func TestClusterConfigOnKafka(t *testing.T) {
	adm := kafkatest.Admin(t)
	s := server(t)
	const key = "log.cleaner.min.cleanable.ratio"
	resetClusterWide(t, adm, key, "message.max.bytes")
	in := checked(t, s, kafkaConfigInputs(map[string]string{key: "0.4", "message.max.bytes": "2097152"}))

	if _, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in, DryRun: true}); err != nil {
		t.Fatalf("preview: %v", err)
	}
	if got := clusterWide(t, adm, key); got != "" {
		t.Fatalf("preview set %s=%s", key, got)
	}
	created, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := clusterWide(t, adm, key); got != "0.4" {
		t.Errorf("cluster-wide %s = %q, want 0.4", key, got)
	}
	for id, v := range perBroker(t, adm, "message.max.bytes") {
		if v != "2097152" {
			t.Errorf("broker %d reports message.max.bytes=%s right after create, want 2097152", id, v)
		}
	}

	// Out of band, as kafka-configs --alter --entity-default would.
	if _, err := adm.AlterBrokerConfigs(context.Background(), []kadm.AlterConfig{{Op: kadm.SetConfig, Name: key, Value: kadm.StringPtr("0.7")}}); err != nil {
		t.Fatal(err)
	}
	// Any broker may answer the refresh, each from its own copy of the metadata log: wait
	// until all of them have the change, as a refresh some time later would find it.
	waitAllBrokers(t, adm, key, "0.7")
	r, err := s.Read(p.ReadRequest{ID: created.ID, Urn: clusterConfigURN, Properties: created.Properties, Inputs: in})
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if got := r.Inputs.Get("properties").AsMap().Get(key).AsString(); got != "0.7" {
		t.Errorf("refreshed %s = %q, want the out-of-band 0.7", key, got)
	}
	if got := r.Inputs.Get("properties").AsMap().Get("message.max.bytes").AsString(); got != "2097152" {
		t.Errorf("refreshed message.max.bytes = %q, want the unchanged 2097152", got)
	}

	// The declaration goes back, without message.max.bytes: that key is reset.
	next := checked(t, s, kafkaConfigInputs(map[string]string{key: "0.4"}))
	if _, err := s.Update(p.UpdateRequest{ID: created.ID, Urn: clusterConfigURN, State: r.Properties, Inputs: next, OldInputs: r.Inputs}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := clusterWide(t, adm, key); got != "0.4" {
		t.Errorf("after update %s = %q, want the declared 0.4 back", key, got)
	}
	if got := clusterWide(t, adm, "message.max.bytes"); got != "" {
		t.Errorf("the removed message.max.bytes is still set cluster-wide: %s", got)
	}
	if err := s.Delete(p.DeleteRequest{ID: created.ID, Urn: clusterConfigURN, Properties: r.Properties}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if got := clusterWide(t, adm, key); got != "" {
		t.Errorf("delete left %s=%s cluster-wide", key, got)
	}
}

// TestClusterConfigPreviewRefusesOnKafka: preview fails, naming the key and why, for a name
// the brokers do not know, a key only a restart applies, and a value the broker refuses.
func TestClusterConfigPreviewRefusesOnKafka(t *testing.T) {
	adm := kafkatest.Admin(t)
	s := server(t)
	cases := []struct {
		name  string
		props map[string]string
		want  []string
	}{
		{"unknown property", map[string]string{"message.max.byte": "2097152"}, []string{"properties.message.max.byte", "unknown property"}},
		{"read-only property", map[string]string{"log.dirs": "/tmp/x"}, []string{"properties.log.dirs", "read-only"}},
		{"bad value", map[string]string{"message.max.bytes": "lots"}, []string{"message.max.bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := checked(t, s, kafkaConfigInputs(tc.props))
			_, err := s.Create(p.CreateRequest{Urn: clusterConfigURN, Properties: in, DryRun: true})
			if err == nil {
				t.Fatal("preview passed")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for k := range tc.props {
				if got := clusterWide(t, adm, k); got != "" {
					t.Errorf("a failed preview set %s=%s", k, got)
				}
			}
		})
	}
}
