package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/components/nodepool"
	"github.com/marketbus/market-bus/fielderr"
)

// kubernetesArgs fills the Kubernetes part of the cluster's arguments.
func kubernetesArgs(s Spec, a *cluster.Args) {
	a.Kubernetes = cluster.KubernetesArgs{HealthGatedRollout: healthGatedRollout(s)}
	a.Kubernetes.NodeSelector = s.NodePool.NodeSelector()
	for _, t := range s.NodePool.Tolerations() {
		a.Kubernetes.Tolerations = append(a.Kubernetes.Tolerations, cluster.Toleration(t))
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
	return append(errs, s.validateNodePool()...)
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
