// Package provider is the marketbus Pulumi provider: Kafka topics through the Kafka admin
// API (franz-go), schema registry subjects and their compatibility through the Confluent
// API (Schema, SubjectConfig), ClusterHealth, the LatencyGate that measures the cluster
// after every deploy, principals (User, Acl, ClientQuota) and the cluster lifecycle:
// ClusterConfig (cluster properties through Kafka's default BROKER config or Redpanda's admin
// API) and BrokerSet (decommission before a broker is removed). One struct per resource
// (pulumi-go-provider's infer), one file per concern: topic_*.go, schema_*.go,
// subject_config.go, cluster_health*.go, gate*.go, user.go, acl*.go, quota.go,
// cluster_config*.go, broker_set.go, redpanda_*.go (the admin API client); config.go,
// trust.go and login.go hold the connection every resource shares, and LoginCredential, which
// rotates the provider's own SASL password.
//
// It never imports the program's packages: programs reach it through the generated SDK in
// sdk/go/marketbus, exactly as a user's own program would.
package provider

import (
	"fmt"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Name is the package name: resource tokens are marketbus:index:<Type>.
const Name = "marketbus"

// Version is the provider's version; the SDK records it so the engine loads a matching plugin.
const Version = "0.1.0"

// GoImportBasePath is where the generated Go SDK lives inside this module.
const GoImportBasePath = "github.com/marketbus/market-bus/sdk/go/marketbus"

// New builds the provider. Each call returns an independent instance with its own config.
func New() (p.Provider, error) {
	prov, err := infer.NewProviderBuilder().
		WithDisplayName("market-bus").
		WithDescription("Kafka-API resources for the market-bus Redpanda cluster: topics managed without perpetual diffs or silent data loss.").
		WithNamespace("marketbus").
		WithRepository("https://github.com/marketbus/market-bus").
		WithGoImportPath(GoImportBasePath).
		// Resources and types take their module from the Go package name ("provider");
		// map it to "index" so tokens read marketbus:index:Topic.
		WithModuleMap(map[tokens.ModuleName]tokens.ModuleName{"provider": "index"}).
		WithConfig(infer.Config(&Config{})).
		WithResources(
			infer.Resource(Topic{}),
			infer.Resource(Schema{}),
			infer.Resource(SubjectConfig{}),
			infer.Resource(LatencyGate{}),
			infer.Resource(ClusterHealth{}),
			infer.Resource(LoginCredential{}),
			infer.Resource(User{}),
			infer.Resource(Acl{}),
			infer.Resource(ClientQuota{}),
			infer.Resource(ClusterConfig{}),
			infer.Resource(BrokerSet{}),
			infer.Resource(RollingRestart{}),
		).
		Build()
	if err != nil {
		return p.Provider{}, fmt.Errorf("building the %s provider: %w", Name, err)
	}
	return prov, nil
}
