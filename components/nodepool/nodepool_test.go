package nodepool

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
)

const componentURN = "urn:pulumi:prod::market-bus::marketbus:cluster:NodePool::brokers"

// eksArgs is the prod pool: 3 m6i.8xlarge nodes.
func eksArgs() Args {
	return Args{
		Config: Config{
			Mode: ModeEKS,
			EKS: &EKSConfig{
				ClusterName:  "platform-prod",
				SubnetIDs:    []string{"subnet-a", "subnet-b", "subnet-c"},
				NodeRoleARN:  "arn:aws:iam::123456789012:role/redpanda-nodes",
				InstanceType: "m6i.8xlarge",
			},
		},
		Nodes: 3,
		Tags:  map[string]string{"team": "market-bus"},
	}
}

// poolOutputs are the resolved outputs.
type poolOutputs struct {
	NodeSelector map[string]string
	Tolerations  []map[string]any
}

func deployPool(t *testing.T, args Args) (*mocks, *NodePool, poolOutputs, error) {
	t.Helper()
	m := &mocks{}
	var pool *NodePool
	var out poolOutputs
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		p, err := NewNodePool(ctx, "brokers", &args)
		if err != nil {
			return err
		}
		pool = p
		pulumi.All(p.NodeSelectorOutput, p.TolerationsOutput).ApplyT(func(v []any) error {
			out = poolOutputs{v[0].(map[string]string), v[1].([]map[string]any)}
			return nil
		})
		return nil
	}, pulumi.WithMocks("market-bus", "prod", m))
	return m, pool, out, err
}

func TestExistingPool(t *testing.T) {
	m, p, out, err := deployPool(t, Args{Config: Config{Mode: ModeExisting}, Nodes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.names(), []string{"marketbus:cluster:NodePool brokers"}; !reflect.DeepEqual(got, want) {
		t.Errorf("resources = %q, want only the component: the platform owns the nodes", got)
	}
	wantSel := map[string]string{"marketbus.io/pool": "redpanda"}
	wantTol := []Toleration{{Key: "dedicated", Operator: "Equal", Value: "redpanda", Effect: "NoSchedule"}}
	if !reflect.DeepEqual(p.NodeSelector, wantSel) || !reflect.DeepEqual(p.Tolerations, wantTol) {
		t.Errorf("selector %v, tolerations %v; want %v, %v", p.NodeSelector, p.Tolerations, wantSel, wantTol)
	}
	if !reflect.DeepEqual(out.NodeSelector, wantSel) {
		t.Errorf("nodeSelector output = %v", out.NodeSelector)
	}
	wantOut := []map[string]any{{"key": "dedicated", "operator": "Equal", "value": "redpanda", "effect": "NoSchedule"}}
	if !reflect.DeepEqual(out.Tolerations, wantOut) {
		t.Errorf("tolerations output = %v, want %v", out.Tolerations, wantOut)
	}
	if p.WaitFor() != nil {
		t.Error("an existing pool has nothing to wait for")
	}
	// The values feed the cluster component as they are.
	ka := cluster.KubernetesArgs{NodeSelector: p.NodeSelector, Tolerations: []cluster.Toleration{cluster.Toleration(p.Tolerations[0])}}
	if ka.Tolerations[0].Effect != "NoSchedule" {
		t.Errorf("converted toleration = %+v", ka.Tolerations[0])
	}
}

func TestExistingPoolCustomLabelsAndTaints(t *testing.T) {
	_, p, _, err := deployPool(t, Args{Nodes: 3, Config: Config{Mode: ModeExisting,
		Labels: map[string]string{"node.platform/role": "kafka"},
		Taints: []Taint{{Key: "workload", Value: "kafka", Effect: "NoExecute"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"node.platform/role": "kafka"}; !reflect.DeepEqual(p.NodeSelector, want) {
		t.Errorf("selector = %v, want %v", p.NodeSelector, want)
	}
	if want := []Toleration{{Key: "workload", Operator: "Equal", Value: "kafka", Effect: "NoExecute"}}; !reflect.DeepEqual(p.Tolerations, want) {
		t.Errorf("tolerations = %v, want %v", p.Tolerations, want)
	}
}

func TestEKSPool(t *testing.T) {
	m, p, out, err := deployPool(t, eksArgs())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"aws:ec2/launchTemplate:LaunchTemplate brokers-launch-template",
		"aws:eks/nodeGroup:NodeGroup brokers-node-group",
		"marketbus:cluster:NodePool brokers",
	}
	if got := m.names(); !reflect.DeepEqual(got, want) {
		t.Errorf("resources = %q, want %q", got, want)
	}
	lt, _ := m.byName("brokers-launch-template")
	wantLT := map[string]any{
		"blockDeviceMappings": []any{map[string]any{
			"deviceName": "/dev/xvda",
			"ebs":        map[string]any{"volumeSize": 50.0, "volumeType": "gp3", "encrypted": "true", "deleteOnTermination": "true"},
		}},
		"metadataOptions": map[string]any{"httpEndpoint": "enabled", "httpTokens": "required"},
		"tags":            map[string]any{"team": "market-bus"},
	}
	for k, w := range wantLT {
		if got := lt.Inputs[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("launch template %s = %#v, want %#v", k, got, w)
		}
	}
	ng, _ := m.byName("brokers-node-group")
	wantNG := map[string]any{
		"clusterName":    "platform-prod",
		"nodeRoleArn":    "arn:aws:iam::123456789012:role/redpanda-nodes",
		"subnetIds":      []any{"subnet-a", "subnet-b", "subnet-c"},
		"instanceTypes":  []any{"m6i.8xlarge"},
		"amiType":        "AL2023_x86_64_STANDARD",
		"capacityType":   "ON_DEMAND",
		"launchTemplate": map[string]any{"id": "brokers-launch-template-id", "version": "1"},
		"scalingConfig":  map[string]any{"minSize": 3.0, "maxSize": 3.0, "desiredSize": 3.0},
		"updateConfig":   map[string]any{"maxUnavailable": 1.0},
		"labels":         map[string]any{"marketbus.io/pool": "redpanda"},
		"taints":         []any{map[string]any{"key": "dedicated", "value": "redpanda", "effect": "NO_SCHEDULE"}},
		"tags":           map[string]any{"team": "market-bus"},
	}
	for k, w := range wantNG {
		if got := ng.Inputs[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("node group %s = %#v, want %#v", k, got, w)
		}
	}
	if _, ok := ng.Inputs["diskSize"]; ok {
		t.Error("diskSize must be unset: the launch template sizes the gp3 root volume")
	}
	for _, r := range []recorded{lt, ng} {
		if r.Parent != componentURN {
			t.Errorf("%s parent = %s, want the component", r.Name, r.Parent)
		}
	}
	if len(p.WaitFor()) != 1 || p.WaitFor()[0] != p.NodeGroup {
		t.Errorf("WaitFor = %v, want the node group", p.WaitFor())
	}
	if !reflect.DeepEqual(out.NodeSelector, map[string]string{"marketbus.io/pool": "redpanda"}) {
		t.Errorf("nodeSelector output = %v", out.NodeSelector)
	}
}

// TestValidate: each bad setting is refused at its json path inside the
// config (what the stack prefixes with market-bus:nodePool), with its value,
// the problem and the fix.
func TestValidate(t *testing.T) {
	const eligible = "e.g. c6in.8xlarge, m5.8xlarge, m5n.8xlarge"
	type refusal struct{ field, text string }
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []refusal
	}{
		{"eks config is valid", func(*Config) {}, nil},
		{"an empty config is the existing pool", func(c *Config) { *c = Config{} }, nil},
		{"a sustained 10 Gbps type", func(c *Config) { c.EKS.InstanceType = "c6in.8xlarge" }, nil},
		{"up to 12.5 Gbps is not 10 Gbps", func(c *Config) { c.EKS.InstanceType = "m6i.large" }, []refusal{{"eks.instanceType",
			`eks.instanceType = "m6i.large": its network is "up to 12.5 Gbps", a burst ceiling paid for with network I/O credits, not the sustained 10 Gbps the floor asks for; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}}},
		{"up to 10 Gbps is not 10 Gbps", func(c *Config) { c.EKS.InstanceType = "m5.xlarge" }, []refusal{{"eks.instanceType",
			`eks.instanceType = "m5.xlarge": its network is "up to 10 Gbps", a burst ceiling paid for with network I/O credits, not the sustained 10 Gbps the floor asks for; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}}},
		{"below 4 GiB", func(c *Config) { c.EKS.InstanceType = "t3.small" }, []refusal{{"eks.instanceType",
			`eks.instanceType = "t3.small": 2 GiB of memory is below the 4 GiB floor; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}}},
		{"an unchecked type", func(c *Config) { c.EKS.InstanceType = "x9.huge" }, []refusal{{"eks.instanceType",
			`eks.instanceType = "x9.huge": not in the checked instance table, so its memory and network cannot be verified; fix: use a checked type that meets the floor (` + eligible + `), or add the type with its published figures`,
		}}},
		{"a small disk", func(c *Config) { c.EKS.DiskSizeGiB = 20 }, []refusal{{"eks.diskSizeGiB",
			"eks.diskSizeGiB = 20: below the 50 GiB node disk floor; fix: set it to 50 or more, or leave it out for the default",
		}}},
		{"no cluster, subnets or role", func(c *Config) { c.EKS.ClusterName, c.EKS.SubnetIDs, c.EKS.NodeRoleARN = "", nil, "" }, []refusal{
			{"eks.clusterName", `eks.clusterName = "": an EKS node group needs it; fix: copy it from the EKS cluster's stack`},
			{"eks.subnetIds", "eks.subnetIds = []: an EKS node group needs it; fix: copy it from the EKS cluster's stack"},
			{"eks.nodeRoleArn", `eks.nodeRoleArn = "": an EKS node group needs it; fix: copy it from the EKS cluster's stack`},
		}},
		{"an empty subnet", func(c *Config) { c.EKS.SubnetIDs = []string{"subnet-a", " "} }, []refusal{{"eks.subnetIds[1]",
			`eks.subnetIds[1] = "": an empty subnet ID; fix: remove it or give the subnet's ID (subnet-…)`,
		}}},
		{"eks mode without its settings", func(c *Config) { c.EKS = nil }, []refusal{{"eks",
			"eks = <unset>: mode eks makes a managed node group and needs its settings; fix: set eks: {clusterName, subnetIds, nodeRoleArn, instanceType}",
		}}},
		{"an unknown mode", func(c *Config) { c.Mode = "gke" }, []refusal{{"mode",
			`mode = "gke": unknown node pool mode; fix: use "existing" or "eks"`,
		}}},
		{"an existing pool ignores eks", func(c *Config) { c.Mode, c.EKS.InstanceType = ModeExisting, "t3.small" }, nil},
		{"a label without a name", func(c *Config) { c.Labels = map[string]string{" ": "redpanda"} }, []refusal{{"labels",
			`labels = " ": a node label needs a name; fix: remove the empty key`,
		}}},
		{"a taint without an effect", func(c *Config) { c.Taints = []Taint{{Key: "dedicated", Value: "redpanda"}} }, []refusal{{"taints[0].effect",
			`taints[0].effect = "": not a taint effect; fix: use NoSchedule, PreferNoSchedule or NoExecute`,
		}}},
		{"a taint without a key", func(c *Config) {
			c.Taints = []Taint{{Key: "dedicated", Value: "redpanda", Effect: "NoSchedule"}, {Value: "x", Effect: "NoExecute"}}
		}, []refusal{{"taints[1].key", `taints[1].key = "": a taint needs a key; fix: name the taint, e.g. dedicated`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := eksArgs().Config
			tt.mutate(&c)
			var got []refusal
			if err := Validate(c); err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var fe *FieldError
					if !errors.As(e, &fe) {
						t.Fatalf("%v is not a field refusal", e)
					}
					got = append(got, refusal{fe.Field, fe.Error()})
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("refusals:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

// TestValidateArgs: what the caller wires in is checked by the
// constructor, named by its Go field.
func TestValidateArgs(t *testing.T) {
	a := eksArgs()
	a.Nodes = 0
	errs := validateArgs(a.withDefaults())
	if len(errs) != 1 || errs[0].Field != "Nodes" || errs[0].Value != "0" {
		t.Errorf("refusals = %v, want Nodes = 0 alone", errs)
	}
}

func TestInvalidRegistersNothing(t *testing.T) {
	a := eksArgs()
	a.EKS.InstanceType = "m6i.large"
	m, _, _, err := deployPool(t, a)
	if err == nil || !strings.Contains(err.Error(), `node pool "brokers": invalid args:`+"\n"+`eks.instanceType = "m6i.large"`) {
		t.Fatalf("err = %v", err)
	}
	if n := m.names(); len(n) != 0 {
		t.Errorf("registered %q before refusing", n)
	}
}

// TestInstanceFloor walks the whole checked table: a type passes exactly
// when it has 4 GiB and a published, not "up to", 10 Gbps or more.
func TestInstanceFloor(t *testing.T) {
	for name, it := range instanceTypes {
		want := it.MemoryGiB >= 4 && !it.UpTo && it.NetworkGbps >= 10
		if got := it.belowFloor() == ""; got != want {
			t.Errorf("%s (%+v): passes = %v, want %v", name, it, got, want)
		}
	}
	got := EligibleInstanceTypes()
	if len(got) == 0 || got[0] != "c6in.8xlarge" {
		t.Errorf("eligible = %v, want the smallest-memory type (c6in.8xlarge, 64 GiB) first", got)
	}
}
