package provider

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestFaultCreateRetriable: a CreateTopics that fails with a retriable error a couple of
// times and then goes through ends in a created topic, and Create records it.
func TestFaultCreateRetriable(t *testing.T) {
	cases := []struct {
		name string
		// inject makes the next CreateTopics requests fail and returns how many it failed.
		inject func(c *kfake.Cluster, topic string) func() int
	}{
		{"NOT_CONTROLLER twice", func(c *kfake.Cluster, topic string) func() int {
			h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.CreateTopics}, Topic: topic, Err: kerr.NotController, Count: 2})
			return h.Hits
		}},
		{"REQUEST_TIMED_OUT twice, nothing created", func(c *kfake.Cluster, _ string) func() int {
			n := kfFailFirst(c, kmsg.CreateTopics, 2, func(r kmsg.Request) kmsg.Response {
				return kfAnswerCreate(r, kerr.RequestTimedOut, "")
			})
			return func() int { return int(n.Load()) }
		}},
		// A broker may time out a create it still carries out; kfake does exactly that for
		// REQUEST_TIMED_OUT. The retry then meets TOPIC_ALREADY_EXISTS for our own topic.
		{"REQUEST_TIMED_OUT twice, created by the first attempt", func(c *kfake.Cluster, topic string) func() int {
			h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.CreateTopics}, Topic: topic, Err: kerr.RequestTimedOut, Count: 2})
			return h.Hits
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "retriable", config: map[string]string{"retention.ms": "100000"}}
			inputs := ft.inputs(t, s)
			failed := tc.inject(c, ft.name)

			var resp p.CreateResponse
			var err error
			kfTimed(t, "create", func() { resp, err = s.Create(p.CreateRequest{Urn: ft.urn(), Properties: inputs}) })
			if err != nil {
				t.Fatalf("create after retriable errors: %v", err)
			}
			if got := failed(); got != 2 {
				t.Fatalf("the broker failed %d CreateTopics requests, want 2: the fault did not fire", got)
			}
			if resp.ID != ft.name {
				t.Errorf("id = %q, want %q", resp.ID, ft.name)
			}
			want := kfTopicID(t, kfAdmin(t, c), ft.name)
			if want == "" {
				t.Fatal("the topic does not exist on the cluster")
			}
			if got := resp.Properties.Get("topicId").AsString(); got != want {
				t.Errorf("topicId = %q, want the cluster's %q", got, want)
			}
			if got := resp.Properties.Get("effectiveConfig").AsMap().Get("retention.ms").AsMap().Get("value").AsString(); got != "100000" {
				t.Errorf("effectiveConfig retention.ms = %q, want 100000", got)
			}
		})
	}
}

// TestFaultCreatePermanent: a CreateTopics the broker refuses for good ends in an error that
// carries the broker's code and message, no id, no retry and no topic.
func TestFaultCreatePermanent(t *testing.T) {
	cases := []struct {
		name string
		code *kerr.Error
		msg  string
		want []string
	}{
		{"policy violation with message", kerr.PolicyViolation, "topic names must start with a team prefix",
			[]string{"POLICY_VIOLATION", "topic names must start with a team prefix", `creating topic "permanent"`}},
		{"invalid config without message", kerr.InvalidConfig, "",
			[]string{"INVALID_CONFIG", `creating topic "permanent"`}},
		{"authorization", kerr.TopicAuthorizationFailed, "",
			[]string{"TOPIC_AUTHORIZATION_FAILED"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "permanent"}
			inputs := ft.inputs(t, s)
			asked := kfFailFirst(c, kmsg.CreateTopics, -1, func(r kmsg.Request) kmsg.Response {
				return kfAnswerCreate(r, tc.code, tc.msg)
			})

			var resp p.CreateResponse
			var err error
			kfTimed(t, "create", func() { resp, err = s.Create(p.CreateRequest{Urn: ft.urn(), Properties: inputs}) })
			if err == nil {
				t.Fatal("create succeeded although the broker refused it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if !errors.Is(err, tc.code) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.code)
			}
			if resp.ID != "" || resp.PartialState != nil {
				t.Errorf("create returned id %q, partial state %+v: a refused topic must not be recorded", resp.ID, resp.PartialState)
			}
			if n := asked.Load(); n != 1 {
				t.Errorf("the broker was asked %d times, want once: a permanent error must not be retried", n)
			}
			if id := kfTopicID(t, kfAdmin(t, c), ft.name); id != "" {
				t.Errorf("the topic exists on the cluster (id %s) after a refused create", id)
			}
		})
	}
}

// kfCreated creates the topic through the provider on a healthy cluster and returns its state.
func kfCreated(t *testing.T, s integration.Server, ft faultTopic) p.CreateResponse {
	t.Helper()
	resp, err := s.Create(p.CreateRequest{Urn: ft.urn(), Properties: ft.inputs(t, s)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return resp
}

// TestFaultStall: a broker that does not answer within requestTimeoutSeconds makes the
// operation fail with a timeout error instead of hanging.
func TestFaultStall(t *testing.T) {
	cases := []struct {
		name string
		key  kmsg.Key
		// prepare readies the cluster and returns the operation the stalled request
		// belongs to, with the id and state it returns.
		prepare func(t *testing.T, s integration.Server, ft faultTopic) func() (string, property.Map, error)
		want    string
	}{
		{"create", kmsg.CreateTopics, func(t *testing.T, s integration.Server, ft faultTopic) func() (string, property.Map, error) {
			req := p.CreateRequest{Urn: ft.urn(), Properties: ft.inputs(t, s)}
			return func() (string, property.Map, error) {
				resp, err := s.Create(req)
				return resp.ID, resp.Properties, err
			}
		}, `creating topic "stall"`},
		{"alter", kmsg.IncrementalAlterConfigs, func(t *testing.T, s integration.Server, ft faultTopic) func() (string, property.Map, error) {
			// The topic exists before the stall: only the update meets it.
			c := kfCreated(t, s, ft)
			old := ft.inputs(t, s)
			ft.config = map[string]string{"retention.ms": "200000"}
			req := p.UpdateRequest{ID: ft.name, Urn: ft.urn(), State: c.Properties, Inputs: ft.inputs(t, s), OldInputs: old}
			return func() (string, property.Map, error) {
				up, err := s.Update(req)
				return "", up.Properties, err
			}
		}, `altering config of topic "stall"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "stall", config: map[string]string{"retention.ms": "100000"}}
			op := tc.prepare(t, s, ft)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) }) // runs before the cluster closes
			var stalled atomic.Int32
			c.ControlKey(int16(tc.key), func(kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				stalled.Add(1)
				c.SleepControl(func() { <-release })
				return nil, nil, false
			})

			var id string
			var props property.Map
			var err error
			kfTimed(t, tc.name, func() { id, props, err = op() })
			if stalled.Load() == 0 {
				t.Fatal("no request reached the stalled broker")
			}
			if err == nil {
				t.Fatalf("%s succeeded although the broker never answered", tc.name)
			}
			t.Logf("%s: %v", tc.name, err)
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want a deadline error from %s", err, tc.want)
			}
			if id != "" || props.Len() > 0 {
				t.Errorf("a timed-out %s returned id %q, state %v", tc.name, id, props)
			}
		})
	}
}

// TestFaultAlterRetriable: an IncrementalAlterConfigs that fails with a retriable error and
// then goes through applies the config, and Update reports it.
func TestFaultAlterRetriable(t *testing.T) {
	cases := []struct {
		name  string
		err   *kerr.Error
		count int
	}{
		// kfake carries out a REQUEST_TIMED_OUT alter, as a broker may.
		{"REQUEST_TIMED_OUT twice, applied anyway", kerr.RequestTimedOut, 2},
		// Any other code fails the alter before kfake applies it.
		{"NOT_CONTROLLER twice, not applied", kerr.NotController, 2},
		// A broker whose metadata trails the controller does not know a new topic yet.
		{"UNKNOWN_TOPIC_OR_PARTITION once, not applied", kerr.UnknownTopicOrPartition, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "alter", config: map[string]string{"retention.ms": "100000"}}
			cr := kfCreated(t, s, ft)
			old := ft.inputs(t, s)
			ft.config = map[string]string{"retention.ms": "200000"}
			fault := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.IncrementalAlterConfigs}, Resource: ft.name, Err: tc.err, Count: tc.count})

			var up p.UpdateResponse
			var err error
			req := p.UpdateRequest{ID: ft.name, Urn: ft.urn(), State: cr.Properties, Inputs: ft.inputs(t, s), OldInputs: old}
			kfTimed(t, "update", func() { up, err = s.Update(req) })
			if err != nil {
				t.Fatalf("update after retriable errors: %v", err)
			}
			if got := fault.Hits(); got != tc.count {
				t.Fatalf("the broker failed %d IncrementalAlterConfigs requests, want %d", got, tc.count)
			}
			if got := kfTopicConfig(t, kfAdmin(t, c), ft.name, "retention.ms"); got != "200000" {
				t.Errorf("retention.ms on the cluster = %q, want 200000", got)
			}
			if got := up.Properties.Get("config").AsMap().Get("retention.ms").AsString(); got != "200000" {
				t.Errorf("retention.ms in state = %q, want 200000", got)
			}
		})
	}
}

// TestFaultAlterPermanent: an IncrementalAlterConfigs the broker refuses for good fails the
// update with the broker's code and message and changes neither the topic nor the state.
func TestFaultAlterPermanent(t *testing.T) {
	cases := []struct {
		name string
		code *kerr.Error
		msg  string
		want []string
	}{
		{"policy violation with message", kerr.PolicyViolation, "retention.ms above 150000 needs approval",
			[]string{"POLICY_VIOLATION", "retention.ms above 150000 needs approval", `altering config of topic "alter"`}},
		{"invalid config without message", kerr.InvalidConfig, "",
			[]string{"INVALID_CONFIG", `altering config of topic "alter"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "alter", config: map[string]string{"retention.ms": "100000"}}
			cr := kfCreated(t, s, ft)
			old := ft.inputs(t, s)
			ft.config = map[string]string{"retention.ms": "200000"}
			asked := kfFailFirst(c, kmsg.IncrementalAlterConfigs, -1, func(r kmsg.Request) kmsg.Response {
				return kfAnswerAlter(r, tc.code, tc.msg)
			})

			var up p.UpdateResponse
			var err error
			req := p.UpdateRequest{ID: ft.name, Urn: ft.urn(), State: cr.Properties, Inputs: ft.inputs(t, s), OldInputs: old}
			kfTimed(t, "update", func() { up, err = s.Update(req) })
			if err == nil {
				t.Fatal("update succeeded although the broker refused the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if !errors.Is(err, tc.code) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.code)
			}
			// With an error and no partial state the engine keeps the old state.
			if up.Properties.Len() > 0 || up.PartialState != nil {
				t.Errorf("a refused update returned state %v, partial %+v", up.Properties, up.PartialState)
			}
			if n := asked.Load(); n != 1 {
				t.Errorf("the broker was asked %d times, want once: a permanent error must not be retried", n)
			}
			if got := kfTopicConfig(t, kfAdmin(t, c), ft.name, "retention.ms"); got != "100000" {
				t.Errorf("retention.ms on the cluster = %q after a refused update, want the old 100000", got)
			}
		})
	}
}

// TestFaultCreatedNotReady: CreateTopics succeeds but some broker never reports the topic
// ready within the timeout. Create then returns the topic with its id as a resource that
// failed to initialise, so the engine records it and the next update updates it instead of
// creating it again.
//
// kfake keeps one copy of the metadata for all brokers, so its brokers never lag on their
// own; a Metadata fault on one broker plays the broker whose metadata trails the controller.
func TestFaultCreatedNotReady(t *testing.T) {
	metadataFault := func(f kfake.Fault) func(*kfake.Cluster) (func() int, func()) {
		return func(c *kfake.Cluster) (func() int, func()) {
			h := c.Fault(f)
			return h.Hits, h.Remove
		}
	}
	cases := []struct {
		name string
		// inject makes brokers misreport the topic once it is created; it returns how
		// often they did and how to stop them.
		inject func(c *kfake.Cluster) (hits func() int, remove func())
	}{
		{"one broker does not know the topic", metadataFault(kfake.Fault{
			Keys: []kmsg.Key{kmsg.Metadata}, Nodes: []int32{2}, Topic: "notready", Err: kerr.UnknownTopicOrPartition, Count: -1})},
		{"one partition has no leader on any broker", metadataFault(kfake.Fault{
			Keys: []kmsg.Key{kmsg.Metadata}, Topic: "notready", Partitions: []int32{1}, Err: kerr.LeaderNotAvailable, Count: -1})},
		// The wait's requests carry no deadline of their own: this one ends when franz-go
		// gives up reading (about 10 s), not at requestTimeoutSeconds.
		{"one broker stalls its metadata answer", func(c *kfake.Cluster) (func() int, func()) {
			var created atomic.Bool
			var stalled atomic.Int32
			release := make(chan struct{})
			c.ControlKey(int16(kmsg.CreateTopics), func(kmsg.Request) (kmsg.Response, error, bool) {
				created.Store(true)
				return nil, nil, false
			})
			c.ControlKey(int16(kmsg.Metadata), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				req := kreq.(*kmsg.MetadataRequest)
				if !created.Load() || c.CurrentNode() != 2 || len(req.Topics) != 1 || stalled.Load() > 0 {
					return nil, nil, false
				}
				stalled.Add(1)
				c.SleepControl(func() { <-release })
				return nil, nil, false
			})
			return func() int { return int(stalled.Load()) }, sync.OnceFunc(func() { close(release) })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := kfCluster(t)
			s := kfServer(t, c)
			ft := faultTopic{name: "notready"}
			inputs := ft.inputs(t, s)
			hits, remove := tc.inject(c)
			t.Cleanup(remove) // before the cluster closes

			var resp p.CreateResponse
			var err error
			kfTimed(t, "create", func() { resp, err = s.Create(p.CreateRequest{Urn: ft.urn(), Properties: inputs}) })
			var initFailed infer.ResourceInitFailedError
			if !errors.As(err, &initFailed) {
				t.Fatalf("err = %v, want a ResourceInitFailedError", err)
			}
			if resp.PartialState == nil || len(resp.PartialState.Reasons) != 1 ||
				!strings.Contains(resp.PartialState.Reasons[0], `topic "notready" was created but is not ready`) {
				t.Fatalf("partial state = %+v, want the reason the topic is not ready", resp.PartialState)
			}
			if hits() == 0 {
				t.Fatal("no Metadata request met the misreporting broker")
			}
			remove()
			want := kfTopicID(t, kfAdmin(t, c), ft.name)
			if want == "" {
				t.Fatal("the topic does not exist on the cluster")
			}
			if resp.ID != ft.name {
				t.Fatalf("id = %q, want %q: the created topic would be forgotten", resp.ID, ft.name)
			}
			if got := resp.Properties.Get("topicId").AsString(); got != want {
				t.Errorf("recorded topicId = %q, want the cluster's %q", got, want)
			}

			// Creating again is what the engine would do without the record, and it fails.
			if _, err := s.Create(p.CreateRequest{Urn: ft.urn(), Properties: inputs}); err == nil || !strings.Contains(err.Error(), "already exists") {
				t.Errorf("second create: err = %v, want already exists", err)
			}
			// With the record the engine diffs and updates the resource once the cluster is
			// healthy; both decode the recorded state.
			if _, err := s.Diff(p.DiffRequest{ID: resp.ID, Urn: ft.urn(), State: resp.Properties, Inputs: inputs, OldInputs: inputs}); err != nil {
				t.Fatalf("diff of the recorded topic: %v", err)
			}
			up, err := s.Update(p.UpdateRequest{ID: resp.ID, Urn: ft.urn(), State: resp.Properties, Inputs: inputs, OldInputs: inputs})
			if err != nil {
				t.Fatalf("update of the recorded topic: %v", err)
			}
			if got := up.Properties.Get("topicId").AsString(); got != want {
				t.Errorf("topicId after update = %q, want %q", got, want)
			}
		})
	}
}
