package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// adminBroker is one entry of GET /v1/brokers (Redpanda's broker model).
type adminBroker struct {
	NodeID             int    `json:"node_id"`
	InternalRPCAddress string `json:"internal_rpc_address"`
	MembershipStatus   string `json:"membership_status"`
	IsAlive            *bool  `json:"is_alive"`
	Rack               string `json:"rack"`
}

// decommissionStatus is GET /v1/brokers/{id}/decommission (decommission_status).
type decommissionStatus struct {
	Finished           bool     `json:"finished"`
	ReplicasLeft       int      `json:"replicas_left"`
	AllocationFailures []string `json:"allocation_failures"`
}

func (c *adminClient) brokers(ctx context.Context) ([]adminBroker, error) {
	var out []adminBroker
	if err := c.do(ctx, http.MethodGet, "/v1/brokers", nil, &out); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out, nil
}

func (c *adminClient) decommission(ctx context.Context, id int) error {
	return c.do(ctx, http.MethodPut, fmt.Sprintf("/v1/brokers/%d/decommission", id), nil, nil)
}

func (c *adminClient) decommissionStatus(ctx context.Context, id int) (decommissionStatus, error) {
	var out decommissionStatus
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/brokers/%d/decommission", id), nil, &out)
	return out, err
}

// brokerForHost finds the broker whose internal RPC address is host, the pod DNS name of one
// StatefulSet ordinal: Redpanda assigns node ids itself, so the ordinal is matched by address.
func brokerForHost(list []adminBroker, host string) (adminBroker, bool) {
	for _, b := range list {
		if b.InternalRPCAddress == host || strings.HasPrefix(b.InternalRPCAddress, host+".") {
			return b, true
		}
	}
	return adminBroker{}, false
}

// isNotFound reports an admin API 404 (a broker that has left the cluster).
func adminNotFound(err error) bool {
	var ae *adminError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// decommissionBroker asks Redpanda to move every replica off broker id and waits until it
// reports the decommission finished, or the broker has left the member list (Redpanda removes
// a decommissioned broker once its replicas are gone, after which the status answers 404).
// A broker whose partitions cannot be placed elsewhere stops the wait with those partitions.
func decommissionBroker(ctx context.Context, c *adminClient, id int, timeout time.Duration, progress func(string)) error {
	if err := c.decommission(ctx, id); err != nil {
		return fmt.Errorf("decommissioning broker %d through %s: %w", id, c.where(), err)
	}
	var last string
	err := waitFor(ctx, timeout, fmt.Sprintf("broker %d to finish decommissioning", id), func(ctx context.Context) (bool, error) {
		st, err := c.decommissionStatus(ctx, id)
		if adminNotFound(err) {
			list, lerr := c.brokers(ctx)
			if lerr != nil {
				return false, nil
			}
			for _, b := range list {
				if b.NodeID == id {
					last = "the status answers 404 but the broker is still a member"
					return false, nil
				}
			}
			return true, nil
		}
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = fmt.Sprintf("%d replicas left", st.ReplicasLeft)
		if len(st.AllocationFailures) > 0 {
			last += fmt.Sprintf(", no room elsewhere for %v", st.AllocationFailures)
		}
		progress(fmt.Sprintf("broker %d: %s", id, last))
		return st.Finished, nil
	})
	if err != nil {
		return fmt.Errorf("broker %d did not finish decommissioning (last status: %s): %w; "+
			"the StatefulSet was not shrunk, so no broker holding data was stopped", id, last, err)
	}
	return nil
}
