package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/driver"
)

// principalUsers are the users the principals test creates; the cluster is shared with
// other runs, so leftovers of an interrupted run are removed first.
var principalUsers = []string{"feed-handler", "analytics", "market-bus-gate"}

// principalsStackFile writes the e2e-principals stack: the secure listener, two data topics
// shaped like the shipped ones plus one no principal may touch, the token gate, and the
// shipped principals' roles on those topics with a 1 MiB/s producer quota for feed-handler.
func principalsStackFile(t *testing.T, fx, telemetry, unlisted string) string {
	t.Helper()
	cluster := map[string]any{"bootstrapServers": secureBootstrap, "tls": true, "caCertFile": filepath.Join(tlsDir(t), "ca.crt"),
		"sasl": map[string]any{"mechanism": "SCRAM-SHA-512", "username": "admin"}}
	topic := func(name string) map[string]any {
		return map[string]any{"name": name, "partitions": 3, "replicationFactor": 3, "deletionProtection": false,
			"config": map[string]any{"retention.ms": "3600000", "min.insync.replicas": "2"}}
	}
	schemas := []map[string]any{{"subject": fx + "-value", "file": "schemas/fx_tick.avsc", "deletionMode": "hard"}}
	gate := map[string]any{"topic": fx + "-gate", "subject": fx + "-value"}
	maps.Copy(gate, tokenGate)
	path := ownStackFile(t, "e2e-principals", cluster, []map[string]any{topic(fx), topic(telemetry), topic(unlisted)}, schemas, gate)
	principals := []map[string]any{
		{"name": "feed-handler", "roles": []map[string]any{{"topic": fx, "access": "produce"}, {"topic": telemetry, "access": "produce"}},
			"quota": map[string]any{"producerByteRate": 1 << 20}},
		{"name": "analytics", "roles": []map[string]any{{"topic": fx, "access": "consume", "group": "analytics-*"},
			{"topic": telemetry, "access": "consume", "group": "analytics-*"}}},
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["config"]["market-bus:principals"] = principals
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// forgetPrincipals removes what an interrupted earlier run left on the cluster (the test's
// users, their ACLs and its topics), through the plaintext superuser listener.
func forgetPrincipals(t *testing.T, ctx context.Context, adm *kadm.Client) {
	t.Helper()
	var del []kadm.DeleteSCRAM
	described, err := adm.DescribeUserSCRAMs(ctx, principalUsers...)
	if err != nil {
		t.Fatalf("describing SCRAM users: %v", err)
	}
	for _, d := range described {
		for _, c := range d.CredInfos {
			del = append(del, kadm.DeleteSCRAM{User: d.User, Mechanism: c.Mechanism})
		}
	}
	if len(del) > 0 {
		t.Logf("removing SCRAM credentials left by an earlier run: %v", del)
		if _, err := adm.AlterUserSCRAMs(ctx, del, nil); err != nil {
			t.Fatalf("removing old SCRAM users: %v", err)
		}
		// Brokers answer describes from a metadata cache that follows the controller by a
		// moment; up must not see the users it is about to create.
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			left, err := adm.DescribeUserSCRAMs(ctx, principalUsers...)
			if err == nil && !slices.ContainsFunc(principalUsers, func(u string) bool { return len(left[u].CredInfos) > 0 }) {
				break
			}
		}
	}
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatalf("listing topics: %v", err)
	}
	for _, name := range topics.Names() {
		for _, prefix := range []string{"e2e-fx-stream-global-", "e2e-market-telemetry-", "e2e-unlisted-"} {
			if strings.HasPrefix(name, prefix) {
				t.Logf("deleting topic %s left by an earlier run", name)
				if _, err := adm.DeleteTopic(ctx, name); err != nil {
					t.Fatalf("deleting %s: %v", name, err)
				}
			}
		}
	}
	for _, u := range principalUsers {
		b := kadm.NewACLs().AnyResource().Allow("User:" + u).AllowHosts().Operations(kadm.OpAny).ResourcePatternType(kadm.ACLPatternAny)
		if _, err := adm.DeleteACLs(ctx, b); err != nil {
			t.Fatalf("removing old ACLs of %s: %v", u, err)
		}
	}
}

// TestPrincipalsOnSecureListener is issue #15's acceptance on the TLS + SCRAM listener.
func TestPrincipalsOnSecureListener(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	logs := &testLog{t: t}
	forgetPrincipals(t, ctx, adm)
	password := superuserPassword(t, ctx, adm)
	n := time.Now().UnixNano() % 1e6
	fx, telemetry, unlisted := fmt.Sprintf("e2e-fx-stream-global-%d", n), fmt.Sprintf("e2e-market-telemetry-%d", n), fmt.Sprintf("e2e-unlisted-%d", n)
	file := principalsStackFile(t, fx, telemetry, unlisted)
	open := func(ctx context.Context) auto.Stack {
		st, err := driver.Open(ctx, stackOptions(t, "e2e-principals", file))
		if err != nil {
			t.Fatalf("opening the e2e-principals stack: %v", err)
		}
		if err := st.SetConfig(ctx, "market-bus:saslPassword", auto.ConfigValue{Value: password, Secret: true}); err != nil {
			t.Fatalf("setting saslPassword: %v", err)
		}
		return st
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		st := open(ctx)
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
			t.Errorf("destroying the e2e-principals stack: %v", err)
		}
		_ = st.Workspace().RemoveStack(ctx, "e2e-principals")
		if left, err := adm.DescribeUserSCRAMs(ctx, principalUsers...); err == nil {
			for _, d := range left {
				if len(d.CredInfos) > 0 {
					t.Errorf("destroy left the SCRAM user %s", d.User)
				}
			}
		}
	})

	st := open(ctx)
	res, err := st.Up(ctx, optup.ProgressStreams(logs))
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	users, err := adm.DescribeUserSCRAMs(ctx, principalUsers...)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range principalUsers {
		if d := users[u]; len(d.CredInfos) != 1 || d.CredInfos[0].Mechanism != kadm.ScramSha512 {
			t.Errorf("user %s on the cluster: %+v, want one SCRAM-SHA-512 credential", u, d)
		}
	}
	if gate, _ := res.Outputs["latencyGate"].Value.(map[string]any); gate["passed"] != true {
		t.Errorf("latencyGate running as %s = %v, want a passed measurement", principalUsers[2], gate)
	}
	if !res.Outputs["principals"].Secret {
		t.Error("the principals output (passwords, client configs) is not a secret")
	}
	feed, analytics := principalOf(t, res.Outputs, "feed-handler"), principalOf(t, res.Outputs, "analytics")
	lib, _ := feed["librdkafka"].(string)
	if !strings.Contains(lib, "security.protocol=SASL_SSL") || !strings.Contains(lib, "sasl.username=feed-handler") {
		t.Errorf("feed-handler's librdkafka config:\n%s", lib)
	}
	feedPW, _ := feed["password"].(string)
	analyticsPW, _ := analytics["password"].(string)

	t.Run("feed-handler produces only where it may", func(t *testing.T) {
		cl := principalClient(t, "feed-handler", feedPW)
		if err := produceOne(ctx, cl, fx); err != nil {
			t.Errorf("feed-handler producing to %s: %v", fx, err)
		}
		if err := produceOne(ctx, cl, unlisted); !isCode(err, kerr.TopicAuthorizationFailed) {
			t.Errorf("feed-handler producing to the unlisted %s: %v, want TOPIC_AUTHORIZATION_FAILED", unlisted, err)
		}
		reader := principalClient(t, "feed-handler", feedPW, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{fx: {0: kgo.NewOffset().AtStart()}}))
		if err := consumeErr(ctx, reader); !isCode(err, kerr.TopicAuthorizationFailed) {
			t.Errorf("feed-handler consuming %s: %v, want TOPIC_AUTHORIZATION_FAILED", fx, err)
		}
	})
	t.Run("analytics consumes in its groups only", func(t *testing.T) {
		in := principalClient(t, "analytics", analyticsPW, kgo.ConsumerGroup("analytics-x"), kgo.ConsumeTopics(fx),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err := consumeErr(ctx, in); err != nil {
			t.Errorf("analytics consuming %s in analytics-x: %v", fx, err)
		}
		out := principalClient(t, "analytics", analyticsPW, kgo.ConsumerGroup("reporting-x"), kgo.ConsumeTopics(fx),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
		if err := consumeErr(ctx, out); !isCode(err, kerr.GroupAuthorizationFailed) {
			t.Errorf("analytics consuming in reporting-x: %v, want GROUP_AUTHORIZATION_FAILED", err)
		}
	})
	t.Run("a 1 MiB/s quota throttles feed-handler", func(t *testing.T) {
		hook := &throttleHook{}
		cl := principalClient(t, "feed-handler", feedPW, kgo.WithHooks(hook), kgo.DefaultProduceTopic(fx),
			kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerBatchCompression(kgo.NoCompression()))
		// Random bytes: zeros would compress to nothing and never reach the quota.
		value := make([]byte, 64<<10)
		if _, err := rand.Read(value); err != nil {
			t.Fatal(err)
		}
		// Kafka measures a quota over its whole sample window (about 10 s at first), so only
		// well over 10 MiB at once exceeds 1 MiB/s: up to 48 MiB to one partition (one
		// broker), stopping at the first throttle.
		for i := 0; i < 48 && hook.maxMs.Load() == 0; i++ {
			var failed atomic.Value
			for j := 0; j < 16; j++ {
				cl.Produce(ctx, &kgo.Record{Partition: 0, Value: value}, func(_ *kgo.Record, err error) {
					if err != nil {
						failed.Store(err)
					}
				})
			}
			if err := cl.Flush(ctx); err != nil {
				t.Fatalf("flushing as feed-handler: %v", err)
			}
			if err, _ := failed.Load().(error); err != nil {
				t.Fatalf("producing as feed-handler: %v", err)
			}
		}
		if hook.maxMs.Load() == 0 {
			t.Error("48 MiB produced against a 1 MiB/s quota and the broker never reported a throttle time")
		}
		t.Logf("largest throttle time the brokers reported: %d ms", hook.maxMs.Load())
	})
	t.Run("refresh shows an ACL deleted out of band and up restores it", func(t *testing.T) {
		if !aclBindingExists(t, ctx, adm, "User:feed-handler", fx, kmsg.ACLOperationWrite) {
			t.Fatal("feed-handler's Write ACL is not on the cluster after up")
		}
		removeACLWithKafkaTool(t, ctx, "User:feed-handler", "Write", fx)
		if aclBindingExists(t, ctx, adm, "User:feed-handler", fx, kmsg.ACLOperationWrite) {
			t.Fatal("Kafka's ACL tool did not remove the binding")
		}
		ref, err := st.Refresh(ctx, optrefresh.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if ch := ref.Summary.ResourceChanges; ch == nil || (*ch)["delete"] != 1 {
			t.Errorf("refresh changes %v, want the one deleted ACL", ch)
		}
		up, err := st.Up(ctx, optup.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("up after the drift: %v", err)
		}
		if ch := up.Summary.ResourceChanges; ch == nil || (*ch)["create"] != 1 {
			t.Errorf("up changes %v, want the ACL created again", ch)
		}
		if !aclBindingExists(t, ctx, adm, "User:feed-handler", fx, kmsg.ACLOperationWrite) {
			t.Error("up did not restore feed-handler's Write ACL")
		}
		if err := produceOne(ctx, principalClient(t, "feed-handler", feedPW), fx); err != nil {
			t.Errorf("feed-handler producing after the restore: %v", err)
		}
	})
	t.Run("the gate runs as market-bus-gate", func(t *testing.T) {
		if res.Outputs["gatePrincipal"].Value != "market-bus-gate" {
			t.Errorf("gatePrincipal = %v, want market-bus-gate", res.Outputs["gatePrincipal"].Value)
		}
		// Without its Write binding (state still records it, so up does not restore it
		// first) the gate must fail: the superuser would not have been refused.
		gateTopic := fx + "-gate"
		removeACLWithKafkaTool(t, ctx, "User:market-bus-gate", "Write", gateTopic)
		if err := st.SetConfigWithOptions(ctx, "market-bus:gate.trigger", auto.ConfigValue{Value: "write-removed"}, &auto.ConfigOptions{Path: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err == nil {
			t.Error("the gate passed without Write on its topic: it is not running as market-bus-gate")
		} else if !strings.Contains(err.Error(), "latency gate") {
			t.Errorf("up failed, but not in the gate: %v", err)
		}
		if _, err := st.Refresh(ctx, optrefresh.ProgressStreams(logs)); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		up, err := st.Up(ctx, optup.ProgressStreams(logs))
		if err != nil {
			t.Fatalf("up after restoring the gate's ACL: %v", err)
		}
		if gate, _ := up.Outputs["latencyGate"].Value.(map[string]any); gate["passed"] != true {
			t.Errorf("latencyGate after the restore = %v, want passed", gate)
		}
	})
}
