package provider

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ClusterHealth waits until a cluster can take traffic, not merely until its containers or
// pods started. It decides from what the Kafka listener shows, which every stack reaches: all
// expected brokers registered, an active controller, and no leaderless or under-replicated
// partition of the stack's topics. When an admin API URL answers it also asks Redpanda's
// /v1/cluster/health_overview; prod keeps the admin API internal, so that part is optional.
// It refuses to lower the cores per broker, which Redpanda cannot do to an existing broker.
type ClusterHealth struct{}

// ClusterHealthArgs say where the admin API is and what healthy means.
type ClusterHealthArgs struct {
	AdminURLs          []string `pulumi:"adminUrls,optional"`
	ExpectedBrokers    int      `pulumi:"expectedBrokers"`
	Topics             []string `pulumi:"topics,optional"`
	CPUCores           *int     `pulumi:"cpuCores,optional"`
	TimeoutSeconds     *int     `pulumi:"timeoutSeconds,optional"`
	InsecureSkipVerify *bool    `pulumi:"insecureSkipVerify,optional"`
}

// ClusterHealthState is the last healthy report.
type ClusterHealthState struct {
	ClusterHealthArgs
	Brokers      []int  `pulumi:"brokers"`
	ControllerID int    `pulumi:"controllerId"`
	CheckedAt    string `pulumi:"checkedAt"`
}

// Annotate documents the resource.
func (c *ClusterHealth) Annotate(a infer.Annotator) {
	a.Describe(c, "Waits until the Redpanda admin API reports every expected broker up and the cluster healthy; "+
		"refuses to lower cpuCores of existing brokers.")
}

// Annotate documents the inputs.
func (c *ClusterHealthArgs) Annotate(a infer.Annotator) {
	a.Describe(&c.AdminURLs, "Admin API base URLs, e.g. http://localhost:19644; asked when one answers, skipped when none is reachable "+
		"(an internal admin API). TLS and basic auth come from the provider's tls and sasl settings.")
	a.Describe(&c.Topics, "Topics whose partitions must all have a leader and a full ISR; topics that do not exist yet are skipped.")
	a.Describe(&c.ExpectedBrokers, "Brokers the cluster must report, all up.")
	a.Describe(&c.CPUCores, "Cores (--smp) per broker. A decrease is refused: Redpanda cannot shrink an existing broker's shard count.")
	a.Describe(&c.TimeoutSeconds, "How long to wait for health.")
	a.SetDefault(&c.TimeoutSeconds, 300)
	a.Describe(&c.InsecureSkipVerify, "Skip TLS verification of the admin API: an explicit override the policy pack flags; "+
		"give the provider the cluster's CA (tls.caCertPem) instead.")
}

// errAdminRefused marks a 401 or 403 of the admin API: wrong or missing credentials.
var errAdminRefused = errors.New("the admin API refused the credentials")

// healthOverview is the part of /v1/cluster/health_overview the check needs.
type healthOverview struct {
	IsHealthy                 bool     `json:"is_healthy"`
	UnhealthyReasons          []string `json:"unhealthy_reasons"`
	ControllerID              int      `json:"controller_id"`
	AllNodes                  []int    `json:"all_nodes"`
	NodesDown                 []int    `json:"nodes_down"`
	LeaderlessCount           *int     `json:"leaderless_count"`
	UnderReplicatedCount      *int     `json:"under_replicated_count"`
	NodesInRecoveryMode       []int    `json:"nodes_in_recovery_mode"`
	LeaderlessPartitions      []any    `json:"leaderless_partitions"`
	UnderReplicatedPartitions []any    `json:"under_replicated_partitions"`
}

// problems lists why the overview is not the healthy cluster of n brokers.
func (h healthOverview) problems(n int) []string {
	var out []string
	if len(h.AllNodes) < n {
		out = append(out, fmt.Sprintf("%d of %d brokers joined (nodes %v)", len(h.AllNodes), n, h.AllNodes))
	}
	if len(h.NodesDown) > 0 {
		out = append(out, fmt.Sprintf("brokers down: %v", h.NodesDown))
	}
	if len(h.NodesInRecoveryMode) > 0 {
		out = append(out, fmt.Sprintf("brokers in recovery mode: %v", h.NodesInRecoveryMode))
	}
	if !h.IsHealthy {
		reasons := strings.Join(h.UnhealthyReasons, ", ")
		if reasons == "" {
			reasons = "no reason given"
		}
		out = append(out, "cluster unhealthy: "+reasons)
	}
	return out
}

// Check validates the URLs and counts before anything is polled.
func (ClusterHealth) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[ClusterHealthArgs], error) {
	args, failures, err := infer.DefaultCheck[ClusterHealthArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[ClusterHealthArgs]{Inputs: args, Failures: failures}, err
	}
	for _, u := range args.AdminURLs {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			failures = append(failures, p.CheckFailure{Property: "adminUrls", Reason: fmt.Sprintf("%q is not an http(s) URL such as http://localhost:19644", u)})
		}
	}
	if args.ExpectedBrokers < 1 {
		failures = append(failures, p.CheckFailure{Property: "expectedBrokers", Reason: fmt.Sprintf("expectedBrokers is %d: use 1 or more", args.ExpectedBrokers)})
	}
	if args.CPUCores != nil && *args.CPUCores < 1 {
		failures = append(failures, p.CheckFailure{Property: "cpuCores", Reason: fmt.Sprintf("cpuCores is %d: use 1 or more", *args.CPUCores)})
	}
	return infer.CheckResponse[ClusterHealthArgs]{Inputs: args, Failures: failures}, nil
}

// Diff refuses fewer cores per broker; any other change checks health again.
func (ClusterHealth) Diff(_ context.Context, req infer.DiffRequest[ClusterHealthArgs, ClusterHealthState]) (infer.DiffResponse, error) {
	old, now := req.State.CPUCores, req.Inputs.CPUCores
	if old != nil && now != nil && *now < *old {
		return infer.DiffResponse{}, fmt.Errorf("cpuCores would drop from %d to %d: Redpanda cannot lower the shard count (--smp) of a broker that "+
			"already has data, it would fail to start. Keep cpuCores at %d, or build a new cluster with fewer cores and move the topics to it",
			*old, *now, *old)
	}
	d := map[string]p.PropertyDiff{}
	if fmt.Sprint(req.State.AdminURLs) != fmt.Sprint(req.Inputs.AdminURLs) {
		d["adminUrls"] = p.PropertyDiff{Kind: p.Update}
	}
	if req.State.ExpectedBrokers != req.Inputs.ExpectedBrokers {
		d["expectedBrokers"] = p.PropertyDiff{Kind: p.Update}
	}
	if fmt.Sprint(deref(old, 0)) != fmt.Sprint(deref(now, 0)) {
		d["cpuCores"] = p.PropertyDiff{Kind: p.Update}
	}
	return infer.DiffResponse{HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

// Create waits for health.
func (ClusterHealth) Create(ctx context.Context, req infer.CreateRequest[ClusterHealthArgs]) (infer.CreateResponse[ClusterHealthState], error) {
	st, err := waitHealthy(ctx, req.Inputs, req.DryRun)
	return infer.CreateResponse[ClusterHealthState]{ID: "cluster-health", Output: st}, err
}

// Update waits for health again, e.g. after a broker count or core change rolled the brokers.
func (ClusterHealth) Update(ctx context.Context, req infer.UpdateRequest[ClusterHealthArgs, ClusterHealthState]) (infer.UpdateResponse[ClusterHealthState], error) {
	st, err := waitHealthy(ctx, req.Inputs, req.DryRun)
	return infer.UpdateResponse[ClusterHealthState]{Output: st}, err
}

func waitHealthy(ctx context.Context, a ClusterHealthArgs, dryRun bool) (ClusterHealthState, error) {
	st := ClusterHealthState{ClusterHealthArgs: a}
	if dryRun {
		return st, nil
	}
	adm, cfg, err := adminFrom(ctx)
	if err != nil {
		return st, err
	}
	client, err := cfg.httpClient(5 * time.Second)
	if err != nil {
		return st, err
	}
	if a.InsecureSkipVerify != nil && *a.InsecureSkipVerify {
		client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit, policy-flagged override
	}
	timeout := time.Duration(deref(a.TimeoutSeconds, 300)) * time.Second
	log := p.GetLogger(ctx)
	var last []string
	var refused error
	err = waitFor(ctx, timeout, fmt.Sprintf("%d healthy brokers", a.ExpectedBrokers), func(ctx context.Context) (bool, error) {
		k, err := kafkaHealth(ctx, adm, a.ExpectedBrokers, a.Topics)
		if err != nil {
			if isAuthOrTLS(err) {
				// The cluster is there and refuses us: waiting will not change that.
				refused = cfg.refused(fmt.Sprintf("checking cluster health at %v", cfg.BootstrapServers), err)
				return false, refused
			}
			last = []string{err.Error()}
			return false, nil
		}
		last = k.problems
		if len(a.AdminURLs) > 0 {
			h, err := fetchHealth(ctx, client, cfg, a.AdminURLs)
			switch {
			case err == nil:
				last = append(last, h.problems(a.ExpectedBrokers)...)
			case isAuthOrTLS(err) || errors.Is(err, errAdminRefused):
				refused = cfg.refused("asking the admin API for cluster health", err)
				return false, refused
			case !unreachable(err):
				last = append(last, err.Error())
			default:
				log.Debugf("admin API not reachable (%v); health decided from the Kafka listener", err)
			}
		}
		if len(last) > 0 {
			log.InfoStatusf("waiting for the cluster: %s", strings.Join(last, "; "))
			return false, nil
		}
		st.Brokers, st.ControllerID = k.brokers, k.controller
		for _, w := range k.warnings {
			log.Warningf("rack awareness: %s", w)
		}
		return true, nil
	})
	if refused != nil {
		return st, refused
	}
	if err != nil {
		return st, fmt.Errorf("the cluster did not become healthy: %s (%w)", strings.Join(last, "; "), err)
	}
	st.CheckedAt = time.Now().UTC().Format(time.RFC3339)
	return st, nil
}

// kafkaView is the cluster as the Kafka listener shows it.
type kafkaView struct {
	brokers    []int
	controller int
	problems   []string
	// warnings do not hold the check up (rackWarnings).
	warnings []string
}

// kafkaHealth reads the metadata: registered brokers, the active controller, and the leader
// and ISR of every partition of topics (those that exist).
func kafkaHealth(ctx context.Context, adm *kadm.Client, expected int, topics []string) (kafkaView, error) {
	md, err := adm.Metadata(ctx, topics...)
	if err != nil {
		return kafkaView{}, err
	}
	v := kafkaView{controller: int(md.Controller), warnings: rackWarnings(md, topics)}
	for _, b := range md.Brokers {
		v.brokers = append(v.brokers, int(b.NodeID))
	}
	sort.Ints(v.brokers)
	if len(v.brokers) < expected {
		v.problems = append(v.problems, fmt.Sprintf("%d of %d brokers registered (nodes %v)", len(v.brokers), expected, v.brokers))
	}
	if md.Controller < 0 {
		v.problems = append(v.problems, "no active controller")
	}
	for _, name := range topics {
		t, ok := md.Topics[name]
		if !ok || errors.Is(t.Err, kerr.UnknownTopicOrPartition) {
			continue // not created yet: the topics of a first deploy wait for this check
		}
		if t.Err != nil {
			if isAuthOrTLS(t.Err) || errors.Is(t.Err, kerr.TopicAuthorizationFailed) {
				return kafkaView{}, fmt.Errorf("describing topic %q: %w", name, t.Err)
			}
			v.problems = append(v.problems, fmt.Sprintf("topic %s: %v", name, t.Err))
			continue
		}
		var leaderless, under []int32
		for _, pd := range t.Partitions.Sorted() {
			if pd.Leader < 0 {
				leaderless = append(leaderless, pd.Partition)
			}
			if len(pd.ISR) < len(pd.Replicas) {
				under = append(under, pd.Partition)
			}
		}
		if len(leaderless) > 0 {
			v.problems = append(v.problems, fmt.Sprintf("topic %s: partitions without a leader %v", name, leaderless))
		}
		if len(under) > 0 {
			v.problems = append(v.problems, fmt.Sprintf("topic %s: under-replicated partitions %v", name, under))
		}
	}
	return v, nil
}

// fetchHealth asks each admin URL in turn; the first answer counts.
// An answer that is a refusal (401/403) is returned as such, never skipped.
func fetchHealth(ctx context.Context, c *http.Client, cfg Config, urls []string) (healthOverview, error) {
	var errs []error
	for _, base := range urls {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/v1/cluster/health_overview", nil)
		if err != nil {
			return healthOverview{}, err
		}
		resp, err := c.Do(req) // c presents the SASL user (Config.httpClient)
		if err != nil {
			if isAuthOrTLS(err) {
				return healthOverview{}, err
			}
			errs = append(errs, err)
			continue
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			resp.Body.Close()
			return healthOverview{}, fmt.Errorf("%s answered %s: %w", base, resp.Status, errAdminRefused)
		}
		var h healthOverview
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			errs = append(errs, fmt.Errorf("%s answered %s (%v)", base, resp.Status, err))
			continue
		}
		return h, nil
	}
	return healthOverview{}, fmt.Errorf("no admin API answered: %w", errors.Join(errs...))
}
