package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// TestRollingRestartOnAPIServer runs the Kubernetes half of RollingRestart against a real API
// server (scripts/k8s-cluster: kube-apiserver, the StatefulSet controller, kwok's nodes), the
// admin API half against the bench of rolling_restart_fake_test.go: an OnDelete StatefulSet
// whose pod template changed is rolled by the provider one broker at a time, and afterwards
// every pod is a new one at the StatefulSet's updateRevision while the StatefulSet is the
// same object. scripts/test-k8s runs it with MARKETBUS_TEST_KUBECONFIG set.
func TestRollingRestartOnAPIServer(t *testing.T) {
	kc := os.Getenv("MARKETBUS_TEST_KUBECONFIG")
	if kc == "" {
		t.Skip("needs the API server of scripts/k8s-cluster: scripts/test-k8s sets MARKETBUS_TEST_KUBECONFIG")
	}
	rc, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("rollout-%d", time.Now().UnixNano()%1e6)
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	sts, err := kube.AppsV1().StatefulSets(ns).Create(ctx, rolloutStatefulSet(ns), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := uids(waitPods(t, ctx, kube, ns, func(ps []corev1.Pod) bool { return len(ps) == 3 && allReady(ps) }))

	// A template change: with OnDelete the controller only moves updateRevision.
	patch := `{"spec":{"template":{"metadata":{"annotations":{"marketbus.io/config-hash":"changed"}}}}}`
	if _, err := kube.AppsV1().StatefulSets(ns).Patch(ctx, "redpanda", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var rev string
	for rev == "" {
		s, err := kube.AppsV1().StatefulSets(ns).Get(ctx, "redpanda", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Status.ObservedGeneration >= s.Generation && s.Status.UpdateRevision != s.Status.CurrentRevision {
			rev = s.Status.UpdateRevision
		}
		sleepOrFail(t, ctx, "the StatefulSet's new updateRevision")
	}
	for _, p := range waitPods(t, ctx, kube, ns, func([]corev1.Pod) bool { return true }) {
		if p.Labels[appsv1.ControllerRevisionHashLabelKey] == rev || before[p.Name] != p.UID {
			t.Fatalf("with OnDelete the controller replaced pod %s itself", p.Name)
		}
	}

	w := newRollWorld(t, rollIDs)
	r := w.roller(t, 2*time.Minute)
	r.kube, r.namespace = kube, ns
	done, gotRev, err := rollOut(ctx, r, rollTargetsOf(rollIDs), nil)
	if err != nil {
		t.Fatalf("rollout: %v (admin sequence: %s)", err, w.sequence())
	}
	if gotRev != rev || len(done) != 3 {
		t.Errorf("rollout restarted %v at %s, want all 3 brokers at %s", done, gotRev, rev)
	}
	// One broker at a time on the admin side: on, off, healthy, then the next.
	var want []string
	for _, id := range done {
		want = append(want, fmt.Sprintf("maintenance on %d", id), fmt.Sprintf("maintenance off %d", id), "healthy")
	}
	if got := w.sequence(); got != strings.Join(want, ", ") {
		t.Errorf("admin sequence:\n got  %s\n want %s", got, strings.Join(want, ", "))
	}
	after := waitPods(t, ctx, kube, ns, func(ps []corev1.Pod) bool { return len(ps) == 3 && allReady(ps) })
	for _, p := range after {
		if p.Labels[appsv1.ControllerRevisionHashLabelKey] != rev {
			t.Errorf("pod %s is at %s, want %s", p.Name, p.Labels[appsv1.ControllerRevisionHashLabelKey], rev)
		}
		if before[p.Name] == p.UID {
			t.Errorf("pod %s was not restarted (same uid %s)", p.Name, p.UID)
		}
	}
	now, err := kube.AppsV1().StatefulSets(ns).Get(ctx, "redpanda", metav1.GetOptions{})
	if err != nil || now.UID != sts.UID {
		t.Errorf("the StatefulSet was replaced (uid %s, want %s; %v)", now.UID, sts.UID, err)
	}
}

// rolloutStatefulSet is three broker pods on the kwok node pool, restricted, OnDelete.
func rolloutStatefulSet(ns string) *appsv1.StatefulSet {
	labels := map[string]string{"app.kubernetes.io/name": "rollout-test"}
	three, uid := int32(3), int64(101)
	yes, no := true, false
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "redpanda", Namespace: ns},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &three, ServiceName: "redpanda", PodManagementPolicy: appsv1.ParallelPodManagement,
			Selector:       &metav1.LabelSelector{MatchLabels: labels},
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"marketbus.io/pool": "redpanda"},
					Tolerations:  []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "redpanda", Effect: corev1.TaintEffectNoSchedule}},
					SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid,
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
					Containers: []corev1.Container{{Name: "redpanda", Image: "docker.io/redpandadata/redpanda:v25.2.1",
						SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no,
							Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}},
				},
			},
		},
	}
}

// waitPods polls the namespace's pods until ok holds.
func waitPods(t *testing.T, ctx context.Context, kube kubernetes.Interface, ns string, ok func([]corev1.Pod) bool) []corev1.Pod {
	t.Helper()
	for {
		list, err := kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ok(list.Items) {
			return list.Items
		}
		sleepOrFail(t, ctx, "the pods")
	}
}

func uids(ps []corev1.Pod) map[string]types.UID {
	out := map[string]types.UID{}
	for _, p := range ps {
		out[p.Name] = p.UID
	}
	return out
}

func allReady(ps []corev1.Pod) bool {
	for i := range ps {
		if ps[i].DeletionTimestamp != nil || !podReady(&ps[i]) {
			return false
		}
	}
	return true
}

func sleepOrFail(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
		t.Fatalf("timed out waiting for %s", what)
	case <-time.After(500 * time.Millisecond):
	}
}
