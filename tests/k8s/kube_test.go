package k8s

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// The few fields of the API objects the test reads (the main module has no k8s.io/api).
type meta struct {
	Name   string            `json:"name"`
	UID    string            `json:"uid"`
	Labels map[string]string `json:"labels"`
}

type container struct {
	Name      string `json:"name"`
	Image     string `json:"image"`
	Resources struct {
		Limits map[string]string `json:"limits"`
	} `json:"resources"`
}

type statefulSet struct {
	Metadata meta `json:"metadata"`
	Spec     struct {
		Replicas int `json:"replicas"`
		Template struct {
			Spec struct {
				Containers []container `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
	Status struct {
		ReadyReplicas   int    `json:"readyReplicas"`
		UpdatedReplicas int    `json:"updatedReplicas"`
		CurrentRevision string `json:"currentRevision"`
		UpdateRevision  string `json:"updateRevision"`
	} `json:"status"`
}

type pod struct {
	Metadata meta `json:"metadata"`
	Spec     struct {
		NodeName   string      `json:"nodeName"`
		Containers []container `json:"containers"`
		Volumes    []struct {
			Name string `json:"name"`
			PVC  *struct {
				ClaimName string `json:"claimName"`
			} `json:"persistentVolumeClaim"`
		} `json:"volumes"`
	} `json:"spec"`
	Status struct {
		Phase      string `json:"phase"`
		Conditions []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

func (p pod) ready() bool {
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

// broker is the pod's Redpanda container.
func (p pod) broker() container {
	for _, c := range p.Spec.Containers {
		if c.Name == "redpanda" {
			return c
		}
	}
	return container{}
}

type pvc struct {
	Metadata meta `json:"metadata"`
	Spec     struct {
		VolumeName string `json:"volumeName"`
		Resources  struct {
			Requests map[string]string `json:"requests"`
		} `json:"resources"`
	} `json:"spec"`
	Status struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

func brokerSet(t *testing.T, ctx context.Context) statefulSet {
	t.Helper()
	var s statefulSet
	if err := getJSON(t, ctx, &s, "statefulset", "redpanda", "-n", namespace); err != nil {
		t.Fatalf("reading StatefulSet %s/redpanda: %v", namespace, err)
	}
	return s
}

func brokerPods(t *testing.T, ctx context.Context) []pod {
	t.Helper()
	var l struct{ Items []pod }
	if err := getJSON(t, ctx, &l, "pods", "-n", namespace, "-l", "app.kubernetes.io/name=redpanda"); err != nil {
		t.Fatalf("listing the broker pods: %v", err)
	}
	sort.Slice(l.Items, func(i, j int) bool { return l.Items[i].Metadata.Name < l.Items[j].Metadata.Name })
	return l.Items
}

// brokerClaims are the data PVCs by name.
func brokerClaims(t *testing.T, ctx context.Context) map[string]pvc {
	t.Helper()
	var l struct{ Items []pvc }
	if err := getJSON(t, ctx, &l, "pvc", "-n", namespace); err != nil {
		t.Fatalf("listing the PVCs: %v", err)
	}
	m := map[string]pvc{}
	for _, c := range l.Items {
		if strings.HasPrefix(c.Metadata.Name, "datadir-redpanda-") {
			m[c.Metadata.Name] = c
		}
	}
	return m
}

// rolledOut says whether the StatefulSet runs 3 ready pods, all of its current template,
// whose broker container matches want; else why not.
func rolledOut(t *testing.T, ctx context.Context, want func(container) string) (bool, string) {
	t.Helper()
	s := brokerSet(t, ctx)
	st := s.Status
	if st.ReadyReplicas != 3 || st.UpdatedReplicas != 3 || st.CurrentRevision != st.UpdateRevision {
		return false, fmt.Sprintf("StatefulSet: %d ready, %d updated, revision %s of %s", st.ReadyReplicas, st.UpdatedReplicas, st.CurrentRevision, st.UpdateRevision)
	}
	pods := brokerPods(t, ctx)
	if len(pods) != 3 {
		return false, fmt.Sprintf("%d broker pods", len(pods))
	}
	for _, p := range pods {
		if !p.ready() || p.Metadata.Labels["controller-revision-hash"] != st.UpdateRevision {
			return false, fmt.Sprintf("pod %s: ready %v, revision %s (want %s)", p.Metadata.Name, p.ready(), p.Metadata.Labels["controller-revision-hash"], st.UpdateRevision)
		}
		if want != nil {
			if why := want(p.broker()); why != "" {
				return false, "pod " + p.Metadata.Name + ": " + why
			}
		}
	}
	return true, ""
}
