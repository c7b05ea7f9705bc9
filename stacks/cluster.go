package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/fielderr"
)

// clusterInstance is the name the stack gives its cluster component: the prefix of its
// resources' names, and what monitoring selects the brokers' Services by.
const clusterInstance = "redpanda"

// clusterArgs wires the stack's cluster config to the component: the config passes as it
// was decoded; the program adds the password input and the facts only it knows.
func clusterArgs(s Spec, password pulumi.StringInput) cluster.Args {
	args := cluster.Args{
		Config:            s.Cluster.Config,
		SuperuserPassword: password,
		// Production floors (3 brokers, TLS unless allowPlaintext, 50 GiB) follow the declared
		// environment, so a production stack of any name gets them, in any mode.
		Production: s.IsProduction(),
	}
	if s.Cluster.Mode == ModeKubernetes {
		kubernetesArgs(s, &args)
	}
	return args
}

// validateClusterKeys checks market-bus:cluster and the secret saslPassword; every refusal
// names its key.
func (s Spec) validateClusterKeys(hasPassword bool) []error {
	c := s.Cluster
	var errs []error
	add := func(key string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(Key(key), value, problem, fix))
	}
	switch c.Mode {
	case ModeDocker, ModeKubernetes, ModeExternal:
	default:
		add("cluster.mode", fmt.Sprintf("%q", c.Mode), "not a cluster mode", "use docker, kubernetes or external")
	}
	if c.KubernetesOnly && c.Mode != ModeKubernetes {
		add("cluster.kubernetesOnly", true, fmt.Sprintf("cluster.mode is %q: only a kubernetes cluster has a Kubernetes layer to stop after", c.Mode),
			"remove the key")
	}
	if c.Mode == ModeExternal {
		if c.Brokers < 1 {
			add("cluster.brokers", c.Brokers, "a cluster needs at least 1 broker", "set it to the cluster's broker count, 3 for replication factor 3")
		}
		if len(c.BootstrapServers) == 0 {
			add("cluster.bootstrapServers", "[]", "cluster.mode is external, so the provider needs the cluster's Kafka addresses",
				"list them, e.g. [127.0.0.1:19092]")
		}
	}
	for i, b := range c.BootstrapServers {
		if err := checkHostPort(b); err != nil {
			add(fmt.Sprintf("cluster.bootstrapServers[%d]", i), fmt.Sprintf("%q", b), err.Error(), "write it as host:port, e.g. 127.0.0.1:19092")
		}
	}
	if c.SASL != nil {
		switch strings.ToUpper(c.SASL.Mechanism) {
		case "SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN":
		default:
			add("cluster.sasl.mechanism", fmt.Sprintf("%q", c.SASL.Mechanism), "not supported", "use SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN")
		}
		if c.SASL.Username == "" {
			add("cluster.sasl.username", `""`, "the provider logs in as this user", "set the SASL user name (its password goes in the secret "+Key(KeySASLPassword)+")")
		}
		if !hasPassword {
			add(KeySASLPassword, "<unset>", "cluster.sasl names a user, but the user has no password",
				fmt.Sprintf("set it as a secret: busctl config set --secret %s <password> -s %s", KeySASLPassword, s.Stack))
		}
	}
	// A created cluster gets this check from the component (Production); an external one
	// is only reached through the provider's client settings, so it is checked here.
	if s.IsProduction() && c.Mode == ModeExternal && !c.TLSOn() && !c.AllowPlaintext {
		add("cluster.tls", false, "the stack's environment is production: the provider would send records and the SASL password in plaintext",
			"set cluster.tls: true, or cluster.allowPlaintext: true to accept plaintext explicitly")
	}
	if len(s.Schemas) > 0 && c.Mode == ModeExternal && c.SchemaRegistryURL == "" {
		add("cluster.schemaRegistryUrl", `""`, "cluster.mode is external and "+Key(KeySchemas)+" lists subjects",
			"set the registry's URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7")
	}
	if u := c.SchemaRegistryURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		add("cluster.schemaRegistryUrl", fmt.Sprintf("%q", u), "not an http(s) URL", "write it as http://host:port[/path]")
	}
	if c.Creates() {
		// The component's own checks, at their keys: its config is this key's subtree.
		errs = append(errs, underKey(KeyCluster, cluster.ValidateConfig(c.Config, s.IsProduction()))...)
		errs = append(errs, s.checkMonitoringPorts()...)
	}
	return append(errs, s.validateKubernetes()...)
}

// checkMonitoringPorts refuses a monitoring port a broker publishes on the same host; the
// component lists what its brokers publish, the stack names its own key.
func (s Spec) checkMonitoringPorts() []error {
	if s.Cluster.Mode != ModeDocker || !s.Monitoring.IsEnabled() {
		return nil
	}
	taken := cluster.PublishedHostPorts(cluster.Args{Config: s.Cluster.Config})
	var errs []error
	for _, p := range []struct {
		key  string
		port int
	}{{"monitoring.prometheusPort", s.Monitoring.PrometheusPort}, {"monitoring.grafanaPort", s.Monitoring.GrafanaPort}} {
		if use, ok := taken[p.port]; ok {
			errs = append(errs, fielderr.New(Key(p.key), p.port, fmt.Sprintf("%s publishes that host port", use),
				"pick a port the brokers leave free, e.g. 9090 for Prometheus or 3000 for Grafana"))
		}
	}
	return errs
}

// deployCluster creates the stack's own Redpanda cluster and returns its Kafka addresses as
// the host sees them, which is where our provider connects from.
func deployCluster(ctx *pulumi.Context, s Spec, login saslLogin) (endpoints, error) {
	var rp *cluster.RedpandaCluster
	var err error
	var password pulumi.StringInput
	if s.Cluster.SASL != nil {
		password = login.password
	}
	if s.Cluster.Mode == ModeKubernetes {
		// kubernetesOnly reaches no broker: no BrokerSet, whose provider would call the admin API.
		var waitFor []pulumi.Resource
		if !s.Cluster.KubernetesOnly {
			var werr error
			if waitFor, werr = deployBrokerSet(ctx, s, login); werr != nil {
				return endpoints{}, werr
			}
		}
		rp, err = deployKubernetes(ctx, s, password, waitFor)
	} else {
		rp, err = cluster.NewRedpandaCluster(ctx, clusterInstance, ptr(clusterArgs(s, password)))
	}
	if err != nil {
		return endpoints{}, err
	}
	ctx.Export("rpkProfile", rp.RpkProfile)
	ctx.Export("schemaRegistryUrls", rp.SchemaRegistryExternalURLs)
	ctx.Export("adminUrls", rp.AdminExternalURLs)
	ctx.Export("metricsTargets", rp.MetricsTargets)
	ctx.Export("internalBootstrapServers", rp.InternalBootstrapServers)
	return endpoints{bootstrap: rp.ExternalBootstrapServers, registry: registryURL(rp), cluster: rp}, nil
}

// registryURL is the first published registry URL or, when the registry is internal (prod's
// default), the in-cluster one: then `up` must run where the cluster's names resolve (a runner
// inside the cluster network), and preview says so when they do not.
func registryURL(rp *cluster.RedpandaCluster) pulumi.StringOutput {
	return pulumi.All(rp.SchemaRegistryExternalURLs, rp.SchemaRegistryInternalURLs).ApplyT(func(v []any) string {
		for _, urls := range v {
			if l := urls.([]string); len(l) > 0 {
				return l[0]
			}
		}
		return ""
	}).(pulumi.StringOutput)
}
