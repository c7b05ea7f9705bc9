package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// pulumiSource reads the stack's config through the Pulumi SDK.
type pulumiSource struct{ cfg *config.Config }

func (s pulumiSource) Get(key string) (string, bool) {
	v, err := s.cfg.Try(key)
	return v, err == nil
}

// Program is the Pulumi program of every stack: main.go runs it under `pulumi up`, busctl
// runs it as an Automation API inline program. Config is loaded and validated before the
// first resource is registered.
func Program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, Project)
	spec, err := Load(ctx.Stack(), pulumiSource{cfg})
	if err != nil {
		return err
	}
	optional := func(key string) pulumi.StringInput {
		if _, err := cfg.Try(key); err != nil {
			return nil
		}
		return cfg.RequireSecret(key)
	}
	var login saslLogin
	if spec.Cluster.SASL != nil {
		login = saslLogin{password: cfg.RequireSecret(KeySASLPassword), previous: optional(KeySASLPreviousPassword)}
	}
	mon := monitoringSecrets{
		adminPassword: optional(KeyGrafanaAdminPassword),
		token:         optional(KeyGrafanaToken),
		webhook:       optional(KeyAlertWebhookURL),
	}
	return deploy(ctx, spec, login, mon)
}

// saslLogin is the provider's SASL password, and the previous one while it is being rotated.
// Both are secrets and stay secrets all the way into the provider config.
type saslLogin struct {
	password pulumi.StringOutput
	previous pulumi.StringInput // nil unless saslPreviousPassword is set
}

// deploy registers the stack's resources from a validated Spec. login is only read when the
// Spec asks for SASL.
func deploy(ctx *pulumi.Context, spec Spec, login saslLogin, mon monitoringSecrets) error {
	// A warning, not a refusal: the estimate assumes every topic takes the certified rate.
	// On production the policy pack's topic-capacity rule makes it mandatory.
	if w := spec.CapacityWarning(); w != "" {
		_ = ctx.Log.Warn(w, nil)
	}
	ep, err := clusterEndpoints(ctx, spec, login)
	if err != nil {
		return err
	}
	bootstrap := ep.bootstrap
	if spec.Cluster.KubernetesOnly {
		// Nothing below could reach the brokers: the provider is not even registered, so no
		// step waits on brokers that are not there yet.
		_ = ctx.Log.Warn(Project+":cluster.kubernetesOnly is true: only the Kubernetes objects are deployed; "+
			"ClusterHealth, the topics, the schemas, the latency gate and monitoring are not (remove the key to deploy them)", nil)
		ctx.Export("bootstrapServers", bootstrap)
		return nil
	}
	prov, err := marketbus.NewProvider(ctx, "marketbus", providerArgs(spec, ep, login))
	if err != nil {
		return fmt.Errorf("registering the marketbus provider: %w", err)
	}
	// A cluster the stack creates is only ready when its admin API reports every broker up:
	// topics, schemas and the gate wait for that, not just for started containers or pods.
	var ready []pulumi.Resource
	if ep.cluster != nil {
		names := make([]string, 0, len(spec.Topics))
		for _, t := range spec.Topics {
			names = append(names, t.Name)
		}
		// Health is decided from the Kafka listener; the admin API is asked only where it is
		// published (dev), prod keeps it internal.
		health, err := marketbus.NewClusterHealth(ctx, "cluster-health", &marketbus.ClusterHealthArgs{
			AdminUrls:       ep.cluster.AdminExternalURLs,
			ExpectedBrokers: pulumi.Int(spec.Cluster.Brokers),
			CpuCores:        pulumi.IntPtr(spec.Cluster.CPUCores),
			Topics:          pulumi.ToStringArray(names),
		}, pulumi.Provider(prov))
		if err != nil {
			return fmt.Errorf("registering the cluster health check: %w", err)
		}
		ready = append(ready, health)
	}
	// The provider's own login comes next: a rotated password reaches the brokers before any
	// topic, schema or gate logs in with it.
	if spec.Cluster.SASL != nil {
		cred, err := marketbus.NewLoginCredential(ctx, "sasl-login", &marketbus.LoginCredentialArgs{
			Username:  pulumi.String(spec.Cluster.SASL.Username),
			Mechanism: pulumi.String(spec.Cluster.SASL.Mechanism),
			Password:  pulumi.ToSecret(login.password).(pulumi.StringOutput),
		}, pulumi.Provider(prov), pulumi.DependsOn(ready))
		if err != nil {
			return fmt.Errorf("registering the provider's login credential: %w", err)
		}
		ready = append(ready, cred)
	}
	cc, err := deployClusterConfig(ctx, spec, ep.cluster, prov, ready)
	if err != nil {
		return err
	}
	// Topics and the gate wait for a rollout to finish: the gate measures the cluster as it is.
	rollout, err := deployRollingRestart(ctx, spec, ep.cluster, prov, cc, login.password, ready)
	if err != nil {
		return err
	}
	if rollout != nil {
		ready = append(ready, rollout)
	}
	topics := pulumi.Map{}
	var topicRes []pulumi.Resource
	var topicList []*marketbus.Topic // the same topics, typed, for the gate's watch list
	for _, t := range spec.Topics {
		res, err := marketbus.NewTopic(ctx, t.Name, topicArgs(t), pulumi.Provider(prov), pulumi.DependsOn(ready))
		if err != nil {
			return fmt.Errorf("registering topic %q: %w", t.Name, err)
		}
		topicRes = append(topicRes, res)
		topicList = append(topicList, res)
		topics[t.Name] = pulumi.Map{
			"topicId":           res.TopicId,
			"partitions":        res.Partitions,
			"replicationFactor": res.ReplicationFactor,
			"config":            res.Config,
		}
	}
	schemaOut, schemaRes, err := deploySchemas(ctx, spec.Schemas, prov, topicRes)
	if err != nil {
		return err
	}
	gateDeps := append([]pulumi.Resource{}, topicRes...)
	for _, r := range schemaRes {
		gateDeps = append(gateDeps, r)
	}
	principalDeps := append(append([]pulumi.Resource{}, ready...), topicRes...)
	if spec.Gate.IsEnabled() {
		gateTopic, err := deployGateTopic(ctx, spec, prov, ready)
		if err != nil {
			return err
		}
		gateDeps = append(gateDeps, gateTopic)
		principalDeps = append(principalDeps, gateTopic)
	}
	gateUser, err := deployPrincipals(ctx, spec, prov, bootstrap, principalDeps)
	if err != nil {
		return err
	}
	if err := deployGate(ctx, spec.Gate, prov, schemaRes[spec.Gate.Subject], bootstrap, topicList, gateDeps, gateUser); err != nil {
		return err
	}
	if err := deployMonitoring(ctx, spec, ep.cluster, mon); err != nil {
		return err
	}
	ctx.Export("bootstrapServers", bootstrap)
	ctx.Export("topics", topics)
	ctx.Export("schemas", schemaOut)
	return nil
}

// providerArgs points our provider at the cluster: Kafka, the registry, TLS and SASL.
func providerArgs(spec Spec, ep endpoints, login saslLogin) *marketbus.ProviderArgs {
	args := &marketbus.ProviderArgs{
		BootstrapServers: ep.bootstrap,
		ClientId:         pulumi.StringPtr(spec.Cluster.ClientID),
	}
	if ep.registry != nil {
		args.SchemaRegistry = marketbus.RegistryConfigArgs{Url: ep.registry}
	}
	if spec.Cluster.SASL != nil {
		sasl := marketbus.SASLConfigArgs{
			Mechanism: pulumi.String(spec.Cluster.SASL.Mechanism),
			Username:  pulumi.String(spec.Cluster.SASL.Username),
			Password:  pulumi.ToSecret(login.password).(pulumi.StringOutput),
		}
		if login.previous != nil {
			sasl.PreviousPassword = pulumi.ToSecret(login.previous).(pulumi.StringOutput)
		}
		args.Sasl = sasl
	}
	if spec.Cluster.TLSOn() {
		tls := marketbus.TLSConfigArgs{Enabled: pulumi.Bool(true)}
		if spec.Cluster.caPEM != "" {
			tls.CaCertPem = pulumi.StringPtr(spec.Cluster.caPEM)
		}
		args.Tls = tls
	}
	return args
}

func topicArgs(t TopicSpec) *marketbus.TopicArgs {
	args := &marketbus.TopicArgs{
		Name:               pulumi.String(t.Name),
		Partitions:         pulumi.Int(t.Partitions),
		ReplicationFactor:  pulumi.Int(t.ReplicationFactor),
		DeletionProtection: pulumi.BoolPtr(t.Protected()),
		StrictConfig:       pulumi.BoolPtr(t.StrictConfig),
	}
	if len(t.Config) > 0 {
		args.Config = pulumi.ToStringMap(t.Config)
	}
	if t.OnPartitionDecrease != "" {
		args.OnPartitionDecrease = pulumi.StringPtr(t.OnPartitionDecrease)
	}
	if t.OnReplicationDecrease != "" {
		args.OnReplicationDecrease = pulumi.StringPtr(t.OnReplicationDecrease)
	}
	return args
}

// endpoints are where the program's resources reach the cluster from.
type endpoints struct {
	bootstrap pulumi.StringArrayInput
	// registry is the Schema Registry URL, nil when the stack has none.
	registry pulumi.StringInput
	// cluster is the stack's own cluster, nil for an external one.
	cluster *cluster.RedpandaCluster
}

// clusterEndpoints returns the Kafka and Schema Registry addresses of the stack's cluster,
// creating the cluster first when the stack owns one.
func clusterEndpoints(ctx *pulumi.Context, spec Spec, login saslLogin) (endpoints, error) {
	if spec.Cluster.Mode != ModeExternal {
		// Load accepts only external, docker and kubernetes.
		return deployCluster(ctx, spec, login)
	}
	ep := endpoints{bootstrap: pulumi.ToStringArray(spec.Cluster.BootstrapServers)}
	if spec.Cluster.SchemaRegistryURL != "" {
		ep.registry = pulumi.String(spec.Cluster.SchemaRegistryURL)
	}
	return ep, nil
}
