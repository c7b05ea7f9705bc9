package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// maintenanceStatus is the maintenance_status of GET /v1/brokers/{id} (Redpanda's drain
// manager: draining once PUT .../maintenance arrived, finished once leadership has moved).
type maintenanceStatus struct {
	Draining     bool `json:"draining"`
	Finished     bool `json:"finished"`
	Errors       bool `json:"errors"`
	Partitions   int  `json:"partitions"`
	Eligible     int  `json:"eligible"`
	Transferring int  `json:"transferring"`
	Failed       int  `json:"failed"`
}

// adminBrokerDetail is GET /v1/brokers/{id}.
type adminBrokerDetail struct {
	adminBroker
	Maintenance *maintenanceStatus `json:"maintenance_status"`
}

// describe is the overview in one line, for progress and errors.
func (h healthOverview) describe() string {
	parts := []string{fmt.Sprintf("is_healthy=%t", h.IsHealthy)}
	if len(h.UnhealthyReasons) > 0 {
		parts = append(parts, "reasons="+strings.Join(h.UnhealthyReasons, ","))
	}
	if len(h.NodesDown) > 0 {
		parts = append(parts, fmt.Sprintf("nodes_down=%v", h.NodesDown))
	}
	if n := h.leaderless(); n > 0 {
		parts = append(parts, fmt.Sprintf("leaderless=%d", n))
	}
	if h.UnderReplicatedCount != nil {
		parts = append(parts, fmt.Sprintf("under_replicated=%d", *h.UnderReplicatedCount))
	}
	return strings.Join(parts, " ")
}

// settled is healthy with no partition under-replicated: the gate before the next broker.
// Versions without under_replicated_count are judged by is_healthy and the partition list.
func (h healthOverview) settled() bool {
	urp := len(h.UnderReplicatedPartitions)
	if h.UnderReplicatedCount != nil {
		urp = max(urp, *h.UnderReplicatedCount)
	}
	return h.IsHealthy && len(h.NodesDown) == 0 && h.leaderless() == 0 && urp == 0
}

func (h healthOverview) leaderless() int {
	if h.LeaderlessCount != nil {
		return max(len(h.LeaderlessPartitions), *h.LeaderlessCount)
	}
	return len(h.LeaderlessPartitions)
}

func (c *adminClient) broker(ctx context.Context, id int) (adminBrokerDetail, error) {
	var out adminBrokerDetail
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/brokers/%d", id), nil, &out)
	return out, err
}

func (c *adminClient) setMaintenance(ctx context.Context, id int, on bool) error {
	method := http.MethodDelete
	if on {
		method = http.MethodPut
	}
	return c.do(ctx, method, fmt.Sprintf("/v1/brokers/%d/maintenance", id), nil, nil)
}

func (c *adminClient) healthOverview(ctx context.Context) (healthOverview, error) {
	var out healthOverview
	err := c.do(ctx, http.MethodGet, "/v1/cluster/health_overview", nil, &out)
	return out, err
}
