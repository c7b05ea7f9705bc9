package provider

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// These tests run the provider against an in-process 3-broker kfake cluster whose answers
// are rewritten per test: broker errors, stalls and brokers with stale metadata that a real
// cluster produces only by accident. They need no external cluster.

// faultTimeout is the provider's requestTimeoutSeconds in these tests: short, so the
// timeout paths finish quickly, but long enough for a few retries with backoff.
const faultTimeout = 3

// faultBound is the most any single provider call here may take. It is an upper bound for
// "does not hang", far above faultTimeout and far below the test binary's timeout.
const faultBound = 30 * time.Second

// kfCluster starts a 3-broker kfake cluster that lives as long as the test.
func kfCluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// kfServer runs our provider in-process, configured for the kfake cluster.
func kfServer(t *testing.T, c *kfake.Cluster) integration.Server {
	t.Helper()
	return configuredServer(t, c.ListenAddrs(), map[string]property.Value{"requestTimeoutSeconds": property.New(float64(faultTimeout))})
}

// kfAdmin is an independent client for looking at the kfake cluster. Controls and faults
// apply to its requests too, so tests only use it once those are gone.
func kfAdmin(t *testing.T, c *kfake.Cluster) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// faultTopic is the declared topic of these tests.
type faultTopic struct {
	name   string
	config map[string]string
}

func (ft faultTopic) urn() presource.URN {
	return presource.NewURN("test", "market-bus", "", "marketbus:index:Topic", ft.name)
}

// inputs runs Check the way the engine does before a create or update.
func (ft faultTopic) inputs(t *testing.T, s integration.Server) property.Map {
	t.Helper()
	cfg := map[string]property.Value{}
	for k, v := range ft.config {
		cfg[k] = property.New(v)
	}
	resp, err := s.Check(p.CheckRequest{Urn: ft.urn(), Inputs: property.NewMap(map[string]property.Value{
		"name":               property.New(ft.name),
		"partitions":         property.New(3.0),
		"replicationFactor":  property.New(3.0),
		"config":             property.New(property.NewMap(cfg)),
		"deletionProtection": property.New(false),
	})})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("check: %v %+v", err, resp.Failures)
	}
	return resp.Inputs
}

// kfTimed runs op and fails the test if op has not returned within faultBound, so a hang is
// a failure rather than a stuck test binary. op must not call t's methods.
func kfTimed(t *testing.T, what string, op func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		op()
	}()
	select {
	case <-done:
	case <-time.After(faultBound):
		t.Fatalf("%s has not returned after %s", what, faultBound)
	}
}

// kfTopicID returns the ID the kfake cluster lists the topic with, or "" if it does not
// list it.
func kfTopicID(t *testing.T, adm *kadm.Client, name string) string {
	t.Helper()
	tds, err := adm.ListTopics(uncached(context.Background()), name)
	if err != nil {
		t.Fatal(err)
	}
	td, ok := tds[name]
	if !ok || td.Err != nil {
		return ""
	}
	return td.ID.String()
}

// kfTopicConfig returns the topic-level value of key on the kfake cluster ("" if unset).
func kfTopicConfig(t *testing.T, adm *kadm.Client, name, key string) string {
	t.Helper()
	rcs, err := adm.DescribeTopicConfigs(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rcs.On(name, nil)
	if err != nil || rc.Err != nil {
		t.Fatalf("describe configs of %s: %v %v", name, err, rc.Err)
	}
	for _, c := range rc.Configs {
		if c.Key == key && c.Source == kmsg.ConfigSourceDynamicTopicConfig && c.Value != nil {
			return *c.Value
		}
	}
	return ""
}

// kfAnswerCreate answers a CreateTopics request with code and message for every topic,
// without the broker acting on it.
func kfAnswerCreate(kreq kmsg.Request, code *kerr.Error, msg string) kmsg.Response {
	req := kreq.(*kmsg.CreateTopicsRequest)
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewCreateTopicsResponseTopic()
		st.Topic = rt.Topic
		st.ErrorCode = code.Code
		if msg != "" {
			st.ErrorMessage = kmsg.StringPtr(msg)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}

// kfAnswerAlter answers an IncrementalAlterConfigs request with code and message for every
// resource, without the broker acting on it.
func kfAnswerAlter(kreq kmsg.Request, code *kerr.Error, msg string) kmsg.Response {
	req := kreq.(*kmsg.IncrementalAlterConfigsRequest)
	resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
	for _, rr := range req.Resources {
		st := kmsg.NewIncrementalAlterConfigsResponseResource()
		st.ResourceName = rr.ResourceName
		st.ResourceType = rr.ResourceType
		st.ErrorCode = code.Code
		if msg != "" {
			st.ErrorMessage = kmsg.StringPtr(msg)
		}
		resp.Resources = append(resp.Resources, st)
	}
	return resp
}

// kfFailFirst answers the first n requests of key with answer (n < 0: every request) and lets
// the broker handle the rest. It returns the number of requests it answered.
func kfFailFirst(c *kfake.Cluster, key kmsg.Key, n int, answer func(kmsg.Request) kmsg.Response) *atomic.Int32 {
	var answered atomic.Int32
	c.ControlKey(int16(key), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		if n >= 0 && int(answered.Load()) >= n {
			c.DropControl()
			return nil, nil, false
		}
		answered.Add(1)
		c.KeepControl()
		return answer(kreq), nil, true
	})
	return &answered
}
