// Package kafkatest connects tests to the real local cluster that scripts/local-cluster runs.
package kafkatest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultBootstrap is where scripts/local-cluster listens.
const DefaultBootstrap = "127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092"

// Bootstrap returns the cluster's addresses: $MARKETBUS_BOOTSTRAP or the local cluster's.
func Bootstrap() []string {
	if v := os.Getenv("MARKETBUS_BOOTSTRAP"); v != "" {
		return strings.Split(v, ",")
	}
	return strings.Split(DefaultBootstrap, ",")
}

// Admin returns an admin client for the cluster and fails the test, with the command that
// fixes it, when the cluster does not answer with 3 brokers. Tests never skip for a
// missing cluster: a green run must mean the real brokers were exercised.
func Admin(t testing.TB) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(Bootstrap()...), kgo.ClientID("market-bus-tests"))
	if err != nil {
		t.Fatalf("kafka client: %v", err)
	}
	t.Cleanup(cl.Close)
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	bs, err := adm.ListBrokers(ctx)
	if err != nil || len(bs) < 3 {
		t.Fatalf("the local 3-broker cluster at %v is not up (brokers: %d, err: %v): run `scripts/local-cluster start` or `make test`",
			Bootstrap(), len(bs), err)
	}
	return adm
}

// DefaultRegistry is where scripts/local-cluster serves the Confluent schema-registry API.
const DefaultRegistry = "http://127.0.0.1:18081/apis/ccompat/v7"

// RegistryURL returns $MARKETBUS_SCHEMA_REGISTRY or the local cluster's registry.
func RegistryURL() string {
	if v := os.Getenv("MARKETBUS_SCHEMA_REGISTRY"); v != "" {
		return v
	}
	return DefaultRegistry
}
