package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/driver"
)

// object is one Kubernetes object the stack's state records.
type object struct {
	apiVersion, kind, namespace, name string
}

func (o object) String() string {
	if o.namespace == "" {
		return o.kind + " " + o.name
	}
	return o.kind + " " + o.namespace + "/" + o.name
}

// ref is the object's kubectl reference, fully qualified outside the core group.
func (o object) ref() string {
	group, version, found := strings.Cut(o.apiVersion, "/")
	if !found {
		return o.kind + "/" + o.name
	}
	return o.kind + "." + version + "." + group + "/" + o.name
}

// stateObjects reads the stack's state the way busctl opens it and lists every Kubernetes
// object in it: what `up` claims to have created, to be looked up on the API server.
func stateObjects(t *testing.T, ctx context.Context, s session) []object {
	t.Helper()
	for _, kv := range s.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	o := driver.Options{Root: repoRoot(t), Stack: stack, StackFile: s.file, BackendURL: os.Getenv("PULUMI_BACKEND_URL")}
	st, err := driver.Open(ctx, o)
	if err != nil {
		t.Fatalf("opening stack %s: %v", stack, err)
	}
	dep, err := st.Export(ctx)
	if err != nil {
		t.Fatalf("exporting stack %s: %v", stack, err)
	}
	var d struct {
		Resources []struct {
			Type    string         `json:"type"`
			Outputs map[string]any `json:"outputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(dep.Deployment, &d); err != nil {
		t.Fatalf("decoding the deployment: %v", err)
	}
	var out []object
	for _, r := range d.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		meta, _ := r.Outputs["metadata"].(map[string]any)
		o := object{apiVersion: fmt.Sprint(r.Outputs["apiVersion"]), kind: fmt.Sprint(r.Outputs["kind"]), name: fmt.Sprint(meta["name"])}
		if ns, ok := meta["namespace"].(string); ok {
			o.namespace = ns
		}
		out = append(out, o)
	}
	return out
}

// exists looks the object up on the API server: true, false for NotFound, a failure else.
func exists(t *testing.T, ctx context.Context, o object) bool {
	t.Helper()
	args := []string{"get", o.ref(), "-o", "name"}
	if o.namespace != "" {
		args = append(args, "-n", o.namespace)
	}
	_, err := kubectl(t, ctx, args...)
	switch {
	case err == nil:
		return true
	case strings.Contains(err.Error(), "NotFound"):
		return false
	}
	t.Fatalf("looking up %s: %v", o, err)
	return false
}

// kinds counts the objects by kind.
func kinds(objs []object) map[string]int {
	m := map[string]int{}
	for _, o := range objs {
		m[o.kind]++
	}
	return m
}
