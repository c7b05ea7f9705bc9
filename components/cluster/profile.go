package cluster

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Endpoints are the addresses consumers of the cluster need, derived from
// the rendered brokers. "Internal" addresses work inside the broker network
// (other containers on it, or pods); "External" ones from the host.
type Endpoints struct {
	// InternalBootstrap and ExternalBootstrap are Kafka host:port pairs.
	InternalBootstrap []string
	ExternalBootstrap []string
	// SchemaRegistry URLs.
	SchemaRegistryInternal []string
	SchemaRegistryExternal []string
	// Admin API URLs.
	AdminInternal []string
	AdminExternal []string
	// Metrics targets are host:port of the admin API, scraped at MetricsPath.
	MetricsInternal []string
	MetricsExternal []string
}

// ClusterEndpoints collects the endpoints of rendered brokers, in broker order.
func ClusterEndpoints(brokers []BrokerConfig) Endpoints {
	var e Endpoints
	for _, b := range brokers {
		p := b.Ports
		internal := func(port int) string { return Endpoint{Host: b.InternalHost, Port: port}.String() }
		external := func(port int) string { return Endpoint{Host: b.ExternalHost, Port: port}.String() }

		e.InternalBootstrap = append(e.InternalBootstrap, internal(p.Kafka.Internal))
		e.SchemaRegistryInternal = append(e.SchemaRegistryInternal, "http://"+internal(p.SchemaRegistry.Internal))
		e.AdminInternal = append(e.AdminInternal, "http://"+internal(p.Admin.Internal))
		e.MetricsInternal = append(e.MetricsInternal, internal(p.Admin.Internal))
		if p.Kafka.ExternalAdvertised != 0 {
			e.ExternalBootstrap = append(e.ExternalBootstrap, external(p.Kafka.ExternalAdvertised))
		}
		if p.SchemaRegistry.ExternalAdvertised != 0 {
			e.SchemaRegistryExternal = append(e.SchemaRegistryExternal, "http://"+external(p.SchemaRegistry.ExternalAdvertised))
		}
		if p.Admin.ExternalAdvertised != 0 {
			e.AdminExternal = append(e.AdminExternal, "http://"+external(p.Admin.ExternalAdvertised))
			e.MetricsExternal = append(e.MetricsExternal, external(p.Admin.ExternalAdvertised))
		}
	}
	return e
}

// rpkProfile is the subset of rpk's profile format (`rpk profile create
// --from-profile <file>`) this cluster needs while TLS and SASL are off.
type rpkProfile struct {
	Name           string         `yaml:"name"`
	Description    string         `yaml:"description,omitempty"`
	KafkaAPI       rpkKafkaAPI    `yaml:"kafka_api"`
	AdminAPI       rpkAddressList `yaml:"admin_api"`
	SchemaRegistry rpkAddressList `yaml:"schema_registry"`
}

type rpkKafkaAPI struct {
	Brokers []string `yaml:"brokers"`
}

type rpkAddressList struct {
	Addresses []string `yaml:"addresses"`
}

// RenderRpkProfile renders an rpk profile that reaches the cluster from the
// host: external Kafka, admin and schema registry addresses (host:port, no
// scheme, as rpk expects).
func RenderRpkProfile(name, description string, brokers []BrokerConfig) (string, error) {
	prof := rpkProfile{Name: name, Description: description}
	for _, b := range brokers {
		p := b.Ports
		ext := func(port int) string { return Endpoint{Host: b.ExternalHost, Port: port}.String() }
		if p.Kafka.ExternalAdvertised != 0 {
			prof.KafkaAPI.Brokers = append(prof.KafkaAPI.Brokers, ext(p.Kafka.ExternalAdvertised))
		}
		if p.Admin.ExternalAdvertised != 0 {
			prof.AdminAPI.Addresses = append(prof.AdminAPI.Addresses, ext(p.Admin.ExternalAdvertised))
		}
		if p.SchemaRegistry.ExternalAdvertised != 0 {
			prof.SchemaRegistry.Addresses = append(prof.SchemaRegistry.Addresses, ext(p.SchemaRegistry.ExternalAdvertised))
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(prof); err != nil {
		return "", fmt.Errorf("render rpk profile: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("render rpk profile: %w", err)
	}
	return buf.String(), nil
}
