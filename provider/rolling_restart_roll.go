package provider

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// revisionLabel is the label the StatefulSet controller puts on each pod: the name of the
// ControllerRevision the pod was made from, compared with status.updateRevision.
const revisionLabel = "controller-revision-hash"

// rollTarget is one broker to restart: its StatefulSet pod and Redpanda's node id for it.
type rollTarget struct {
	Ordinal int
	Pod     string
	NodeID  int
}

// roller restarts brokers one at a time. Everything it talks to is passed in, so the contract
// tests give it an httptest admin API and client-go's fake clientset.
type roller struct {
	admin       *adminClient
	kube        kubernetes.Interface
	namespace   string
	statefulSet string
	// timeout bounds each wait of one broker (drain, pod back, broker back, healthy).
	timeout  time.Duration
	progress func(string)
}

// updateRevision reads the StatefulSet's status.updateRevision once the controller has seen
// the latest spec: before that the revision may still be the old template's.
func (r *roller) updateRevision(ctx context.Context) (string, error) {
	var rev string
	err := waitFor(ctx, r.timeout, fmt.Sprintf("StatefulSet %s/%s to observe its latest spec", r.namespace, r.statefulSet), func(ctx context.Context) (bool, error) {
		sts, err := r.kube.AppsV1().StatefulSets(r.namespace).Get(ctx, r.statefulSet, metav1.GetOptions{})
		if err != nil {
			return false, fmt.Errorf("reading StatefulSet %s/%s through the Kubernetes API: %w", r.namespace, r.statefulSet, err)
		}
		if sts.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType {
			return false, fmt.Errorf("StatefulSet %s/%s has updateStrategy %q: a health-gated restart needs OnDelete, or Kubernetes rolls the pods itself",
				r.namespace, r.statefulSet, sts.Spec.UpdateStrategy.Type)
		}
		rev = sts.Status.UpdateRevision
		return sts.Status.ObservedGeneration >= sts.Generation && rev != "", nil
	})
	return rev, err
}

// stale lists the targets whose pod is not at revision.
func (r *roller) stale(ctx context.Context, targets []rollTarget, revision string) ([]rollTarget, error) {
	var out []rollTarget
	for _, t := range targets {
		pod, err := r.kube.CoreV1().Pods(r.namespace).Get(ctx, t.Pod, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue // the controller creates a missing pod at updateRevision by itself
		}
		if err != nil {
			return nil, fmt.Errorf("reading pod %s/%s: %w", r.namespace, t.Pod, err)
		}
		if pod.Labels[revisionLabel] != revision {
			out = append(out, t)
		}
	}
	return out, nil
}

// roll restarts each target in turn and returns the node ids it restarted. A broker that does
// not come back stops the rollout: the brokers after it keep running the old pod.
func (r *roller) roll(ctx context.Context, targets []rollTarget, revision string) ([]int, error) {
	done := []int{}
	if len(targets) == 0 {
		return done, nil
	}
	if err := r.waitSettled(ctx, "before the first restart"); err != nil {
		return done, err
	}
	for i, t := range targets {
		if err := r.restartOne(ctx, t, revision); err != nil {
			rest := []int{}
			for _, o := range targets[i+1:] {
				rest = append(rest, o.NodeID)
			}
			return done, fmt.Errorf("%w; rollout stopped: restarted %v, not restarted %v", err, done, rest)
		}
		done = append(done, t.NodeID)
	}
	return done, nil
}

// restartOne is maintenance on → drained → pod deleted → pod Ready at revision → broker alive
// → maintenance off → cluster healthy with nothing under-replicated.
func (r *roller) restartOne(ctx context.Context, t rollTarget, revision string) error {
	who := fmt.Sprintf("broker %d (pod %s/%s)", t.NodeID, r.namespace, t.Pod)
	if err := r.admin.setMaintenance(ctx, t.NodeID, true); err != nil {
		return fmt.Errorf("%s: enabling maintenance mode through %s: %w", who, r.admin.where(), err)
	}
	last := "no answer yet"
	err := waitFor(ctx, r.timeout, who+" to drain leadership", func(ctx context.Context) (bool, error) {
		b, err := r.admin.broker(ctx, t.NodeID)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		if b.Maintenance == nil {
			last = "no maintenance_status in GET /v1/brokers/" + fmt.Sprint(t.NodeID)
			return false, nil
		}
		m := b.Maintenance
		last = fmt.Sprintf("draining=%t finished=%t partitions=%d transferring=%d failed=%d", m.Draining, m.Finished, m.Partitions, m.Transferring, m.Failed)
		r.progress(who + ": " + last)
		return m.Draining && m.Finished, nil
	})
	if err != nil {
		return fmt.Errorf("%s did not drain (last status: %s): %w; it is still in maintenance mode and was not restarted", who, last, err)
	}
	old, err := r.kube.CoreV1().Pods(r.namespace).Get(ctx, t.Pod, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("%s: reading the pod: %w", who, err)
	}
	var oldUID types.UID
	if old != nil {
		oldUID = old.UID
	}
	if err := r.kube.CoreV1().Pods(r.namespace).Delete(ctx, t.Pod, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("%s: deleting the pod through the Kubernetes API: %w", who, err)
	}
	r.progress(who + ": pod deleted, waiting for its replacement")
	last = "pod not recreated yet"
	err = waitFor(ctx, r.timeout, who+" to come back", func(ctx context.Context) (bool, error) {
		pod, err := r.kube.CoreV1().Pods(r.namespace).Get(ctx, t.Pod, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			last = "pod not recreated yet"
			return false, nil
		}
		if err != nil {
			last = err.Error()
			return false, nil
		}
		if pod.UID == oldUID {
			last = "old pod still terminating"
			return false, nil
		}
		if pod.Labels[revisionLabel] != revision {
			last = fmt.Sprintf("pod at revision %q, want %q", pod.Labels[revisionLabel], revision)
			return false, nil
		}
		if !podReady(pod) {
			last = "pod " + podState(pod)
			return false, nil
		}
		b, err := r.admin.broker(ctx, t.NodeID)
		if err != nil {
			last = "pod Ready, admin API: " + err.Error()
			return false, nil
		}
		if b.IsAlive == nil || !*b.IsAlive {
			last = "pod Ready, broker not alive in GET /v1/brokers/" + fmt.Sprint(t.NodeID)
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("%s did not come back (last status: %s): %w; it is left in maintenance mode", who, last, err)
	}
	r.progress(who + ": back, leaving maintenance mode")
	if err := r.admin.setMaintenance(ctx, t.NodeID, false); err != nil {
		return fmt.Errorf("%s: disabling maintenance mode through %s: %w", who, r.admin.where(), err)
	}
	return r.waitSettled(ctx, "after restarting "+who)
}

// waitSettled waits until health_overview is healthy with nothing under-replicated on two
// answers in a row: the overview is the health monitor's cached report
// (health_monitor_max_metadata_age), so one healthy answer may predate the restart.
func (r *roller) waitSettled(ctx context.Context, when string) error {
	last, streak := "no answer yet", 0
	err := waitFor(ctx, r.timeout, "the cluster to be healthy "+when, func(ctx context.Context) (bool, error) {
		h, err := r.admin.healthOverview(ctx)
		if err != nil {
			last, streak = err.Error(), 0
			return false, nil
		}
		last = h.describe()
		if !h.settled() {
			streak = 0
			return false, nil
		}
		streak++
		return streak >= 2, nil
	})
	if err != nil {
		return fmt.Errorf("the cluster is not healthy %s (last health_overview: %s): %w", when, last, err)
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podState is the phase and the first waiting reason of a pod that is not Ready, e.g.
// "Running, container redpanda: CrashLoopBackOff".
func podState(pod *corev1.Pod) string {
	s := string(pod.Status.Phase)
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Waiting != nil {
			return fmt.Sprintf("%s, container %s: %s", s, cs.Name, cs.State.Waiting.Reason)
		}
	}
	return s + ", not Ready"
}
