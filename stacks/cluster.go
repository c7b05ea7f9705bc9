package stacks

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/components/cluster"
)

// componentKeys maps the cluster component's field names onto the stack config keys that
// set them, so a refusal from the component still names the key the user wrote.
var componentKeys = []struct{ field, key string }{
	{"Resources.RedpandaMemoryBytes", "cluster.memory"},
	{"Resources.MemoryLimitBytes", "cluster.memory"},
	{"Resources.DiskSizeBytes", "cluster.storageSize"},
	{"Resources.CPUCores", "cluster.cpuCores"},
	{"MaxTopicReplicationFactor", "topics[].replicationFactor"},
	{"Docker.HostPorts", "cluster.hostPorts"},
	{"Docker.ExternalHost", "cluster.externalHost"},
	{"Docker.Racks", "cluster.racks"},
	{"LogLevel", "cluster.logLevel"},
	{"Image", "cluster.image"},
	{"Brokers", "cluster.brokers"},
	{"Backend", "cluster.mode"},
	{"Kubernetes.TLS.IssuerName", "cluster.certIssuer"},
	{"Kubernetes.TLS.IssuerKind", "cluster.certIssuerKind"},
	{"Kubernetes.TLS.SecretName", "cluster.tlsSecret"},
	{"Kubernetes.TLS", "cluster.certIssuer/tlsSecret"},
	{"Kubernetes.NetworkPolicy", "cluster.networkPolicy"},
	{"Kubernetes.Namespace", "cluster.namespace"},
	{"Kubernetes.StorageClass", "cluster.storageClass"},
	{"Kubernetes.ExternalDomain", "cluster.externalDomain"},
	{"Kubernetes.ExternalServiceType", "cluster.externalServiceType"},
	{"Superuser.Password", "saslPassword (secret)"},
	{"Superuser.Mechanism", "cluster.sasl.mechanism"},
	{"Superuser.Name", "cluster.sasl.username"},
	{"AllowPlaintext", "cluster.allowPlaintext"},
	{"MinDiskBytes", "cluster.storageSize"},
	{"EKS.InstanceType", "nodePool.eks.instanceType"},
	{"EKS.DiskSizeGiB", "nodePool.eks.diskSizeGiB"},
	{"EKS.ClusterName", "nodePool.eks.clusterName"},
	{"EKS.SubnetIDs", "nodePool.eks.subnetIds"},
	{"EKS.NodeRoleARN", "nodePool.eks.nodeRoleArn"},
	{"Taints", "nodePool.taints"},
	{"Labels", "nodePool.labels"},
	{"Mode", "nodePool.mode"},
	{"TLS", "cluster.tls"},
	{"SASL", "cluster.sasl"},
}

// keyReplacer rewrites component field names in messages into config keys.
func keyReplacer() *strings.Replacer {
	pairs := make([]string, 0, 2*(len(componentKeys)+len(listenerKeys)))
	for _, k := range listenerKeys {
		if k.field[0] == '.' {
			pairs = append(pairs, k.field, k.key)
		} else {
			pairs = append(pairs, k.field, Project+":"+k.key)
		}
	}
	for _, k := range componentKeys {
		pairs = append(pairs, k.field, Project+":"+k.key)
	}
	return strings.NewReplacer(pairs...)
}

var quantityRE = regexp.MustCompile(`^([0-9]+)(Ki|Mi|Gi|Ti)?B?$`)

// parseQuantity reads a binary size such as 2Gi, 2048Mi or 50GiB into bytes.
func parseQuantity(s string) (int64, error) {
	m := quantityRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, errors.New("use a whole number with Ki, Mi, Gi or Ti, e.g. 2Gi")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, err
	}
	shift := map[string]uint{"": 0, "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40}[m[2]]
	return n << shift, nil
}

// clusterArgs turns the cluster spec into the component's arguments.
func clusterArgs(s Spec, password pulumi.StringInput) (cluster.Args, []error) {
	c := s.Cluster
	var errs []error
	mem, err := parseQuantity(c.Memory)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s:cluster.memory = %q cannot be read: %v", Project, c.Memory, err))
	}
	var disk int64
	if c.StorageSize != "" {
		if disk, err = parseQuantity(c.StorageSize); err != nil {
			errs = append(errs, fmt.Errorf("%s:cluster.storageSize = %q cannot be read: %v", Project, c.StorageSize, err))
		}
	}
	maxRF := 0
	for _, t := range s.Topics {
		maxRF = max(maxRF, t.ReplicationFactor)
	}
	args := cluster.Args{
		Backend:                   cluster.Backend(c.Mode),
		Brokers:                   c.Brokers,
		Image:                     c.Image,
		Resources:                 cluster.Resources{CPUCores: c.CPUCores, MemoryLimitBytes: mem, DiskSizeBytes: disk},
		LogLevel:                  c.LogLevel,
		DevContainerMode:          c.DevContainerMode,
		MaxTopicReplicationFactor: maxRF,
		ReservedHostPorts:         s.reservedHostPorts(),
		// Production floors (3 brokers, TLS unless allowPlaintext, 50 GiB) follow the declared
		// environment, so a production stack of any name gets them, in any mode.
		Production:     s.IsProduction(),
		AllowPlaintext: c.AllowPlaintext,
		Listeners:      c.Listeners.args(),
		Docker: cluster.DockerArgs{
			ExternalHost:           c.ExternalHost,
			DeleteVolumesOnDestroy: c.RetainVolumes != nil && !*c.RetainVolumes,
			Racks:                  c.Racks,
		},
	}
	if c.SASL != nil {
		args.SASL = true
		args.Superuser = cluster.SuperuserArgs{Name: c.SASL.Username, Mechanism: c.SASL.Mechanism, Password: password}
	}
	if c.Mode == ModeKubernetes {
		kubernetesArgs(s, &args)
	}
	return args, errs
}

// validateCluster runs the component's own validation on the stack's cluster, so its
// refusals happen in Load, before any resource is registered.
func (s Spec) validateCluster(hasPassword bool) []error {
	if s.Cluster.Mode != ModeDocker && s.Cluster.Mode != ModeKubernetes {
		return nil
	}
	var password pulumi.StringInput
	if hasPassword {
		// The secret itself is only read by the program; its presence is what counts here.
		password = pulumi.String("present")
	}
	args, errs := clusterArgs(s, password)
	if len(errs) > 0 {
		return errs
	}
	return append(errs, inStackKeys(cluster.Validate(args), keyReplacer())...)
}

// inStackKeys splits a component's joined validation error into its problems and rewrites
// the component's field names into the stack keys that set them.
func inStackKeys(err error, r *strings.Replacer) []error {
	if err == nil {
		return nil
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		return []error{errors.New(r.Replace(err.Error()))}
	}
	out := make([]error, 0, len(joined.Unwrap()))
	for _, e := range joined.Unwrap() {
		out = append(out, errors.New(r.Replace(e.Error())))
	}
	return out
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
		args, errs := clusterArgs(s, password)
		if len(errs) > 0 {
			return endpoints{}, errors.Join(errs...)
		}
		rp, err = cluster.NewRedpandaCluster(ctx, "redpanda", &args)
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

// reservedHostPorts are the host ports the stack's monitoring containers publish, which
// brokers must not take.
func (s Spec) reservedHostPorts() map[int]string {
	if s.Cluster.Mode != ModeDocker || !s.Monitoring.IsEnabled() {
		return nil
	}
	return map[int]string{s.Monitoring.PrometheusPort: "prometheus", s.Monitoring.GrafanaPort: "grafana"}
}
