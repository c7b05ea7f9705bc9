package cluster

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// dnsLabel is an RFC 1123 label, what Docker and Kubernetes accept as a hostname.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// FieldError is one refused setting: the field, its value, what is wrong
// and how to fix it.
type FieldError = fielderr.Error

// Validate checks a before anything is created and reports every problem
// at once. Zero-valued optional fields are defaulted first, as the
// constructor does.
func Validate(a Args) error { return fielderr.Join(validate(a.withDefaults())) }

// ValidateConfig checks a cluster's config alone, before a program wires anything to it
// (the password input, placement, names): what a stack checks while it loads its config.
// production turns on the production floors. Field paths are the config's json keys.
func ValidateConfig(c Config, production bool) error {
	return fielderr.Join(validateConfig(Args{Config: c, Production: production}.withDefaults()))
}

// validate checks defaulted args: the config, then what the program wired to it.
func validate(a Args) []*FieldError {
	errs := validateConfig(a)
	if a.SASLOn() && a.SuperuserPassword == nil {
		errs = append(errs, fielderr.New("superuserPassword", "<nil>", "SASL is on but the bootstrap user has no password",
			"pass the password as a Pulumi secret (config.RequireSecret)"))
	}
	return errs
}

// validateConfig checks defaulted args, all but the wiring.
func validateConfig(a Args) []*FieldError {
	var errs []*FieldError
	add := func(e ...*FieldError) { errs = append(errs, e...) }

	switch a.Mode {
	case ModeDocker, ModeKubernetes:
	default:
		add(fielderr.New("mode", fmt.Sprintf("%q", a.Mode), "unknown backend",
			`use "docker" or "kubernetes"`))
	}
	if a.Brokers < 1 {
		add(fielderr.New("brokers", fmt.Sprint(a.Brokers), "a cluster needs at least one broker",
			"set brokers to 3 (1 only for a throwaway single-node cluster)"))
	}
	if why := ParseImageRef(a.Image).Pinned(); why != "" {
		add(fielderr.New("image", fmt.Sprintf("%q", a.Image), "the image is not pinned: it "+why,
			"pin a release tag such as redpandadata/redpanda:v25.2.1, or better a digest (redpandadata/redpanda@sha256:<64 hex>)"))
	}
	add(checkMemory(a.resources())...)
	if a.StorageSize.Sign() < 0 {
		add(fielderr.New("storageSize", a.StorageSize.String(), "a size cannot be negative",
			"give the data volume's size, e.g. 50Gi, or leave it out"))
	}
	switch a.LogLevel {
	case "trace", "debug", "info", "warn", "error":
	default:
		add(fielderr.New("logLevel", fmt.Sprintf("%q", a.LogLevel), "not a Redpanda log level",
			"use trace, debug, info, warn or error"))
	}
	add(checkSecurity(a)...)
	add(checkListeners(a)...)
	add(checkProduction(a)...)
	if a.ConsumerGroupLagIntervalSec < 0 {
		add(fielderr.New("consumerGroupLagIntervalSec", fmt.Sprint(a.ConsumerGroupLagIntervalSec),
			"an interval cannot be negative", "use a positive number of seconds, or 0 for the default (60)"))
	}
	if a.MaxTopicReplicationFactor > a.Brokers && a.Brokers >= 1 {
		add(fielderr.New("maxTopicReplicationFactor", fmt.Sprint(a.MaxTopicReplicationFactor),
			fmt.Sprintf("above brokers = %d: topics with that replication factor cannot be created", a.Brokers),
			fmt.Sprintf("lower it to at most %d, or raise brokers to %d", a.Brokers, a.MaxTopicReplicationFactor)))
	}
	for k := range a.ExtraClusterConfig {
		if strings.TrimSpace(k) == "" {
			add(fielderr.New("extraClusterConfig", fmt.Sprintf("%q", k), "a cluster property needs a name",
				"remove the empty key"))
		}
	}
	add(checkRacks(a)...)
	switch a.Mode {
	case ModeDocker:
		add(validateDocker(a)...)
	case ModeKubernetes:
		add(validateKubernetes(a)...)
	}
	return errs
}

// checkMemory refuses sizes that break a broker: fewer than one core, less
// than 2 GiB of container memory per core, a limit Docker cannot express,
// and a --memory override that does not leave 10 % of the limit free.
func checkMemory(r Resources) []*FieldError {
	var errs []*FieldError
	if r.CPUCores < 1 {
		errs = append(errs, fielderr.New("cpuCores", fmt.Sprint(r.CPUCores),
			"Redpanda runs one shard per core and needs at least 1", "set cpuCores to 1 or more"))
	}
	cores := int64(max(r.CPUCores, 1))
	if need := minMemoryPerCore * cores; r.MemoryLimitBytes < need {
		errs = append(errs, fielderr.New("memory", fmtBytes(r.MemoryLimitBytes),
			fmt.Sprintf("below the 2 GiB per core Redpanda needs for %d core(s)", cores),
			fmt.Sprintf("set memory to at least %dMi, or lower cpuCores", need/mib)))
	} else if r.MemoryLimitBytes%mib != 0 {
		errs = append(errs, fielderr.New("memory", fmtBytes(r.MemoryLimitBytes),
			"not a whole number of MiB, which is the unit of Docker's memory limit and of --memory",
			fmt.Sprintf("use binary units, e.g. %dMi", r.MemoryLimitBytes/mib)))
	}
	if r.RedpandaMemoryBytes < 0 {
		errs = append(errs, fielderr.New("redpandaMemoryBytes", fmtBytes(r.RedpandaMemoryBytes),
			"memory cannot be negative", "leave it 0 to give Redpanda 90 % of the limit"))
	} else if most := maxRedpandaMemory(r.MemoryLimitBytes); r.RedpandaMemoryBytes > most {
		errs = append(errs, fielderr.New("redpandaMemoryBytes", fmtBytes(r.RedpandaMemoryBytes),
			fmt.Sprintf("--memory=%dM does not fit the %s container limit with the 10 %% Redpanda needs outside its memory pool (the container would be OOM-killed)",
				r.RedpandaMemoryBytes/mib, fmtMiB(r.MemoryLimitBytes)),
			fmt.Sprintf("set it to at most %s, raise memory, or leave it 0 for 90 %% of the limit", fmtBytes(most))))
	}
	return errs
}

// validateDocker checks the Docker-only settings and what they render to.
func validateDocker(a Args) []*FieldError {
	d := a.Docker
	var errs []*FieldError
	if !dnsLabel.MatchString(d.HostnamePrefix) || len(d.HostnamePrefix) > 50 {
		errs = append(errs, fielderr.New("docker.hostnamePrefix", fmt.Sprintf("%q", d.HostnamePrefix),
			"hostnames `<prefix>-<i>` must be lowercase DNS labels", `use letters, digits and "-", e.g. "redpanda"`))
	}
	if d.WaitTimeoutSeconds < 0 {
		errs = append(errs, fielderr.New("docker.waitTimeoutSeconds", fmt.Sprint(d.WaitTimeoutSeconds),
			"a timeout cannot be negative", "use a positive number of seconds, or 0 for the default (300)"))
	}
	if a.Brokers < 1 {
		return errs
	}
	t := a.Topology()
	errs = append(errs, checkHostPorts(t, a.ReservedHostPorts)...)
	errs = append(errs, checkAdvertised(t, "externalHost", a.ExternalHost)...)
	return errs
}

// portUse says who uses a port, for messages.
type portUse struct {
	broker  int
	service string
}

func (u portUse) String() string { return fmt.Sprintf("broker %d %s", u.broker, u.service) }

// checkHostPorts refuses published ports outside 1..65535, published ports
// two brokers (on the same external host) or the caller's other services
// share, and external binds that clash with a listener inside the container.
func checkHostPorts(t Topology, reserved map[int]string) []*FieldError {
	const field = "docker.hostPorts"
	var errs []*FieldError
	type hostPort struct {
		host string
		port int
	}
	seen := map[hostPort]portUse{}
	for i := 0; i < t.Brokers; i++ {
		addr := t.Addressing.Broker(i)
		p := addr.Ports
		inside := map[int]string{
			p.Kafka.Internal: "internal kafka", p.HTTPProxy.Internal: "internal http-proxy",
			p.SchemaRegistry.Internal: "internal schema-registry", p.Admin.Internal: "admin", p.RPC: "rpc",
		}
		for _, m := range published(p) {
			use := portUse{i, m.Service}
			port := fmt.Sprint(m.HostPort)
			if m.HostPort < 1 || m.HostPort > 65535 {
				errs = append(errs, fielderr.New(field, port, use.String()+" host port is outside 1..65535",
					"lower docker.hostPorts.stride (e.g. 10) or the base ports so every broker's ports fit"))
				continue
			}
			key := hostPort{addr.ExternalHost, m.HostPort}
			if prev, ok := seen[key]; ok {
				errs = append(errs, fielderr.New(field, port, fmt.Sprintf("%s and %s would both publish it", prev, use),
					"space the base ports more than (brokers-1) × stride apart, or pick a stride that keeps them apart"))
			} else {
				seen[key] = use
			}
			if owner, ok := reserved[m.HostPort]; ok {
				errs = append(errs, fielderr.New(field, port, fmt.Sprintf("%s would publish it, but ReservedHostPorts gives it to %s", use, owner),
					"move the docker.hostPorts base ports, or the other service's port"))
			}
			if m.ContainerPort != p.Admin.Internal {
				if other, ok := inside[m.ContainerPort]; ok {
					errs = append(errs, fielderr.New(field, port, fmt.Sprintf("%s would bind it inside the container, where %s already listens", use, other),
						"keep the base ports off 8081, 8082, 9092, 9644 and 33145"))
				}
			}
		}
	}
	return errs
}

// checkAdvertised refuses external advertised hosts a client outside the
// broker network cannot dial: the top pain point of Redpanda on Docker.
// field and value name the setting the hosts derive from.
func checkAdvertised(t Topology, field, value string) []*FieldError {
	const fix = "use localhost, or a name of the host that clients resolve"
	var errs []*FieldError
	reported := map[string]bool{}
	for i := 0; i < t.Brokers; i++ {
		host := t.Addressing.Broker(i).ExternalHost
		if reported[host] {
			continue
		}
		var problem string
		ip := net.ParseIP(strings.Trim(host, "[]"))
		switch {
		case strings.TrimSpace(host) == "":
			problem = "brokers would advertise an empty host to clients outside the broker network"
		case ip != nil && ip.IsUnspecified():
			problem = "a bind-all address is not dialable: clients would be redirected to it and fail"
		case t.Addressing.InNetworkOnly(host, t.Brokers):
			problem = fmt.Sprintf("that name resolves only inside the %s network, so clients outside it cannot reach the advertised address", t.Addressing.Scheme())
		default:
			continue
		}
		if host != value {
			problem = fmt.Sprintf("broker %d would advertise %q: %s", i, host, problem)
		}
		reported[host] = true
		errs = append(errs, fielderr.New(field, fmt.Sprintf("%q", value), problem, fix))
	}
	return errs
}

// fmtSize shows a size as written with its value in MiB, e.g. "2G (1907.3 MiB)".
func fmtSize(q Quantity) string { return fmt.Sprintf("%s (%s)", q.String(), fmtMiB(q.Bytes())) }

// fmtBytes shows a byte count with its MiB value, e.g. "2147483648 (2048 MiB)".
func fmtBytes(b int64) string { return fmt.Sprintf("%d (%s)", b, fmtMiB(b)) }

func fmtMiB(b int64) string {
	if b%mib == 0 {
		return fmt.Sprintf("%d MiB", b/mib)
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/float64(mib))
}

// checkRacks refuses a rack list that does not give every broker one name.
func checkRacks(a Args) []*FieldError {
	r := a.Racks
	if len(r) == 0 {
		return nil
	}
	var errs []*FieldError
	if a.Mode != ModeDocker {
		errs = append(errs, fielderr.New("racks", fmt.Sprint(r), "racks per broker are for the Docker backend",
			"on Kubernetes turn on RackAwareness, which takes each broker's rack from its node's zone"))
	}
	if len(r) != a.Brokers {
		errs = append(errs, fielderr.New("racks", fmt.Sprint(r), fmt.Sprintf("%d racks for %d brokers", len(r), a.Brokers),
			"give one rack per broker, in broker order, e.g. [a, b, c]"))
	}
	for i, name := range r {
		if name == "" || strings.ContainsAny(name, " \t\n\"'") {
			errs = append(errs, fielderr.New("racks", fmt.Sprintf("%q", name), fmt.Sprintf("broker %d's rack is empty or holds spaces or quotes", i),
				"use a plain name such as zone-a"))
		}
	}
	return errs
}

// PublishedHostPorts are the host ports a Docker cluster's brokers publish, each with its
// user ("broker 0 kafka"): what a caller publishing services of its own beside the brokers
// must leave free. Ports that do not fit 1..65535 are left out (Validate refuses them).
func PublishedHostPorts(a Args) map[int]string {
	a = a.withDefaults()
	if a.Mode != ModeDocker || a.Brokers < 1 {
		return nil
	}
	t := a.Topology()
	out := map[int]string{}
	for i := 0; i < t.Brokers; i++ {
		for _, m := range published(t.Addressing.Broker(i).Ports) {
			if m.HostPort >= 1 && m.HostPort <= 65535 {
				out[m.HostPort] = portUse{i, m.Service}.String()
			}
		}
	}
	return out
}
