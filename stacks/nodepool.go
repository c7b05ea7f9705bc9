package stacks

import "github.com/marketbus/market-bus/components/nodepool"

// KeyNodePool configures the Kubernetes nodes the brokers run on.
const KeyNodePool = "nodePool"

// NodePoolSpec is the broker node pool (4 GiB memory, 50 GiB SSD, 10 Gbps class): the
// node pool component's own config, decoded from market-bus:nodePool into a zero value and
// then defaulted by the component (WithDefaults), so a stack's labels or taints replace the
// defaults instead of merging into them.
type NodePoolSpec = nodepool.Config

// nodePoolArgs wires the spec into the node pool component: one node per broker.
func nodePoolArgs(s Spec) nodepool.Args {
	return nodepool.Args{Config: s.NodePool, Nodes: s.Cluster.Brokers}
}

// validateNodePool runs the component's checks of market-bus:nodePool; the node count comes
// from cluster.brokers, which validate checks.
func (s Spec) validateNodePool() []error {
	if s.Cluster.Mode != ModeKubernetes {
		return nil
	}
	return underKey(KeyNodePool, nodepool.Validate(s.NodePool))
}
