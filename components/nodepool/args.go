package nodepool

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
	DefaultTaintEffect = "NoSchedule"
	DefaultDiskSizeGiB = 50
	// DefaultAMIType is Amazon Linux 2023, the EKS-optimised AMI with
	// current kernels and cgroup v2.
	DefaultAMIType = "AL2023_x86_64_STANDARD"
)

// Config is the pool as a user writes it: the market-bus:nodePool stack
// key's subtree, with its field names and json tags. Validate names a bad
// field by its json path inside the subtree (eks.instanceType, taints[1]),
// which the stack prefixes with its key.
type Config struct {
	// Mode is existing (a pool the platform team runs; the default) or eks
	// (a managed node group).
	Mode Mode `json:"mode"`
	// Labels mark the pool's nodes; the brokers' nodeSelector is exactly
	// these. Default {marketbus.io/pool: redpanda}.
	Labels map[string]string `json:"labels"`
	// Taints keep other workloads off the pool; the brokers tolerate
	// exactly these. Default dedicated=redpanda:NoSchedule; an empty list
	// is no taints.
	Taints []Taint `json:"taints"`
	// EKS is the managed node group of ModeEKS.
	EKS *EKSConfig `json:"eks"`
}

// Taint is a Kubernetes node taint.
type Taint struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Effect is NoSchedule, PreferNoSchedule or NoExecute.
	Effect string `json:"effect"`
}

// EKSConfig is the managed node group. The references usually come from
// the EKS cluster's own stack.
type EKSConfig struct {
	ClusterName string   `json:"clusterName"`
	SubnetIDs   []string `json:"subnetIds"`
	NodeRoleARN string   `json:"nodeRoleArn"`
	// InstanceType must be in the checked table and meet the floor
	// (MinMemoryGiB, MinNetworkGbps sustained).
	InstanceType string `json:"instanceType"`
	// DiskSizeGiB is the nodes' gp3 root volume; default and minimum 50.
	DiskSizeGiB int `json:"diskSizeGiB"`
}

// Args configures a NodePool: the user's Config and what the caller wires
// in beside it.
type Args struct {
	Config
	// Nodes is the number of nodes, one per broker (the brokers' hard
	// anti-affinity puts one on each): min = max = desired.
	Nodes int
	// AMIType of the managed node group; defaults to DefaultAMIType.
	AMIType string
	// Tags go on the managed node group and its launch template.
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

// WithDefaults returns a copy of c with its unset fields filled as the pool
// fills them. Decode a user's config into a zero Config and default it
// after: decoding into a defaulted one would merge the user's labels into
// the default label, and a taint into the default taint.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeExisting
	}
	if len(c.Labels) == 0 {
		c.Labels = map[string]string{DefaultPoolLabel: DefaultPoolValue}
	}
	if c.Taints == nil {
		c.Taints = []Taint{{Key: DefaultTaintKey, Value: DefaultTaintValue, Effect: DefaultTaintEffect}}
	}
	if c.EKS != nil && c.EKS.DiskSizeGiB == 0 {
		e := *c.EKS // never write through the caller's pointer
		e.DiskSizeGiB = DefaultDiskSizeGiB
		c.EKS = &e
	}
	return c
}

// NodeSelector is what the brokers' pods select the pool's nodes by: its
// labels, defaulted as the pool labels its nodes.
func (c Config) NodeSelector() map[string]string {
	return copyMap(c.WithDefaults().Labels)
}

// Tolerations are what a pod needs to run on nodes with the pool's taints,
// defaulted as the pool taints its nodes.
func (c Config) Tolerations() []Toleration {
	taints := c.WithDefaults().Taints
	out := make([]Toleration, 0, len(taints))
	for _, t := range taints {
		out = append(out, Toleration{Key: t.Key, Operator: "Equal", Value: t.Value, Effect: t.Effect})
	}
	return out
}

// withDefaults returns a copy of a with zero-valued optional fields filled.
func (a Args) withDefaults() Args {
	a.Config = a.Config.WithDefaults()
	if a.AMIType == "" {
		a.AMIType = DefaultAMIType
	}
	return a
}
