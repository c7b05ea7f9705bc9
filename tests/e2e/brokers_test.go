package e2e

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

func brokerAdmin(t *testing.T) *kadm.Client { return kafkatest.Admin(t) }

// assertTopic reads the topic back through kadm and checks its shape and the given config.
func assertTopic(t *testing.T, ctx context.Context, adm *kadm.Client, name string, partitions, rf int, cfg map[string]string) {
	t.Helper()
	tds, err := adm.ListTopics(kadm.WithAuthorizedOps(ctx), name) // uncached: see provider.uncached
	if err != nil {
		t.Fatalf("listing %s: %v", name, err)
	}
	td, ok := tds[name]
	if !ok || td.Err != nil {
		t.Fatalf("topic %s not on the cluster (err %v)", name, td.Err)
	}
	if got := len(td.Partitions); got != partitions {
		t.Errorf("%s has %d partitions, want %d", name, got, partitions)
	}
	if got := td.Partitions.NumReplicas(); got != rf {
		t.Errorf("%s has replication factor %d, want %d", name, got, rf)
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, name)
	if err != nil {
		t.Fatalf("describing %s: %v", name, err)
	}
	rc, err := rcs.On(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range rc.Configs {
		if c.Value != nil {
			got[c.Key] = *c.Value
		}
	}
	for k, want := range cfg {
		if got[k] != want {
			t.Errorf("%s config %s = %q, want %q", name, k, got[k], want)
		}
	}
}

func topicID(t *testing.T, ctx context.Context, adm *kadm.Client, name string) string {
	t.Helper()
	tds, err := adm.ListTopics(kadm.WithAuthorizedOps(ctx), name) // uncached: see provider.uncached
	if err != nil {
		t.Fatal(err)
	}
	return tds[name].ID.String()
}

func topicExists(t *testing.T, ctx context.Context, adm *kadm.Client, name string) bool {
	t.Helper()
	tds, err := adm.ListTopics(kadm.WithAuthorizedOps(ctx), name) // uncached: see provider.uncached
	if err != nil {
		t.Fatal(err)
	}
	td, ok := tds[name]
	return ok && td.Err == nil
}
