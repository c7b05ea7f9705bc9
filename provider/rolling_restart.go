package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// RollingRestart restarts the brokers of a StatefulSet with updateStrategy OnDelete one at a
// time, each only when the cluster is healthy again: Kubernetes' own RollingUpdate moves on
// when a pod is Ready, which says nothing about Redpanda's partitions catching up.
//
// Path: the admin API through adminUrls (as BrokerSet), the pods through the Kubernetes API
// with the kubeconfig the stack deploys with, from where `pulumi up` runs.
type RollingRestart struct{}

// RollingRestartArgs are the inputs of a RollingRestart.
type RollingRestartArgs struct {
	Namespace   string `pulumi:"namespace"`
	StatefulSet string `pulumi:"statefulSet"`
	// RPCHosts is each ordinal's internal RPC host, in ordinal order (as BrokerSet's).
	RPCHosts []string `pulumi:"rpcHosts"`
	// TemplateHash changes whenever the pod template does: the trigger of a rollout.
	TemplateHash string `pulumi:"templateHash"`
	// RestartBrokers are node ids ClusterConfig reported as needing a restart.
	RestartBrokers []int    `pulumi:"restartBrokers,optional"`
	AdminURLs      []string `pulumi:"adminUrls"`
	AdminPath      *string  `pulumi:"adminPath,optional"`
	Kubeconfig     *string  `pulumi:"kubeconfig,optional" provider:"secret"`
	KubeContext    *string  `pulumi:"kubeContext,optional"`
	TimeoutSeconds *int     `pulumi:"timeoutSeconds,optional"`
}

// RollingRestartState records what the last rollout restarted.
type RollingRestartState struct {
	RollingRestartArgs
	Restarted []int  `pulumi:"restarted"`
	Revision  string `pulumi:"revision"`
}

// Annotate documents the resource.
func (r *RollingRestart) Annotate(a infer.Annotator) {
	a.Describe(r, "Health-gated rolling restart of a Redpanda StatefulSet with updateStrategy OnDelete: when the pod template "+
		"changes or ClusterConfig reports brokers needing a restart, each broker in turn is put in maintenance mode, its pod "+
		"deleted, and the next one started only once it is back, out of maintenance, and the cluster is healthy with no "+
		"under-replicated partition.")
}

// Annotate documents the inputs.
func (r *RollingRestartArgs) Annotate(a infer.Annotator) {
	a.Describe(&r.Namespace, "Namespace of the StatefulSet.")
	a.Describe(&r.StatefulSet, "Name of the StatefulSet; its pods are <name>-<ordinal>.")
	a.Describe(&r.RPCHosts, "Each ordinal's internal RPC host, in ordinal order: how a pod is matched with Redpanda's node id.")
	a.Describe(&r.TemplateHash, "A hash of the pod template: a change starts a rollout of the pods not at the StatefulSet's updateRevision.")
	a.Describe(&r.RestartBrokers, "Node ids that need a restart for a cluster property (ClusterConfig's restartBrokers).")
	a.Describe(&r.AdminURLs, "Admin API base URLs; TLS and basic auth come from the provider's tls and sasl settings.")
	a.Describe(&r.AdminPath, "How adminUrls reach the admin API; named in errors.")
	a.Describe(&r.Kubeconfig, "Kubeconfig contents; empty uses KUBECONFIG or ~/.kube/config, as kubectl does.")
	a.Describe(&r.KubeContext, "Kubeconfig context; empty uses the current one.")
	a.Describe(&r.TimeoutSeconds, "How long each step of one broker (drain, come back, settle) may take.")
	a.SetDefault(&r.TimeoutSeconds, 900)
}

// Annotate documents the outputs.
func (r *RollingRestartState) Annotate(a infer.Annotator) {
	a.Describe(&r.Restarted, "Node ids the last rollout restarted, in order.")
	a.Describe(&r.Revision, "The StatefulSet updateRevision the last rollout brought the pods to.")
}

// Check validates the inputs before anything runs.
func (RollingRestart) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[RollingRestartArgs], error) {
	args, failures, err := infer.DefaultCheck[RollingRestartArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[RollingRestartArgs]{Inputs: args, Failures: failures}, err
	}
	if len(args.RPCHosts) == 0 {
		failures = append(failures, p.CheckFailure{Property: "rpcHosts", Reason: "rpcHosts is empty: give each ordinal's internal RPC host"})
	}
	if len(args.AdminURLs) == 0 {
		failures = append(failures, p.CheckFailure{Property: "adminUrls", Reason: "adminUrls is empty: a health-gated restart needs the admin API"})
	}
	if t := deref(args.TimeoutSeconds, 900); t < 1 {
		failures = append(failures, p.CheckFailure{Property: "timeoutSeconds", Reason: fmt.Sprintf("timeoutSeconds = %d: give at least 1", t)})
	}
	return infer.CheckResponse[RollingRestartArgs]{Inputs: args, Failures: failures}, nil
}

// Create rolls the pods not at the StatefulSet's updateRevision: none on a new cluster, but
// a stack that gains its RollingRestart in the same update that switches the StatefulSet to
// OnDelete and changes its template would otherwise keep the old pods.
func (RollingRestart) Create(ctx context.Context, req infer.CreateRequest[RollingRestartArgs]) (infer.CreateResponse[RollingRestartState], error) {
	in := req.Inputs
	out := RollingRestartState{RollingRestartArgs: in, Restarted: []int{}}
	if req.DryRun {
		return infer.CreateResponse[RollingRestartState]{ID: in.StatefulSet, Output: out}, nil
	}
	var err error
	out.Restarted, out.Revision, err = rollStale(ctx, in, nil)
	if err != nil {
		return infer.CreateResponse[RollingRestartState]{}, err
	}
	return infer.CreateResponse[RollingRestartState]{ID: in.StatefulSet, Output: out}, nil
}

// Update rolls the brokers when the template changed or new brokers need a restart.
func (RollingRestart) Update(ctx context.Context, req infer.UpdateRequest[RollingRestartArgs, RollingRestartState]) (infer.UpdateResponse[RollingRestartState], error) {
	in, old := req.Inputs, req.State
	out := RollingRestartState{RollingRestartArgs: in, Restarted: []int{}, Revision: old.Revision}
	templateChanged := in.TemplateHash != old.TemplateHash
	forced := newRestarts(old.RestartBrokers, in.RestartBrokers)
	if !templateChanged && len(forced) == 0 {
		return infer.UpdateResponse[RollingRestartState]{Output: out}, nil
	}
	log := p.GetLogger(ctx)
	c, err := newAdminClient(infer.GetConfig[Config](ctx), in.AdminURLs, deref(in.AdminPath, "adminUrls as given"))
	if err != nil {
		return infer.UpdateResponse[RollingRestartState]{}, err
	}
	if req.DryRun {
		log.Info(previewRollout(ctx, c, in, templateChanged, forced))
		return infer.UpdateResponse[RollingRestartState]{Output: out}, nil
	}
	out.Restarted, out.Revision, err = rollStale(ctx, in, forced)
	if err != nil {
		return infer.UpdateResponse[RollingRestartState]{}, err
	}
	return infer.UpdateResponse[RollingRestartState]{Output: out}, nil
}

// rollStale connects to the admin API and the Kubernetes API and runs rollOut.
func rollStale(ctx context.Context, in RollingRestartArgs, forced []int) ([]int, string, error) {
	c, err := newAdminClient(infer.GetConfig[Config](ctx), in.AdminURLs, deref(in.AdminPath, "adminUrls as given"))
	if err != nil {
		return []int{}, "", err
	}
	kube, err := kubeClient(in)
	if err != nil {
		return []int{}, "", err
	}
	targets, err := rollTargets(ctx, c, in)
	if err != nil {
		return []int{}, "", err
	}
	log := p.GetLogger(ctx)
	r := &roller{admin: c, kube: kube, namespace: in.Namespace, statefulSet: in.StatefulSet,
		timeout: time.Duration(deref(in.TimeoutSeconds, 900)) * time.Second, progress: func(s string) { log.InfoStatus(s) }}
	return rollOut(ctx, r, targets, forced)
}

// rollOut restarts the targets whose pod is not at the StatefulSet's updateRevision, and
// those whose node id is in forced, highest ordinal first (as the StatefulSet controller) but
// the controller leader last.
func rollOut(ctx context.Context, r *roller, targets []rollTarget, forced []int) ([]int, string, error) {
	rev, err := r.updateRevision(ctx)
	if err != nil {
		return []int{}, "", err
	}
	stale, err := r.stale(ctx, targets, rev)
	if err != nil {
		return []int{}, rev, err
	}
	var todo []rollTarget
	for _, t := range targets {
		if slices.Contains(forced, t.NodeID) || slices.ContainsFunc(stale, func(s rollTarget) bool { return s.Ordinal == t.Ordinal }) {
			todo = append(todo, t)
		}
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].Ordinal > todo[j].Ordinal })
	done, err := r.roll(ctx, controllerLast(ctx, r.admin, todo), rev)
	return done, rev, err
}

// controllerLast moves the broker that leads the controller to the end, as operators do: the
// controller moves once, not with every restart. An overview that cannot be read keeps the order.
func controllerLast(ctx context.Context, c *adminClient, todo []rollTarget) []rollTarget {
	h, err := c.healthOverview(ctx)
	if err != nil {
		return todo
	}
	i := slices.IndexFunc(todo, func(t rollTarget) bool { return t.NodeID == h.ControllerID })
	if i < 0 {
		return todo
	}
	out := append(slices.Clone(todo[:i]), todo[i+1:]...)
	return append(out, todo[i])
}

// newRestarts are the node ids in now that were not already reported before: a flag that
// stayed set was handled by the rollout that followed it.
func newRestarts(before, now []int) []int {
	var out []int
	for _, id := range now {
		if !slices.Contains(before, id) {
			out = append(out, id)
		}
	}
	return out
}

// rollTargets maps every ordinal onto its pod and Redpanda's node id.
func rollTargets(ctx context.Context, c *adminClient, in RollingRestartArgs) ([]rollTarget, error) {
	list, err := c.brokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the brokers through %s: %w", c.where(), err)
	}
	out := make([]rollTarget, 0, len(in.RPCHosts))
	for i, host := range in.RPCHosts {
		b, ok := brokerForHost(list, host)
		if !ok {
			return nil, fmt.Errorf("no broker of %s has the internal RPC address %s (ordinal %d): it is not a member, so it cannot be restarted safely",
				c.where(), host, i)
		}
		out = append(out, rollTarget{Ordinal: i, Pod: fmt.Sprintf("%s-%d", in.StatefulSet, i), NodeID: b.NodeID})
	}
	return out, nil
}

// previewRollout says which brokers a rollout would restart; it reads the broker list when it
// can, and changes nothing.
func previewRollout(ctx context.Context, c *adminClient, in RollingRestartArgs, templateChanged bool, forced []int) string {
	why := fmt.Sprintf("ClusterConfig reports brokers %v need a restart", forced)
	scope := fmt.Sprintf("node ids %v", forced)
	if templateChanged {
		why = "the pod template changed"
		scope = fmt.Sprintf("every pod of %s/%s not at its new updateRevision (ordinals %d..0)", in.Namespace, in.StatefulSet, len(in.RPCHosts)-1)
		if targets, err := rollTargets(ctx, c, in); err == nil {
			ids := make([]int, 0, len(targets))
			for i := len(targets) - 1; i >= 0; i-- {
				ids = append(ids, targets[i].NodeID)
			}
			scope += fmt.Sprintf(", node ids %v in that order", ids)
		}
	}
	return fmt.Sprintf("%s: would restart %s one at a time (maintenance on, pod deleted, back Ready, maintenance off, cluster healthy) "+
		"through %s and the Kubernetes API", why, scope, c.where())
}

// kubeClient builds a clientset from the kubeconfig input, or kubectl's default loading
// rules (KUBECONFIG, ~/.kube/config) when it is empty.
func kubeClient(in RollingRestartArgs) (kubernetes.Interface, error) {
	overrides := &clientcmd.ConfigOverrides{CurrentContext: deref(in.KubeContext, "")}
	var cc clientcmd.ClientConfig
	if kc := deref(in.Kubeconfig, ""); kc != "" {
		raw, err := clientcmd.Load([]byte(kc))
		if err != nil {
			return nil, fmt.Errorf("kubeconfig: not a kubeconfig: %w", err)
		}
		cc = clientcmd.NewDefaultClientConfig(*raw, overrides)
	} else {
		cc = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), overrides)
	}
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading the kubeconfig (kubeconfig input, else KUBECONFIG or ~/.kube/config): %w", err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("building the Kubernetes client: %w", err)
	}
	return cs, nil
}
