package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/nodepool"
	"github.com/marketbus/market-bus/fielderr"
)

// KeyNodePool configures the Kubernetes nodes the brokers run on.
const KeyNodePool = "nodePool"

// NodePoolSpec is the broker node pool: 4 GiB memory, 50 GiB SSD, 10 Gbps class.
type NodePoolSpec struct {
	// Mode is existing (a pool the platform team runs) or eks (a managed node group).
	Mode   string            `json:"mode"`
	Labels map[string]string `json:"labels"`
	Taints []TaintSpec       `json:"taints"`
	EKS    *EKSSpec          `json:"eks"`
}

// TaintSpec is one node taint the brokers tolerate.
type TaintSpec struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Effect string `json:"effect"`
}

// EKSSpec is an EKS managed node group.
type EKSSpec struct {
	ClusterName  string   `json:"clusterName"`
	SubnetIDs    []string `json:"subnetIds"`
	NodeRoleARN  string   `json:"nodeRoleArn"`
	InstanceType string   `json:"instanceType"`
	DiskSizeGiB  int      `json:"diskSizeGiB"`
}

func defaultNodePool() NodePoolSpec {
	return NodePoolSpec{
		Mode:   string(nodepool.ModeExisting),
		Labels: map[string]string{"marketbus.io/pool": "redpanda"},
		Taints: []TaintSpec{{Key: "dedicated", Value: "redpanda", Effect: "NoSchedule"}},
	}
}

// nodePoolArgs maps the spec onto the node pool component.
func nodePoolArgs(s Spec) nodepool.Args {
	np := s.NodePool
	a := nodepool.Args{Mode: nodepool.Mode(np.Mode), Nodes: s.Cluster.Brokers, Labels: np.Labels}
	for _, t := range np.Taints {
		a.Taints = append(a.Taints, nodepool.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	if np.EKS != nil {
		a.EKS = nodepool.EKSArgs{
			ClusterName:  pulumi.String(np.EKS.ClusterName),
			SubnetIDs:    pulumi.ToStringArray(np.EKS.SubnetIDs),
			NodeRoleARN:  pulumi.String(np.EKS.NodeRoleARN),
			InstanceType: np.EKS.InstanceType,
			DiskSizeGiB:  np.EKS.DiskSizeGiB,
		}
	}
	return a
}

// kubernetesArgs fills the Kubernetes part of the cluster's arguments.
func kubernetesArgs(s Spec, a *cluster.Args) {
	a.Kubernetes = cluster.KubernetesArgs{HealthGatedRollout: healthGatedRollout(s)}
	for k, v := range s.NodePool.Labels {
		if a.Kubernetes.NodeSelector == nil {
			a.Kubernetes.NodeSelector = map[string]string{}
		}
		a.Kubernetes.NodeSelector[k] = v
	}
	for _, t := range s.NodePool.Taints {
		a.Kubernetes.Tolerations = append(a.Kubernetes.Tolerations, cluster.Toleration{Key: t.Key, Operator: "Equal", Value: t.Value, Effect: t.Effect})
	}
}

// validateKubernetes checks what the Kubernetes backend needs from the stack beyond the
// component's own checks: an external address for the program to reach the brokers by.
func (s Spec) validateKubernetes() []error {
	if s.Cluster.Mode != ModeKubernetes {
		return nil
	}
	var errs []error
	if s.Cluster.ExternalDomain == "" {
		errs = append(errs, fielderr.New(Key("cluster.externalDomain"), `""`,
			"this program and its provider run outside the Kubernetes cluster and reach the brokers through external listeners",
			"set it to the DNS suffix of the brokers' external names, e.g. bus.example.com"))
	}
	switch s.NodePool.Mode {
	case string(nodepool.ModeExisting), string(nodepool.ModeEKS):
	default:
		errs = append(errs, fmt.Errorf("%s:nodePool.mode = %q: use existing or eks", Project, s.NodePool.Mode))
	}
	return append(errs, underKey(KeyNodePool, nodepool.Validate(nodePoolArgs(s)))...)
}

// DeployKubernetes creates the node pool and the cluster on it from a validated Spec. opts
// go to both components: the render check (tests/render) passes a Kubernetes provider in
// render mode, so the manifests it decodes are exactly the ones prod would apply.
func DeployKubernetes(ctx *pulumi.Context, s Spec, password pulumi.StringInput, opts ...pulumi.ResourceOption) (*cluster.RedpandaCluster, error) {
	return deployKubernetes(ctx, s, password, nil, opts...)
}

// deployKubernetes is DeployKubernetes whose StatefulSet also waits for waitFor (the
// BrokerSet that decommissions brokers before a decrease).
func deployKubernetes(ctx *pulumi.Context, s Spec, password pulumi.StringInput, waitFor []pulumi.Resource, opts ...pulumi.ResourceOption) (*cluster.RedpandaCluster, error) {
	np, err := nodepool.NewNodePool(ctx, "brokers", ptr(nodePoolArgs(s)), opts...)
	if err != nil {
		return nil, err
	}
	args := clusterArgs(s, password)
	args.Kubernetes.WaitFor = append(np.WaitFor(), waitFor...)
	return cluster.NewRedpandaCluster(ctx, clusterInstance, &args, opts...)
}

func ptr[T any](v T) *T { return &v }
