package nodepool

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Mode says who makes the nodes.
type Mode string

// Modes.
const (
	// ModeExisting uses nodes the platform team made and labelled: the
	// component creates nothing and outputs how to select them.
	ModeExisting Mode = "existing"
	// ModeEKS creates an EKS managed node group.
	ModeEKS Mode = "eks"
)

// Defaults applied to zero-valued optional fields.
const (
	DefaultPoolLabel   = "marketbus.io/pool"
	DefaultPoolValue   = "redpanda"
	DefaultTaintKey    = "dedicated"
	DefaultTaintValue  = "redpanda"
	DefaultDiskSizeGiB = 50
	// DefaultAMIType is Amazon Linux 2023, the EKS-optimised AMI with
	// current kernels and cgroup v2.
	DefaultAMIType = "AL2023_x86_64_STANDARD"
)

// Args configures a NodePool.
type Args struct {
	// Mode is "existing" or "eks".
	Mode Mode
	// Nodes is the number of nodes, one per broker (the brokers' hard
	// anti-affinity puts one on each): min = max = desired.
	Nodes int
	// Labels mark the pool's nodes; the brokers' nodeSelector is exactly
	// these. Default {marketbus.io/pool: redpanda}.
	Labels map[string]string
	// Taints keep other workloads off the pool; the brokers tolerate
	// exactly these. Default dedicated=redpanda:NoSchedule.
	Taints []Taint
	// EKS configures ModeEKS.
	EKS EKSArgs
}

// Taint is a Kubernetes node taint.
type Taint struct {
	Key   string
	Value string
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string
}

// EKSArgs configures the managed node group. The references are inputs:
// they usually come from the cluster's own stack.
type EKSArgs struct {
	ClusterName pulumi.StringInput
	SubnetIDs   pulumi.StringArrayInput
	NodeRoleARN pulumi.StringInput
	// InstanceType must be in the checked table and meet the floor
	// (MinMemoryGiB, MinNetworkGbps sustained).
	InstanceType string
	// DiskSizeGiB is the nodes' gp3 root volume; default and minimum 50.
	DiskSizeGiB int
	// AMIType defaults to DefaultAMIType.
	AMIType string
	// Tags go on the node group and its launch template.
	Tags map[string]string
}

// Toleration lets a pod onto the pool's taints. It has the fields of
// cluster.Toleration, so cluster.Toleration(t) converts it.
type Toleration struct {
	Key      string
	Operator string
	Value    string
	Effect   string
}

// withDefaults returns a copy of a with zero-valued optional fields filled.
func (a Args) withDefaults() Args {
	if len(a.Labels) == 0 {
		a.Labels = map[string]string{DefaultPoolLabel: DefaultPoolValue}
	}
	if a.Taints == nil {
		a.Taints = []Taint{{Key: DefaultTaintKey, Value: DefaultTaintValue, Effect: "NoSchedule"}}
	}
	if a.EKS.DiskSizeGiB == 0 {
		a.EKS.DiskSizeGiB = DefaultDiskSizeGiB
	}
	if a.EKS.AMIType == "" {
		a.EKS.AMIType = DefaultAMIType
	}
	return a
}

// tolerations are what a pod needs to run on nodes with a's taints.
func (a Args) tolerations() []Toleration {
	out := make([]Toleration, 0, len(a.Taints))
	for _, t := range a.Taints {
		out = append(out, Toleration{Key: t.Key, Operator: "Equal", Value: t.Value, Effect: t.Effect})
	}
	return out
}
