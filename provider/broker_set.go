package provider

import (
	"context"
	"fmt"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// BrokerSet is the broker count of a Redpanda cluster whose brokers must leave it cleanly.
// Lowering brokers decommissions the highest ordinals through the admin API and outputs the
// lower replicas only once Redpanda reports them decommissioned, so a StatefulSet that takes
// its replicas from this output never stops a broker that still holds replicas. A count
// below the largest replication factor of any topic is refused at preview. Raising it outputs
// the new count at once; ClusterHealth (expectedBrokers) waits for the new brokers to join.
type BrokerSet struct{}

// BrokerSetArgs are the inputs of a BrokerSet.
type BrokerSetArgs struct {
	Brokers int `pulumi:"brokers"`
	// RPCHosts is each ordinal's internal RPC host, in ordinal order: how a StatefulSet pod is
	// matched with the node id Redpanda gave it.
	RPCHosts []string `pulumi:"rpcHosts"`
	// MaxReplicationFactor is the largest replication factor the stack declares.
	MaxReplicationFactor *int     `pulumi:"maxReplicationFactor,optional"`
	AdminURLs            []string `pulumi:"adminUrls"`
	AdminPath            *string  `pulumi:"adminPath,optional"`
	TimeoutSeconds       *int     `pulumi:"timeoutSeconds,optional"`
}

// BrokerSetState records the replicas the StatefulSet may run and who was decommissioned.
type BrokerSetState struct {
	BrokerSetArgs
	Replicas       int   `pulumi:"replicas"`
	Decommissioned []int `pulumi:"decommissioned"`
}

// Annotate documents the resource.
func (b *BrokerSet) Annotate(a infer.Annotator) {
	a.Describe(b, "The broker count of a Redpanda cluster: a decrease decommissions the highest ordinals through the admin API "+
		"(PUT /v1/brokers/{id}/decommission) and outputs the lower replicas only when they are done; a decrease below the "+
		"largest topic replication factor is refused at preview.")
}

// Annotate documents the inputs.
func (b *BrokerSetArgs) Annotate(a infer.Annotator) {
	a.Describe(&b.Brokers, "How many brokers the cluster should have.")
	a.Describe(&b.RPCHosts, "Each ordinal's internal RPC host (e.g. redpanda-2.redpanda.ns.svc.cluster.local), in ordinal order.")
	a.Describe(&b.MaxReplicationFactor, "The largest replication factor the stack declares; the cluster's own topics are checked too.")
	a.Describe(&b.AdminURLs, "Admin API base URLs; TLS and basic auth come from the provider's tls and sasl settings.")
	a.Describe(&b.AdminPath, "How adminUrls reach the admin API; named in errors.")
	a.Describe(&b.TimeoutSeconds, "How long one broker may take to decommission.")
	a.SetDefault(&b.TimeoutSeconds, 3600)
}

// Annotate documents the outputs.
func (b *BrokerSetState) Annotate(a infer.Annotator) {
	a.Describe(&b.Replicas, "The replicas the StatefulSet may run: lowered only after the removed brokers are decommissioned.")
	a.Describe(&b.Decommissioned, "Node ids decommissioned by the last decrease.")
}

// Check refuses a count below one or below the declared largest replication factor.
func (BrokerSet) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[BrokerSetArgs], error) {
	args, failures, err := infer.DefaultCheck[BrokerSetArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[BrokerSetArgs]{Inputs: args, Failures: failures}, err
	}
	if args.Brokers < 1 {
		failures = append(failures, p.CheckFailure{Property: "brokers", Reason: fmt.Sprintf("brokers = %d: a cluster needs at least one broker", args.Brokers)})
	}
	if rf := deref(args.MaxReplicationFactor, 0); args.Brokers < rf {
		failures = append(failures, p.CheckFailure{Property: "brokers", Reason: fmt.Sprintf(
			"brokers = %d is below the largest topic replication factor %d: partitions could not keep their replicas; "+
				"lower those topics' replicationFactor (onReplicationDecrease: allow) first, then the brokers", args.Brokers, rf)})
	}
	if len(args.RPCHosts) < args.Brokers {
		failures = append(failures, p.CheckFailure{Property: "rpcHosts", Reason: fmt.Sprintf("%d rpcHosts for %d brokers: give one per ordinal", len(args.RPCHosts), args.Brokers)})
	}
	return infer.CheckResponse[BrokerSetArgs]{Inputs: args, Failures: failures}, nil
}

// Create records the count: a new cluster has nothing to decommission.
func (BrokerSet) Create(_ context.Context, req infer.CreateRequest[BrokerSetArgs]) (infer.CreateResponse[BrokerSetState], error) {
	return infer.CreateResponse[BrokerSetState]{ID: "brokers", Output: BrokerSetState{BrokerSetArgs: req.Inputs, Replicas: req.Inputs.Brokers, Decommissioned: []int{}}}, nil
}

// Update decommissions the brokers a decrease removes, highest ordinal first.
func (BrokerSet) Update(ctx context.Context, req infer.UpdateRequest[BrokerSetArgs, BrokerSetState]) (infer.UpdateResponse[BrokerSetState], error) {
	in, old := req.Inputs, req.State
	out := BrokerSetState{BrokerSetArgs: in, Replicas: in.Brokers, Decommissioned: []int{}}
	if in.Brokers >= old.Replicas {
		return infer.UpdateResponse[BrokerSetState]{Output: out}, nil
	}
	if err := refuseBelowTopicRF(ctx, in.Brokers, req.DryRun); err != nil {
		return infer.UpdateResponse[BrokerSetState]{}, err
	}
	c, err := newAdminClient(infer.GetConfig[Config](ctx), in.AdminURLs, deref(in.AdminPath, "adminUrls as given"))
	if err != nil {
		return infer.UpdateResponse[BrokerSetState]{}, err
	}
	ids, err := brokersToRemove(ctx, c, old.RPCHosts, in.Brokers, old.Replicas)
	if err != nil {
		return infer.UpdateResponse[BrokerSetState]{}, err
	}
	log := p.GetLogger(ctx)
	if req.DryRun {
		log.Infof("lowering brokers %d → %d decommissions node ids %v first", old.Replicas, in.Brokers, ids)
		return infer.UpdateResponse[BrokerSetState]{Output: out}, nil
	}
	timeout := time.Duration(deref(in.TimeoutSeconds, 3600)) * time.Second
	for _, id := range ids {
		if err := decommissionBroker(ctx, c, id, timeout, func(s string) { log.InfoStatus(s) }); err != nil {
			return infer.UpdateResponse[BrokerSetState]{}, err
		}
		out.Decommissioned = append(out.Decommissioned, id)
	}
	return infer.UpdateResponse[BrokerSetState]{Output: out}, nil
}

// brokersToRemove maps the ordinals [to, from) onto node ids, highest ordinal first.
func brokersToRemove(ctx context.Context, c *adminClient, hosts []string, to, from int) ([]int, error) {
	list, err := c.brokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the brokers through %s: %w", c.where(), err)
	}
	var ids []int
	for i := from - 1; i >= to; i-- {
		if i >= len(hosts) {
			return nil, fmt.Errorf("no rpc host recorded for ordinal %d", i)
		}
		b, ok := brokerForHost(list, hosts[i])
		if !ok {
			// Already gone (an earlier run decommissioned it, then failed before recording).
			continue
		}
		ids = append(ids, b.NodeID)
	}
	return ids, nil
}

// refuseBelowTopicRF asks the cluster for the largest replication factor of any topic: one
// created outside the stack counts as much as a declared one. A Kafka API that cannot be
// reached (a first preview) skips the check with a warning.
func refuseBelowTopicRF(ctx context.Context, brokers int, dryRun bool) error {
	adm, cfg, err := reachableAdmin(ctx, true)
	if err != nil || adm == nil {
		return err
	}
	opCtx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	tds, err := adm.ListTopics(uncached(opCtx))
	if err != nil && unreachable(err) && !dryRun {
		// Redpanda refuses to finish a decommission whose replicas have nowhere to go
		// (allocation_failures), and the wait stops before the StatefulSet shrinks.
		p.GetLogger(ctx).Warningf("the Kafka API is not reachable (%v): the topics' replication factors were not checked", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the topics' replication factors: %w", err)
	}
	for _, name := range tds.Names() {
		if rf := tds[name].Partitions.NumReplicas(); rf > brokers {
			return fmt.Errorf("brokers = %d is below the replication factor %d of topic %q: its partitions could not keep their replicas; "+
				"lower that topic's replicationFactor first, then the brokers", brokers, rf, name)
		}
	}
	return nil
}
