package cluster

import (
	"encoding/json"
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Mode says where the brokers run; it is the stack key cluster.mode.
type Mode string

// Modes.
const (
	// ModeDocker runs each broker as a container on a private bridge network.
	ModeDocker Mode = "docker"
	// ModeKubernetes runs the brokers as a StatefulSet behind a headless Service.
	ModeKubernetes Mode = "kubernetes"
	// ModeExternal names a cluster someone else runs: a stack connects to it and this
	// component creates nothing (it refuses the mode).
	ModeExternal Mode = "external"
)

// Config is the cluster's settings in the stack's own vocabulary: each field is the key of
// market-bus:cluster with the same json name, so a stack decodes its config straight into
// it and a refusal's Field is the path the user wrote (memory, listeners.kafka.sourceRanges).
// Zero values take the component's defaults (withDefaults).
type Config struct {
	// Mode is docker or kubernetes.
	Mode Mode `json:"mode"`
	// Brokers is the number of brokers, at least 1 (3 for replication 3).
	Brokers int `json:"brokers"`
	// Image is the Redpanda image, pinned by release tag
	// (redpandadata/redpanda:v25.2.1) or, preferably, by digest (…@sha256:…).
	Image string `json:"image"`
	// CPUCores per broker; Redpanda runs one shard per core (--smp).
	CPUCores int `json:"cpuCores"`
	// Memory is each broker's container memory limit (2Gi); Redpanda's --memory is 90 % of it.
	Memory Quantity `json:"memory"`
	// StorageSize is each broker's data volume (50Gi). Zero on Kubernetes takes 50Gi; a
	// Docker named volume shares the host's disk.
	StorageSize Quantity `json:"storageSize"`
	// LogLevel is --default-log-level; default "info".
	LogLevel string `json:"logLevel"`
	// DevContainerMode adds `--mode dev-container` (no fsync, no checks): laptops only.
	DevContainerMode bool `json:"devContainerMode"`
	// TLS turns on TLS for every listener. Nil takes the mode's default: on for
	// Kubernetes, off for Docker (which refuses true: it has no certificates to serve).
	// CertIssuer or TLSSecret say where Kubernetes' certificates come from.
	TLS *bool `json:"tls"`
	// SASL, when set, turns on SASL/SCRAM authentication and authorization on the Kafka
	// API, with its user as the only superuser, and authentication on every HTTP listener.
	// Required on Docker when ExternalHost is not a loopback address.
	SASL *SASLConfig `json:"sasl"`
	// AllowPlaintext is the explicit override that lets a production cluster run with TLS off.
	AllowPlaintext bool `json:"allowPlaintext"`
	// Listeners sets each API's exposure, source ranges, Service annotations and authentication.
	Listeners ListenersArgs `json:"listeners"`

	// Docker mode.

	// ExternalHost is what host-side clients dial; default "localhost". Ports bind only
	// 127.0.0.1 unless it names another host.
	ExternalHost string `json:"externalHost"`
	// RetainVolumes keeps the data volumes when the stack is destroyed (nil: true), so a
	// destroy/up cycle cannot silently swap a broker's disk for an empty one.
	RetainVolumes *bool `json:"retainVolumes"`
	// Racks gives broker i the rack Racks[i] (--set redpanda.rack) and turns on
	// enable_rack_awareness; one per broker, or none.
	Racks []string `json:"racks"`

	// Kubernetes mode.

	// Namespace holds every object of the cluster; required.
	Namespace string `json:"namespace"`
	// CreateNamespace creates Namespace (nil: true); false when the platform owns it.
	CreateNamespace *bool `json:"createNamespace"`
	// StorageClass names the data volumes' StorageClass, an SSD class (gp3, premium-rwo,
	// …). Empty takes the cluster default; production requires it.
	StorageClass string `json:"storageClass"`
	// CertIssuer is a cert-manager Issuer or ClusterIssuer (CertIssuerKind, default
	// ClusterIssuer) that certifies every broker's DNS names; TLSSecret instead names a
	// kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) the platform provides.
	CertIssuer     string `json:"certIssuer"`
	CertIssuerKind string `json:"certIssuerKind"`
	TLSSecret      string `json:"tlsSecret"`
	// ExternalDomain turns on external access: broker i is advertised to clients outside
	// the cluster as `redpanda-<i>.<ExternalDomain>` on the ports the Services publish.
	// Empty means no external listeners at all.
	ExternalDomain string `json:"externalDomain"`
	// ExternalServiceType is "NodePort" (default: one Service, the same port on every
	// node) or "LoadBalancer" (one per broker). DNS for the external names is the platform's.
	ExternalServiceType string `json:"externalServiceType"`
	// NetworkPolicy names who besides the brokers may reach them.
	NetworkPolicy NetworkPolicyArgs `json:"networkPolicy"`
	// RackAwareness tells each broker the zone of its node as its rack (ZoneLabel through
	// the downward API) and turns on enable_rack_awareness.
	RackAwareness bool `json:"rackAwareness"`
}

// SASLConfig is the SASL bootstrap user; its password is a wiring input
// (Args.SuperuserPassword), never config.
type SASLConfig struct {
	// Mechanism is SCRAM-SHA-256 or SCRAM-SHA-512; default SCRAM-SHA-512 (the chart's).
	Mechanism string `json:"mechanism"`
	// Username is the superuser; default "admin". It cannot contain ':', the separator of
	// RP_BOOTSTRAP_USER.
	Username string `json:"username"`
}

// TLSOn reports whether the listeners use TLS: the explicit setting, or the mode's default.
func (c Config) TLSOn() bool {
	if c.TLS != nil {
		return *c.TLS
	}
	return c.Mode == ModeKubernetes
}

// SASLOn reports whether the cluster authenticates clients with SASL.
func (c Config) SASLOn() bool { return c.SASL != nil }

// RetainsVolumes reports whether destroy leaves the data volumes (the default).
func (c Config) RetainsVolumes() bool { return c.RetainVolumes == nil || *c.RetainVolumes }

// CreatesNamespace reports whether the component creates Namespace (the default).
func (c Config) CreatesNamespace() bool { return c.CreateNamespace == nil || *c.CreateNamespace }

// Quantity is a size in Kubernetes' quantity grammar (2Gi, 2048Mi, 50G): the one grammar
// the stack file, the renderer and the policy pack read.
type Quantity struct{ resource.Quantity }

// MustQuantity parses s, panicking on a malformed literal: for defaults and tests.
func MustQuantity(s string) Quantity { return Quantity{resource.MustParse(s)} }

// Bytes is the quantity's value in bytes; 0 when unset.
func (q Quantity) Bytes() int64 { return q.Value() }

// UnmarshalJSON reads a quantity and reports a malformed one as a type error, which
// encoding/json completes with the field's path (memory, storageSize).
func (q *Quantity) UnmarshalJSON(b []byte) error {
	var r resource.Quantity
	if err := r.UnmarshalJSON(b); err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("size %s", b), Type: reflect.TypeOf(*q)}
	}
	q.Quantity = r
	return nil
}
