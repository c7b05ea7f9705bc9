package k8s

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	image       = "docker.redpanda.com/redpandadata/redpanda:v25.2.1"
	newImage    = "docker.redpanda.com/redpandadata/redpanda:v25.2.2"
	newMemory   = "2560Mi"
	storageSize = "50Gi"
	// clusterKey opens the stack file's cluster object. The file leaves memory (3Gi),
	// storageSize and image to the production defaults, so each change adds its key.
	clusterKey = "  market-bus:cluster:\n"
)

// TestProdStackOnKubernetes drives the k8s-e2e stack (prod's shape) through busctl against
// the API server of scripts/k8s-cluster: up, an empty second preview, a memory change, a
// refused storage change, an image change, destroy, and an up that finds the kept PVCs.
// Each step is a subtest asserting on the API server; a failed step ends the test.
func TestProdStackOnKubernetes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	requireCluster(t, ctx)
	removeNamespace(t, ctx)
	s := newSession(t, ctx)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer ccancel()
		if r := s.busctl(t, cctx, "destroy", "--yes", "--confirm-stack", stack); r.Code != 0 {
			t.Logf("cleanup: destroy: exit %d\n%s", r.Code, tail(r.Output()))
		}
		removeNamespace(t, cctx)
	})
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}
	var created []object
	var uid string
	claims := map[string]string{} // PVC name -> uid

	step("up creates every object and the StatefulSet reaches 3/3", func(t *testing.T) {
		s.up(t, ctx)
		created = stateObjects(t, ctx, s)
		k := kinds(created)
		for _, want := range []string{"Namespace", "ConfigMap", "Secret", "Certificate", "Service", "NetworkPolicy", "StatefulSet", "PodDisruptionBudget"} {
			if k[want] == 0 {
				t.Errorf("the stack's state has no %s; it has %v", want, k)
			}
		}
		for _, o := range created {
			if !exists(t, ctx, o) {
				t.Errorf("%s is in the stack's state but not on the API server", o)
			}
		}
		waitFor(t, ctx, 3*time.Minute, "StatefulSet 3/3 ready", func() (bool, string) { return rolledOut(t, ctx, nil) })
		uid = brokerSet(t, ctx).Metadata.UID
		for name, c := range brokerClaims(t, ctx) {
			if c.Status.Phase != "Bound" {
				t.Errorf("PVC %s is %s, want Bound", name, c.Status.Phase)
			}
			claims[name] = c.Metadata.UID
		}
		if len(claims) != 3 {
			t.Errorf("%d data PVCs (%v), want 3", len(claims), claims)
		}
	})

	step("the namespace enforces Pod Security restricted and the broker pods are admitted", func(t *testing.T) {
		var ns struct{ Metadata meta }
		if err := getJSON(t, ctx, &ns, "namespace", namespace); err != nil {
			t.Fatal(err)
		}
		if got := ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]; got != "restricted" {
			t.Errorf("namespace %s: pod-security.kubernetes.io/enforce = %q, want restricted", namespace, got)
		}
		// A pod without the restricted settings is refused by the API server's admission.
		_, err := kubectl(t, ctx, "run", "psa-probe", "-n", namespace, "--image", image, "--restart", "Never", "--dry-run=server")
		if err == nil || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) {
			t.Errorf("a plain pod in %s: %v, want it refused by PodSecurity restricted", namespace, err)
		}
		pods := brokerPods(t, ctx)
		nodes := map[string]bool{}
		for _, p := range pods {
			nodes[p.Spec.NodeName] = true
			if !p.ready() || p.Status.Phase != "Running" {
				t.Errorf("broker pod %s: phase %s, ready %v", p.Metadata.Name, p.Status.Phase, p.ready())
			}
		}
		if len(pods) != 3 || len(nodes) != 3 {
			t.Errorf("%d broker pods on nodes %v, want 3 on 3 nodes", len(pods), nodes)
		}
	})

	step("a second preview is empty", func(t *testing.T) {
		r := s.busctl(t, ctx, "preview", "--json")
		var p struct {
			ChangeSummary map[string]int `json:"changeSummary"`
			Steps         []struct {
				URN  string   `json:"urn"`
				Op   string   `json:"op"`
				Diff []string `json:"diffKeys"`
			} `json:"steps"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &p); r.Code != 0 || err != nil {
			t.Fatalf("preview --json: exit %d, %v\n%s", r.Code, err, tail(r.Output()))
		}
		for _, st := range p.Steps {
			if st.Op != "same" {
				t.Errorf("preview after up: %s %s (diff %v)", st.Op, st.URN, st.Diff)
			}
		}
		if len(p.Steps) == 0 {
			t.Errorf("preview listed no steps: %s", r.Stdout)
		}
	})

	step("a memory change rolls the pods in place", func(t *testing.T) {
		before := podUIDs(brokerPods(t, ctx))
		s.edit(t, clusterKey, clusterKey+"    memory: "+newMemory+"\n")
		s.up(t, ctx)
		waitFor(t, ctx, 3*time.Minute, "pods rolled to "+newMemory, func() (bool, string) {
			return rolledOut(t, ctx, func(c container) string {
				if c.Resources.Limits["memory"] != newMemory {
					return "memory limit " + c.Resources.Limits["memory"]
				}
				return ""
			})
		})
		if got := brokerSet(t, ctx).Metadata.UID; got != uid {
			t.Errorf("StatefulSet uid %s after the memory change, was %s: it was replaced", got, uid)
		}
		for name, u := range podUIDs(brokerPods(t, ctx)) {
			if before[name] == u {
				t.Errorf("pod %s kept uid %s: it was not rolled", name, u)
			}
		}
	})

	step("a storage size change is refused at preview and changes nothing", func(t *testing.T) {
		s.edit(t, clusterKey, clusterKey+"    storageSize: 60Gi\n")
		defer s.edit(t, clusterKey+"    storageSize: 60Gi\n", clusterKey)
		for _, cmd := range [][]string{{"preview"}, {"up", "--yes"}} {
			r := s.busctl(t, ctx, cmd...)
			if r.Code == 0 || !strings.Contains(r.Output(), "replaces the brokers' StatefulSet") || !strings.Contains(r.Output(), "storageSize") {
				t.Errorf("%s with storageSize 60Gi: exit %d, want a refusal naming the StatefulSet's replacement and storageSize:\n%s", cmd[0], r.Code, tail(r.Output()))
			}
		}
		if got := brokerSet(t, ctx).Metadata.UID; got != uid {
			t.Errorf("StatefulSet uid %s after the refused storage change, was %s", got, uid)
		}
		for name, c := range brokerClaims(t, ctx) {
			if got := c.Spec.Resources.Requests["storage"]; got != storageSize || c.Metadata.UID != claims[name] {
				t.Errorf("PVC %s: %s, uid %s; want %s, uid %s", name, got, c.Metadata.UID, storageSize, claims[name])
			}
		}
	})

	step("an image change updates in place", func(t *testing.T) {
		s.edit(t, clusterKey, clusterKey+"    image: "+newImage+"\n")
		s.up(t, ctx)
		waitFor(t, ctx, 3*time.Minute, "pods rolled to "+newImage, func() (bool, string) {
			return rolledOut(t, ctx, func(c container) string {
				if c.Image != newImage {
					return "image " + c.Image
				}
				return ""
			})
		})
		if got := brokerSet(t, ctx).Metadata.UID; got != uid {
			t.Errorf("StatefulSet uid %s after the image change, was %s: it was replaced", got, uid)
		}
	})

	step("destroy removes the objects and keeps the PVCs", func(t *testing.T) {
		if r := s.busctl(t, ctx, "destroy", "--yes", "--confirm-stack", stack); r.Code != 0 {
			t.Fatalf("destroy: exit %d\n%s", r.Code, tail(r.Output()))
		}
		for _, o := range created {
			// The namespace is retained on purpose: deleting it would delete the PVCs.
			if o.kind != "Namespace" && exists(t, ctx, o) {
				t.Errorf("%s is still on the API server after destroy", o)
			}
		}
		waitFor(t, ctx, 2*time.Minute, "broker pods gone", func() (bool, string) {
			n := len(brokerPods(t, ctx))
			return n == 0, strings.Repeat("pod ", n)
		})
		got := brokerClaims(t, ctx)
		for name, u := range claims {
			if c, ok := got[name]; !ok || c.Metadata.UID != u || c.Status.Phase != "Bound" {
				t.Errorf("PVC %s after destroy: present %v, uid %s (was %s), phase %s", name, ok, c.Metadata.UID, u, c.Status.Phase)
			}
		}
	})

	step("a new up re-binds the kept PVCs", func(t *testing.T) {
		s.up(t, ctx)
		waitFor(t, ctx, 3*time.Minute, "StatefulSet 3/3 ready", func() (bool, string) { return rolledOut(t, ctx, nil) })
		if brokerSet(t, ctx).Metadata.UID == uid {
			t.Errorf("the StatefulSet kept uid %s through destroy", uid)
		}
		got := brokerClaims(t, ctx)
		if len(got) != len(claims) {
			t.Errorf("%d data PVCs after the new up, want %d", len(got), len(claims))
		}
		for name, u := range claims {
			if c := got[name]; c.Metadata.UID != u || c.Status.Phase != "Bound" {
				t.Errorf("PVC %s: uid %s (was %s), phase %s: want the kept claim, Bound", name, c.Metadata.UID, u, c.Status.Phase)
			}
		}
		for _, p := range brokerPods(t, ctx) {
			want := "datadir-" + p.Metadata.Name
			found := false
			for _, v := range p.Spec.Volumes {
				found = found || (v.PVC != nil && v.PVC.ClaimName == want)
			}
			if !found {
				t.Errorf("pod %s does not mount PVC %s", p.Metadata.Name, want)
			}
		}
	})
}

// requireCluster fails at once, naming the command, when the control plane is not up.
func requireCluster(t *testing.T, ctx context.Context) {
	t.Helper()
	out, err := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "scripts", "k8s-cluster"), "status").CombinedOutput()
	if err != nil {
		t.Fatalf("the Kubernetes control plane is not running: start it with `scripts/k8s-cluster start` (make test-k8s does)\n%s", out)
	}
}

// removeNamespace deletes the test's namespace (and with it the PVCs that destroy keeps) and
// waits until it is gone; the script's cloud-loop makes the released volumes Available again.
func removeNamespace(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := kubectl(t, ctx, "delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=180s"); err != nil {
		t.Fatalf("deleting namespace %s: %v", namespace, err)
	}
}

// newSession prepares busctl for the stack as a user would: the Kubernetes plugin installed
// into a PULUMI_HOME with `pulumi plugin install --file` (busctl finds it there, no test-only
// path), state in a file backend outside the checkout, the SASL password set as a secret.
func newSession(t *testing.T, ctx context.Context) session {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join(root, "Pulumi."+stack+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := session{file: filepath.Join(dir, "Pulumi."+stack+".yaml")}
	if err := os.WriteFile(s.file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "pulumi-home")
	s.env = []string{"PULUMI_HOME=" + home, "PULUMI_BACKEND_URL=file://" + filepath.Join(dir, "state"),
		"PULUMI_CONFIG_PASSPHRASE=k8s-e2e-passphrase", "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true", "PULUMI_SKIP_UPDATE_CHECK=true"}
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}

	r := s.busctl(t, ctx, "plugins", "--json")
	var plugins []struct{ Name, Version string }
	if err := json.Unmarshal([]byte(r.Stdout), &plugins); r.Code != 0 || err != nil {
		t.Fatalf("plugins --json: exit %d, %v\n%s", r.Code, err, tail(r.Output()))
	}
	version := ""
	for _, p := range plugins {
		if p.Name == "kubernetes" {
			version = p.Version
		}
		if p.Name == "grafana" {
			t.Errorf("stack %s needs the grafana plugin, which cannot be had here: %+v", stack, plugins)
		}
	}
	if version == "" {
		t.Fatalf("busctl plugins does not list kubernetes for stack %s: %s", stack, r.Stdout)
	}
	bin := filepath.Join(root, ".cache", "k8s-provider", "bin", "pulumi-resource-kubernetes")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the Kubernetes provider plugin is not built (%v): run `scripts/render-prod-manifests plugin`", err)
	}
	install := exec.CommandContext(ctx, filepath.Join(root, ".cache", "pulumi", "bin", "pulumi"),
		"plugin", "install", "resource", "kubernetes", version, "--file", bin)
	install.Env = append(os.Environ(), s.env...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("pulumi plugin install resource kubernetes %s --file %s: %v\n%s", version, bin, err, out)
	}
	if r := s.busctl(t, ctx, "config", "set", "--secret", "saslPassword", "k8s-E2e-sasl-passw0rd"); r.Code != 0 {
		t.Fatalf("config set --secret saslPassword: exit %d\n%s", r.Code, tail(r.Output()))
	}
	return s
}

// up runs busctl up and fails the test when it fails.
func (s session) up(t *testing.T, ctx context.Context) {
	t.Helper()
	if r := s.busctl(t, ctx, "up", "--yes"); r.Code != 0 {
		t.Fatalf("up: exit %d\n%s", r.Code, tail(r.Output()))
	}
}

func podUIDs(pods []pod) map[string]string {
	m := map[string]string{}
	for _, p := range pods {
		m[p.Metadata.Name] = p.Metadata.UID
	}
	return m
}

// tail keeps the end of a long command output for a failure message.
func tail(s string) string {
	const max = 6000
	if len(s) > max {
		return "..." + s[len(s)-max:]
	}
	return s
}
