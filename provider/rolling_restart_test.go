package provider

// Contract tests of RollingRestart: the order of one broker's restart and of the brokers, the
// stop on a broker that does not come back, and a preview that changes nothing. The bench
// (rollWorld, rolling_restart_fake_test.go) cites the Redpanda sources its answers follow.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var rollingRestartURN = presource.NewURN("test", "market-bus", "", "marketbus:index:RollingRestart", "rolling-restart")

// rollIDs are Redpanda's node ids for ordinals 0, 1, 2: not the ordinals, as in a real cluster.
var rollIDs = map[int]int{3: 0, 5: 1, 11: 2}

func rollTargetsOf(ids map[int]int) []rollTarget {
	out := make([]rollTarget, len(ids))
	for id, o := range ids {
		out[o] = rollTarget{Ordinal: o, Pod: fmt.Sprintf("redpanda-%d", o), NodeID: id}
	}
	return out
}

// oneBroker is the documented sequence of one broker's restart.
func oneBroker(id, ordinal string) string {
	return "maintenance on " + id + ", delete pod redpanda-" + ordinal + ", pod redpanda-" + ordinal + " ready, maintenance off " + id + ", healthy"
}

// TestRollingRestartOrder: each broker in turn, maintenance on → drained → pod deleted → pod
// Ready at the updateRevision → maintenance off → cluster healthy with nothing
// under-replicated, and only then the next; highest ordinal first but the controller leader
// last, pods already at the revision skipped unless ClusterConfig named them.
func TestRollingRestartOrder(t *testing.T) {
	tests := []struct {
		name       string
		atNew      []int // ordinals already at the new revision
		forced     []int
		controller int
		want       []string
		ids        []int
	}{
		{name: "template changed", controller: 7, want: []string{oneBroker("11", "2"), oneBroker("5", "1"), oneBroker("3", "0")}, ids: []int{11, 5, 3}},
		{name: "controller leader last", controller: 11, want: []string{oneBroker("5", "1"), oneBroker("3", "0"), oneBroker("11", "2")}, ids: []int{5, 3, 11}},
		{name: "one pod already rolled", atNew: []int{1}, want: []string{oneBroker("11", "2"), oneBroker("3", "0")}, ids: []int{11, 3}},
		{name: "restart required by a cluster property", atNew: []int{0, 1, 2}, forced: []int{5, 3},
			want: []string{oneBroker("5", "1"), oneBroker("3", "0")}, ids: []int{5, 3}},
		{name: "nothing to do", atNew: []int{0, 1, 2}, ids: []int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newRollWorld(t, rollIDs, tc.atNew...)
			w.controller = tc.controller
			done, rev, err := rollOut(context.Background(), w.roller(t, 10*time.Second), rollTargetsOf(rollIDs), tc.forced)
			if err != nil {
				t.Fatalf("rollout: %v", err)
			}
			if got, want := w.sequence(), strings.Join(tc.want, ", "); got != want {
				t.Errorf("sequence:\n got %s\nwant %s", got, want)
			}
			if !slices.Equal(done, tc.ids) || rev != rollNewRev {
				t.Errorf("restarted %v at %q, want %v at %q", done, rev, tc.ids, rollNewRev)
			}
		})
	}
}

// TestRollingRestartStopsOnABrokerThatDoesNotComeBack: a crash-looping pod stops the rollout
// with the broker id and its last status, and the next broker is never touched.
func TestRollingRestartStopsOnABrokerThatDoesNotComeBack(t *testing.T) {
	w := newRollWorld(t, rollIDs)
	w.brokers[11].neverUp = true
	done, _, err := rollOut(context.Background(), w.roller(t, 3*time.Second), rollTargetsOf(rollIDs), nil)
	if err == nil {
		t.Fatal("rollout passed although broker 11 never came back")
	}
	for _, want := range []string{"broker 11 (pod marketbus/redpanda-2) did not come back", "CrashLoopBackOff", "left in maintenance mode",
		"restarted [], not restarted [5 3]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if len(done) != 0 {
		t.Errorf("restarted %v, want none", done)
	}
	if got, want := w.sequence(), "maintenance on 11, delete pod redpanda-2"; got != want {
		t.Errorf("sequence = %s, want %s", got, want)
	}
}

// TestRollingRestartNeedsOnDelete: with RollingUpdate Kubernetes would roll the pods itself,
// racing the health gate, so the rollout refuses before touching any broker.
func TestRollingRestartNeedsOnDelete(t *testing.T) {
	w := newRollWorld(t, rollIDs)
	sts, err := w.kube.AppsV1().StatefulSets(rollNS).Get(context.Background(), "redpanda", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sts.Spec.UpdateStrategy.Type = appsv1.RollingUpdateStatefulSetStrategyType
	if _, err := w.kube.AppsV1().StatefulSets(rollNS).Update(context.Background(), sts, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, _, err = rollOut(context.Background(), w.roller(t, time.Second), rollTargetsOf(rollIDs), nil)
	if err == nil || !strings.Contains(err.Error(), `updateStrategy "RollingUpdate": a health-gated restart needs OnDelete`) {
		t.Errorf("err = %v", err)
	}
	if got := w.sequence(); got != "" {
		t.Errorf("brokers were touched: %s", got)
	}
}

func rollingRestartInputs(url, hash string, restart ...int) property.Map {
	hosts := []property.Value{}
	for i := 0; i < 3; i++ {
		hosts = append(hosts, property.New(podHost(i)))
	}
	ids := []property.Value{}
	for _, id := range restart {
		ids = append(ids, property.New(float64(id)))
	}
	return property.NewMap(map[string]property.Value{
		"namespace":      property.New(rollNS),
		"statefulSet":    property.New("redpanda"),
		"rpcHosts":       property.New(property.NewArray(hosts)),
		"templateHash":   property.New(hash),
		"restartBrokers": property.New(property.NewArray(ids)),
		"adminUrls":      property.New(property.NewArray([]property.Value{property.New(url)})),
		// Not a kubeconfig: a preview that tried to reach Kubernetes would fail on it.
		"kubeconfig":     property.New("not a kubeconfig").WithSecret(true),
		"timeoutSeconds": property.New(5.0),
	})
}

// TestRollingRestartPreviewChangesNothing: a preview of a changed template or of a property
// that needs a restart touches no broker and no pod, and an update with nothing to restart
// does not reach Kubernetes either.
func TestRollingRestartPreviewChangesNothing(t *testing.T) {
	w := newRollWorld(t, rollIDs)
	s := offlineServer(t)
	if _, err := s.Create(p.CreateRequest{Urn: rollingRestartURN, Properties: rollingRestartInputs(w.admin.srv.URL, "a"), DryRun: true}); err != nil {
		t.Fatalf("create preview: %v", err)
	}
	// The state a Create leaves (a real Create needs a Kubernetes API server).
	created := struct{ Properties property.Map }{rollingRestartInputs(w.admin.srv.URL, "a").
		Set("restarted", property.New(property.NewArray(nil))).Set("revision", property.New(rollOldRev))}
	for _, next := range []property.Map{rollingRestartInputs(w.admin.srv.URL, "b"), rollingRestartInputs(w.admin.srv.URL, "a", 5)} {
		if _, err := s.Update(p.UpdateRequest{ID: "redpanda", Urn: rollingRestartURN, State: created.Properties, Inputs: next, OldInputs: created.Properties, DryRun: true}); err != nil {
			t.Fatalf("preview: %v", err)
		}
	}
	same := rollingRestartInputs(w.admin.srv.URL, "a").Set("timeoutSeconds", property.New(9.0))
	if _, err := s.Update(p.UpdateRequest{ID: "redpanda", Urn: rollingRestartURN, State: created.Properties, Inputs: same, OldInputs: created.Properties}); err != nil {
		t.Fatalf("update without a rollout: %v", err)
	}
	if got := w.sequence(); got != "" {
		t.Errorf("preview touched the cluster: %s", got)
	}
	if n := len(w.kube.Actions()); n != 0 {
		t.Errorf("preview made %d Kubernetes calls: %v", n, w.kube.Actions())
	}
}

// TestRollingRestartCreateNeedsAKubeconfig: Create rolls stale pods, so a kubeconfig it cannot
// load fails it with the sources it tried, before any broker is touched.
func TestRollingRestartCreateNeedsAKubeconfig(t *testing.T) {
	w := newRollWorld(t, rollIDs)
	s := offlineServer(t)
	_, err := s.Create(p.CreateRequest{Urn: rollingRestartURN, Properties: rollingRestartInputs(w.admin.srv.URL, "a")})
	if err == nil || !strings.Contains(err.Error(), "kubeconfig") {
		t.Errorf("err = %v, want a kubeconfig error", err)
	}
	if got := w.sequence(); got != "" {
		t.Errorf("brokers were touched: %s", got)
	}
}

// TestRollingRestartCheck: inputs the rollout cannot work with fail Check, naming the key.
func TestRollingRestartCheck(t *testing.T) {
	s := offlineServer(t)
	in := rollingRestartInputs("http://127.0.0.1:1", "a").
		Set("adminUrls", property.New(property.NewArray(nil))).
		Set("timeoutSeconds", property.New(0.0))
	resp, err := s.Check(p.CheckRequest{Urn: rollingRestartURN, Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range resp.Failures {
		got[f.Property] = f.Reason
	}
	if !strings.Contains(got["adminUrls"], "adminUrls is empty") || !strings.Contains(got["timeoutSeconds"], "timeoutSeconds = 0") {
		t.Errorf("failures = %+v", resp.Failures)
	}
}
