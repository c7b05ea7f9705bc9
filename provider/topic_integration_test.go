package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// configuredServer runs our provider in-process with the given provider config, the way the
// engine would after Configure.
func configuredServer(t *testing.T, bootstrap []string, extra map[string]property.Value) integration.Server {
	t.Helper()
	prov, err := New()
	if err != nil {
		t.Fatal(err)
	}
	s, err := integration.NewServer(context.Background(), Name, semver.MustParse(Version), integration.WithProvider(prov))
	if err != nil {
		t.Fatal(err)
	}
	servers := make([]property.Value, 0, len(bootstrap))
	for _, b := range bootstrap {
		servers = append(servers, property.New(b))
	}
	args := map[string]property.Value{"bootstrapServers": property.New(property.NewArray(servers))}
	for k, v := range extra {
		args[k] = v
	}
	if err := s.Configure(p.ConfigureRequest{Args: property.NewMap(args)}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return s
}

// server runs our provider configured for the local 3-broker cluster.
func server(t *testing.T) integration.Server {
	t.Helper()
	return configuredServer(t, kafkatest.Bootstrap(), map[string]property.Value{"requestTimeoutSeconds": property.New(30.0)})
}

// uniqueTopic gives each test its own topic so tests never see each other's leftovers.
func uniqueTopic(t *testing.T) string {
	return fmt.Sprintf("it-%s-%d", strings.ToLower(strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(t.Name())), time.Now().UnixNano()%1e6)
}

func topicURN(name string) presource.URN {
	return presource.NewURN("test", "market-bus", "", "marketbus:index:Topic", name)
}

type topicIn struct {
	name       string
	partitions int
	rf         int
	config     map[string]string
	protected  bool
	strict     bool
	onDecrease string
}

func (in topicIn) props() property.Map {
	cfg := map[string]property.Value{}
	for k, v := range in.config {
		cfg[k] = property.New(v)
	}
	m := map[string]property.Value{
		"name":               property.New(in.name),
		"partitions":         property.New(float64(in.partitions)),
		"replicationFactor":  property.New(float64(in.rf)),
		"config":             property.New(property.NewMap(cfg)),
		"deletionProtection": property.New(in.protected),
		"strictConfig":       property.New(in.strict),
	}
	if in.onDecrease != "" {
		m["onPartitionDecrease"] = property.New(in.onDecrease)
	}
	return property.NewMap(m)
}

// check runs the provider's Check the way the engine does before every create or update.
func check(t *testing.T, s integration.Server, in topicIn) (property.Map, []p.CheckFailure) {
	t.Helper()
	resp, err := s.Check(p.CheckRequest{Urn: topicURN(in.name), Inputs: in.props()})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return resp.Inputs, resp.Failures
}

func create(t *testing.T, s integration.Server, in topicIn) p.CreateResponse {
	t.Helper()
	inputs, fails := check(t, s, in)
	if len(fails) > 0 {
		t.Fatalf("check failures: %+v", fails)
	}
	resp, err := s.Create(p.CreateRequest{Urn: topicURN(in.name), Properties: inputs})
	if err != nil {
		t.Fatalf("create %s: %v", in.name, err)
	}
	t.Cleanup(func() {
		adm := kafkatest.Admin(t)
		_, _ = adm.DeleteTopic(context.Background(), in.name)
	})
	return resp
}

func brokerConfig(t *testing.T, adm *kadm.Client, topic string) map[string]kadm.Config {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(topic, nil)
	if err != nil || rc.Err != nil {
		t.Fatalf("describe %s: %v %v", topic, err, rc.Err)
	}
	out := map[string]kadm.Config{}
	for _, c := range rc.Configs {
		out[c.Key] = c
	}
	return out
}

func brokerShape(t *testing.T, adm *kadm.Client, topic string) (partitions, rf int) {
	t.Helper()
	tds, err := adm.ListTopics(uncached(context.Background()), topic)
	if err != nil {
		t.Fatal(err)
	}
	td := tds[topic]
	if td.Err != nil {
		t.Fatalf("topic %s: %v", topic, td.Err)
	}
	return len(td.Partitions), td.Partitions.NumReplicas()
}

func value(c kadm.Config) string {
	if c.Value == nil {
		return ""
	}
	return *c.Value
}

func adminForCleanup(t *testing.T) *kadm.Client { return kafkatest.Admin(t) }
