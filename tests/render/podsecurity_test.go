package render

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/marketbus/market-bus/stacks"
)

// captureMocks records the inputs of the objects the test inspects.
type captureMocks struct {
	mu     sync.Mutex
	inputs map[string]resource.PropertyMap
}

func (m *captureMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inputs[args.TypeToken] = args.Inputs
	return args.Name + "-id", args.Inputs, nil
}

func (m *captureMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// decode turns recorded Pulumi inputs into the k8s.io/api type they describe.
func decode(t *testing.T, in resource.PropertyMap, into any) {
	t.Helper()
	raw, err := json.Marshal(in.Mappable())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("decode: %v\n%s", err, raw)
	}
}

// TestProdPodIsRestricted checks the prod broker pod with Kubernetes' own Pod Security
// Admission evaluator at the "restricted" level, the one the namespace enforces, rather than
// with a hand-written list of fields.
func TestProdPodIsRestricted(t *testing.T) {
	spec, err := stacks.Load("prod", stacks.MapSource{
		stacks.KeyCluster:      `{"externalDomain":"bus.example.com","listeners":{"kafka":{"sourceRanges":["10.20.0.0/16"]}}}`,
		stacks.KeySASLPassword: "render-only",
		"grafanaToken":         "render-only",
		"monitoring":           `{"grafanaUrl":"https://grafana.example.com","contactEmails":["oncall@example.com"]}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &captureMocks{inputs: map[string]resource.PropertyMap{}}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := stacks.DeployKubernetes(ctx, spec, pulumi.String("render-only"))
		return err
	}, pulumi.WithMocks("market-bus", "prod", m))
	if err != nil {
		t.Fatal(err)
	}
	var sts appsv1.StatefulSet
	decode(t, m.inputs["kubernetes:apps/v1:StatefulSet"], &sts)
	var ns corev1.Namespace
	decode(t, m.inputs["kubernetes:core/v1:Namespace"], &ns)

	level, err := api.ParseLevel(ns.Labels[api.EnforceLevelLabel])
	if err != nil || level != api.LevelRestricted {
		t.Fatalf("namespace %s enforces %q (%v), want restricted", ns.Name, ns.Labels[api.EnforceLevelLabel], err)
	}
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tpl := sts.Spec.Template
	for _, r := range eval.EvaluatePod(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, &tpl.ObjectMeta, &tpl.Spec) {
		if !r.Allowed {
			t.Errorf("restricted: %s: %s", r.ForbiddenReason, r.ForbiddenDetail)
		}
	}
	// The evaluator is live: the same pod with its capabilities kept is refused.
	kept := tpl.DeepCopy()
	kept.Spec.Containers[0].SecurityContext.Capabilities = nil
	refused := false
	for _, r := range eval.EvaluatePod(api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}, &kept.ObjectMeta, &kept.Spec) {
		refused = refused || !r.Allowed
	}
	if !refused {
		t.Error("the evaluator accepted a pod that keeps its capabilities")
	}
	c := tpl.Spec.Containers[0]
	if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
		t.Error("the broker's root filesystem is writable")
	}
}
