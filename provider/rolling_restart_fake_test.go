package provider

// rollWorld is the rolling restart's test bench: fakeAdmin answers the admin API and
// client-go's fake clientset holds the StatefulSet and its pods.
//
// Admin routes follow Redpanda's own handlers and docs:
//   - src/v/redpanda/admin/api-doc/broker.json (and rpk's src/go/rpk/pkg/api/admin/api_broker.go,
//     which reads the same): PUT and DELETE /v1/brokers/{id}/maintenance; GET /v1/brokers/{id}
//     with maintenance_status {draining, finished, errors, partitions, eligible, transferring,
//     failed}; draining is set as soon as maintenance is on, finished once src/v/cluster's
//     drain_manager has moved every leadership away.
//   - Redpanda's maintenance mode docs: only one broker may be in maintenance mode at a time;
//     the fake refuses a second with a seastar {"message", "code"} 400.
//   - src/v/redpanda/admin/api-doc/cluster.json and tests/rptest/tests/cluster_health_overview_test.py:
//     GET /v1/cluster/health_overview {is_healthy, unhealthy_reasons, nodes_down,
//     leaderless_partitions, leaderless_count, under_replicated_partitions,
//     under_replicated_count, all_nodes, controller_id}; a stopped broker is in nodes_down,
//     and its partitions stay under-replicated while it catches up after it is back.
//
// The Kubernetes side is client-go's fake clientset (its object tracker answers Get and
// Delete as the API server would). No StatefulSet controller runs in it, so a delete reactor
// stands in for one: it lets the tracker delete the pod, then recreates it with a new UID at
// the StatefulSet's updateRevision, Ready after a moment, the way the controller does for an
// OnDelete StatefulSet.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

const (
	rollNS     = "marketbus"
	rollOldRev = "redpanda-7d9c"
	rollNewRev = "redpanda-5f2a"
)

// rollBroker is one broker of the bench.
type rollBroker struct {
	ordinal  int
	alive    bool
	maint    bool
	drainGet int  // GET /v1/brokers/{id} polls since maintenance went on
	neverUp  bool // the new pod never gets Ready (a crash-looping broker)
	gen      int  // pod incarnation, for its UID
}

type rollWorld struct {
	t       *testing.T
	mu      sync.Mutex
	admin   *fakeAdmin
	kube    *fake.Clientset
	brokers map[int]*rollBroker // by node id
	urp     int                 // under-replicated partitions
	// controller is the node id health_overview reports as controller_id.
	controller int
	events     []string
	// settledSeen is set once health_overview answered healthy after a maintenance off.
	settledSeen bool
	wg          sync.WaitGroup
}

func (w *rollWorld) event(s string) { w.events = append(w.events, s) }

func (w *rollWorld) byOrdinal(o int) (int, *rollBroker) {
	for id, b := range w.brokers {
		if b.ordinal == o {
			return id, b
		}
	}
	return -1, nil
}

// newRollWorld builds brokers (node id → ordinal), every pod at rollOldRev unless listed in
// atNew, and an OnDelete StatefulSet whose updateRevision is rollNewRev.
func newRollWorld(t *testing.T, ids map[int]int, atNew ...int) *rollWorld {
	w := &rollWorld{t: t, admin: newFakeAdmin(t, 0), brokers: map[int]*rollBroker{}}
	objs := []runtime.Object{&appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "redpanda", Namespace: rollNS, Generation: 4},
		Spec:       appsv1.StatefulSetSpec{UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}},
		Status:     appsv1.StatefulSetStatus{ObservedGeneration: 4, CurrentRevision: rollOldRev, UpdateRevision: rollNewRev},
	}}
	for id, o := range ids {
		w.brokers[id] = &rollBroker{ordinal: o, alive: true}
		rev := rollOldRev
		for _, n := range atNew {
			if n == o {
				rev = rollNewRev
			}
		}
		objs = append(objs, rollPod(o, 0, rev, true))
	}
	w.kube = fake.NewClientset(objs...)
	w.kube.PrependReactor("delete", "pods", w.onDelete)
	w.admin.extra = w.serve
	t.Cleanup(w.wg.Wait)
	return w
}

func rollPod(ordinal, gen int, rev string, ready bool) *corev1.Pod {
	name := fmt.Sprintf("redpanda-%d", ordinal)
	st := corev1.ConditionFalse
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: rollNS, UID: types.UID(fmt.Sprintf("%s-%d", name, gen)), Labels: map[string]string{revisionLabel: rev}},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	if ready {
		st = corev1.ConditionTrue
	} else {
		pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "redpanda", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}
	}
	pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	return pod
}

// onDelete runs inside the provider's Delete call: it checks the broker was drained, takes it
// down, and plays the StatefulSet controller recreating the pod.
func (w *rollWorld) onDelete(a k8stesting.Action) (bool, runtime.Object, error) {
	name := a.(k8stesting.DeleteAction).GetName()
	o, _ := strconv.Atoi(strings.TrimPrefix(name, "redpanda-"))
	w.mu.Lock()
	id, b := w.byOrdinal(o)
	if b == nil {
		w.mu.Unlock()
		return false, nil, nil
	}
	if !b.maint || b.drainGet < 2 {
		w.t.Errorf("pod %s deleted before broker %d was drained (maintenance=%t)", name, id, b.maint)
	}
	w.event("delete pod " + name)
	b.alive = false
	b.gen++
	gen, neverUp := b.gen, b.neverUp
	w.mu.Unlock()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		ctx := context.Background()
		time.Sleep(20 * time.Millisecond)
		if _, err := w.kube.CoreV1().Pods(rollNS).Create(ctx, rollPod(o, gen, rollNewRev, false), metav1.CreateOptions{}); err != nil {
			w.t.Errorf("recreating %s: %v", name, err)
			return
		}
		if neverUp {
			return
		}
		time.Sleep(20 * time.Millisecond)
		w.mu.Lock()
		defer w.mu.Unlock()
		if _, err := w.kube.CoreV1().Pods(rollNS).UpdateStatus(ctx, rollPod(o, gen, rollNewRev, true), metav1.UpdateOptions{}); err != nil {
			w.t.Errorf("marking %s ready: %v", name, err)
			return
		}
		w.event("pod " + name + " ready")
		b.alive = true
		w.urp = 3 // its partitions catch up over the next health polls
	}()
	return false, nil, nil
}

func (w *rollWorld) serve(rw http.ResponseWriter, r *http.Request) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.admin
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/v1/brokers":
		out := []map[string]any{}
		for id, b := range w.brokers {
			out = append(out, map[string]any{"node_id": id, "internal_rpc_address": podHost(b.ordinal), "membership_status": "active", "is_alive": b.alive})
		}
		f.reply(rw, out)
		return true
	case r.Method == http.MethodGet && path == "/v1/cluster/health_overview":
		f.reply(rw, w.health())
		return true
	case strings.HasPrefix(path, "/v1/brokers/"):
		rest := strings.TrimPrefix(path, "/v1/brokers/")
		id, err := strconv.Atoi(strings.TrimSuffix(rest, "/maintenance"))
		b, ok := w.brokers[id]
		if err != nil || !ok {
			f.fail(rw, http.StatusNotFound, fmt.Sprintf("broker %s not found", rest))
			return true
		}
		if strings.HasSuffix(rest, "/maintenance") {
			w.maintenance(rw, r.Method, id, b)
			return true
		}
		if r.Method != http.MethodGet {
			return false
		}
		m := map[string]any{"draining": b.maint, "finished": false, "errors": false, "partitions": 4, "eligible": 4, "transferring": 0, "failed": 0}
		if b.maint {
			b.drainGet++
			m["finished"] = b.drainGet >= 2
			m["transferring"] = max(0, 2-b.drainGet)
		}
		f.reply(rw, map[string]any{"node_id": id, "internal_rpc_address": podHost(b.ordinal), "membership_status": "active", "is_alive": b.alive, "maintenance_status": m})
		return true
	}
	return false
}

func (w *rollWorld) maintenance(rw http.ResponseWriter, method string, id int, b *rollBroker) {
	switch method {
	case http.MethodPut:
		for oid, o := range w.brokers {
			if o.maint && oid != id {
				w.admin.fail(rw, http.StatusBadRequest, fmt.Sprintf("broker %d is already in maintenance mode", oid))
				return
			}
		}
		if h := w.health(); !h["is_healthy"].(bool) {
			w.t.Errorf("maintenance on %d while the cluster is unhealthy: %v", id, h)
		}
		b.maint, b.drainGet = true, 0
		w.settledSeen = false
		w.event(fmt.Sprintf("maintenance on %d", id))
	case http.MethodDelete:
		if !b.alive {
			w.t.Errorf("maintenance off %d while it is down", id)
		}
		b.maint = false
		w.event(fmt.Sprintf("maintenance off %d", id))
	default:
		w.admin.fail(rw, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	w.admin.reply(rw, map[string]any{})
}

// health is one health_overview; every poll after a broker is back, one more partition catches up.
func (w *rollWorld) health() map[string]any {
	down, all, reasons := []int{}, []int{}, []string{}
	for id, b := range w.brokers {
		all = append(all, id)
		if !b.alive {
			down = append(down, id)
		}
	}
	if len(down) > 0 {
		reasons = append(reasons, "nodes_down")
	}
	urp := w.urp
	if len(down) == 0 && w.urp > 0 {
		w.urp--
	}
	if urp > 0 {
		reasons = append(reasons, "under_replicated_partitions")
	}
	healthy := len(reasons) == 0
	if healthy && !w.settledSeen && len(w.events) > 0 && strings.HasPrefix(w.events[len(w.events)-1], "maintenance off") {
		w.settledSeen = true
		w.event("healthy")
	}
	return map[string]any{"is_healthy": healthy, "unhealthy_reasons": reasons, "controller_id": w.controller, "all_nodes": all, "nodes_down": down,
		"leaderless_partitions": []string{}, "leaderless_count": 0, "under_replicated_partitions": []string{}, "under_replicated_count": urp}
}

// roller builds the provider's roller against the bench.
func (w *rollWorld) roller(t *testing.T, timeout time.Duration) *roller {
	c, err := newAdminClient(Config{}, []string{w.admin.srv.URL}, "the test's admin URL")
	if err != nil {
		t.Fatal(err)
	}
	return &roller{admin: c, kube: w.kube, namespace: rollNS, statefulSet: "redpanda", timeout: timeout, progress: func(string) {}}
}

func (w *rollWorld) sequence() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.events, ", ")
}
