package nodepool

import (
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
		Mode:  ModeEKS,
		Nodes: 3,
		EKS: EKSArgs{
			ClusterName:  pulumi.String("platform-prod"),
			SubnetIDs:    pulumi.ToStringArray([]string{"subnet-a", "subnet-b", "subnet-c"}),
			NodeRoleARN:  pulumi.String("arn:aws:iam::123456789012:role/redpanda-nodes"),
			InstanceType: "m6i.8xlarge",
			Tags:         map[string]string{"team": "market-bus"},
		},
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
	m, p, out, err := deployPool(t, Args{Mode: ModeExisting, Nodes: 3})
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
	_, p, _, err := deployPool(t, Args{Mode: ModeExisting, Nodes: 3,
		Labels: map[string]string{"node.platform/role": "kafka"},
		Taints: []Taint{{Key: "workload", Value: "kafka", Effect: "NoExecute"}},
	})
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

func TestValidate(t *testing.T) {
	const eligible = "e.g. c6in.8xlarge, m5.8xlarge, m5n.8xlarge"
	tests := []struct {
		name   string
		mutate func(*Args)
		want   []string
	}{
		{"eks args are valid", func(*Args) {}, nil},
		{"a sustained 10 Gbps type", func(a *Args) { a.EKS.InstanceType = "c6in.8xlarge" }, nil},
		{"up to 12.5 Gbps is not 10 Gbps", func(a *Args) { a.EKS.InstanceType = "m6i.large" }, []string{
			`EKS.InstanceType = "m6i.large": its network is "up to 12.5 Gbps", a burst ceiling paid for with network I/O credits, not the sustained 10 Gbps the floor asks for; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}},
		{"up to 10 Gbps is not 10 Gbps", func(a *Args) { a.EKS.InstanceType = "m5.xlarge" }, []string{
			`EKS.InstanceType = "m5.xlarge": its network is "up to 10 Gbps", a burst ceiling paid for with network I/O credits, not the sustained 10 Gbps the floor asks for; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}},
		{"below 4 GiB", func(a *Args) { a.EKS.InstanceType = "t3.small" }, []string{
			`EKS.InstanceType = "t3.small": 2 GiB of memory is below the 4 GiB floor; fix: use a type with at least 4 GiB and a sustained 10 Gbps, ` + eligible,
		}},
		{"an unchecked type", func(a *Args) { a.EKS.InstanceType = "x9.huge" }, []string{
			`EKS.InstanceType = "x9.huge": not in the checked instance table, so its memory and network cannot be verified; fix: use a checked type that meets the floor (` + eligible + `), or add the type with its published figures`,
		}},
		{"a small disk", func(a *Args) { a.EKS.DiskSizeGiB = 20 }, []string{
			"EKS.DiskSizeGiB = 20: below the 50 GiB node disk floor; fix: set it to 50 or more, or 0 for the default",
		}},
		{"no cluster, subnets or role", func(a *Args) { a.EKS.ClusterName, a.EKS.SubnetIDs, a.EKS.NodeRoleARN = nil, nil, nil }, []string{
			"EKS.ClusterName = <nil>: an EKS node group needs it; fix: pass it from the EKS cluster's stack",
			"EKS.SubnetIDs = <nil>: an EKS node group needs it; fix: pass it from the EKS cluster's stack",
			"EKS.NodeRoleARN = <nil>: an EKS node group needs it; fix: pass it from the EKS cluster's stack",
		}},
		{"an unknown mode and no nodes", func(a *Args) { a.Mode, a.Nodes = "gke", 0 }, []string{
			`Mode = "gke": unknown node pool mode; fix: use "existing" or "eks"`,
			"Nodes = 0: a pool needs a node per broker; fix: set Nodes to the number of brokers (3)",
		}},
		{"a taint without an effect", func(a *Args) { a.Taints = []Taint{{Key: "dedicated", Value: "redpanda"}} }, []string{
			"Taints[0] = {Key:dedicated Value:redpanda Effect:}: a taint needs a key and an effect; fix: use a key and NoSchedule, PreferNoSchedule or NoExecute",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := eksArgs()
			tt.mutate(&a)
			var got []string
			for _, e := range validate(a.withDefaults()) {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func TestInvalidRegistersNothing(t *testing.T) {
	a := eksArgs()
	a.EKS.InstanceType = "m6i.large"
	m, _, _, err := deployPool(t, a)
	if err == nil || !strings.Contains(err.Error(), `node pool "brokers": invalid args:`+"\n"+`EKS.InstanceType = "m6i.large"`) {
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
