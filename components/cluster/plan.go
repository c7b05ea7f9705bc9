package cluster

import (
	"fmt"

	"github.com/marketbus/market-bus/fielderr"
)

// Plan is the cluster NewRedpandaCluster would create from args, rendered without creating
// anything: every broker and the addresses they will have. Resources that must exist before
// the brokers change (a BrokerSet the StatefulSet waits for) take their plain addresses from
// it, because the cluster's outputs depend on the brokers themselves.
func Plan(args Args) ([]BrokerConfig, Endpoints, error) {
	a := args.withDefaults()
	if errs := validate(a); len(errs) > 0 {
		return nil, Endpoints{}, fmt.Errorf("plan redpanda cluster: invalid args:\n%w", fielderr.Join(errs))
	}
	brokers, err := RenderCluster(a.Topology())
	if err != nil {
		return nil, Endpoints{}, fmt.Errorf("plan redpanda cluster: %w", err)
	}
	return brokers, ClusterEndpoints(brokers), nil
}

// RPCHosts are the brokers' internal RPC hosts in ordinal order: the names Redpanda reports as
// internal_rpc_address, by which a StatefulSet ordinal is matched with its node id.
func RPCHosts(brokers []BrokerConfig) []string {
	out := make([]string, 0, len(brokers))
	for _, b := range brokers {
		out = append(out, b.RPC.Advertise.Host)
	}
	return out
}
