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

// ClusterEndpoints collects the endpoints of rendered brokers, in broker
// order. The HTTP APIs are https when the brokers' listeners use TLS.
func ClusterEndpoints(brokers []BrokerConfig) Endpoints {
	var e Endpoints
	for _, b := range brokers {
		p := b.Ports
		scheme := b.TLS.scheme() + "://"
		internal := func(port int) string { return Endpoint{Host: b.InternalHost, Port: port}.String() }
		external := func(port int) string { return Endpoint{Host: b.ExternalHost, Port: port}.String() }

		e.InternalBootstrap = append(e.InternalBootstrap, internal(p.Kafka.Internal))
		e.SchemaRegistryInternal = append(e.SchemaRegistryInternal, scheme+internal(p.SchemaRegistry.Internal))
		e.AdminInternal = append(e.AdminInternal, scheme+internal(p.Admin.Internal))
		e.MetricsInternal = append(e.MetricsInternal, internal(p.Admin.Internal))
		if p.Kafka.ExternalAdvertised != 0 {
			e.ExternalBootstrap = append(e.ExternalBootstrap, external(p.Kafka.ExternalAdvertised))
		}
		if p.SchemaRegistry.ExternalAdvertised != 0 {
			e.SchemaRegistryExternal = append(e.SchemaRegistryExternal, scheme+external(p.SchemaRegistry.ExternalAdvertised))
		}
		if p.Admin.ExternalAdvertised != 0 {
			e.AdminExternal = append(e.AdminExternal, scheme+external(p.Admin.ExternalAdvertised))
			e.MetricsExternal = append(e.MetricsExternal, external(p.Admin.ExternalAdvertised))
		}
	}
	return e
}

// rpkProfile is the subset of rpk's profile format (`rpk profile create
// --from-profile <file>`) this cluster needs.
type rpkProfile struct {
	Name           string          `yaml:"name"`
	Description    string          `yaml:"description,omitempty"`
	KafkaAPI       rpkKafkaAPI     `yaml:"kafka_api"`
	AdminAPI       *rpkAddressList `yaml:"admin_api,omitempty"`
	SchemaRegistry *rpkAddressList `yaml:"schema_registry,omitempty"`
}

type rpkKafkaAPI struct {
	Brokers []string `yaml:"brokers"`
	TLS     *rpkTLS  `yaml:"tls,omitempty"`
	SASL    *rpkSASL `yaml:"sasl,omitempty"`
}

type rpkAddressList struct {
	Addresses []string `yaml:"addresses"`
	TLS       *rpkTLS  `yaml:"tls,omitempty"`
}

// rpkTLS is empty on purpose: its presence turns TLS on, and where the
// CA file lives on the user's machine is theirs to add (ca_file).
type rpkTLS struct{}

// rpkSASL names the user and mechanism; the password is never written to
// the profile (a stack output): rpk takes it from RPK_PASS or -X pass=.
type rpkSASL struct {
	User      string `yaml:"user"`
	Mechanism string `yaml:"mechanism"`
}

// RenderRpkProfile renders an rpk profile that reaches the cluster from the
// host: external Kafka, admin and schema registry addresses (host:port, no
// scheme, as rpk expects). Brokers without external listeners (Kubernetes
// with external access off) are listed by their internal addresses, for an
// rpk running inside the cluster. TLS and SASL sections follow the brokers.
func RenderRpkProfile(name, description string, brokers []BrokerConfig) (string, error) {
	prof := rpkProfile{Name: name, Description: description, AdminAPI: &rpkAddressList{}, SchemaRegistry: &rpkAddressList{}}
	for _, b := range brokers {
		p := b.Ports
		host, port := b.ExternalHost, func(lp ListenerPorts) int { return lp.ExternalAdvertised }
		if p.Kafka.ExternalAdvertised == 0 {
			host, port = b.InternalHost, func(lp ListenerPorts) int { return lp.Internal }
		}
		add := func(list *[]string, lp ListenerPorts) {
			if port(lp) != 0 {
				*list = append(*list, Endpoint{Host: host, Port: port(lp)}.String())
			}
		}
		add(&prof.KafkaAPI.Brokers, p.Kafka)
		add(&prof.AdminAPI.Addresses, p.Admin)
		add(&prof.SchemaRegistry.Addresses, p.SchemaRegistry)
	}
	// An API that is internal while Kafka is external has no address the
	// profile's user could dial: rpk is left to say it has none.
	if len(prof.AdminAPI.Addresses) == 0 {
		prof.AdminAPI = nil
	}
	if len(prof.SchemaRegistry.Addresses) == 0 {
		prof.SchemaRegistry = nil
	}
	if len(brokers) > 0 {
		if b := brokers[0]; b.TLS.Enabled {
			prof.KafkaAPI.TLS = &rpkTLS{}
			for _, l := range []*rpkAddressList{prof.AdminAPI, prof.SchemaRegistry} {
				if l != nil {
					l.TLS = &rpkTLS{}
				}
			}
		}
		if b := brokers[0]; b.SASL.Enabled {
			prof.KafkaAPI.SASL = &rpkSASL{User: b.SASL.Superuser, Mechanism: b.SASL.Mechanism}
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
