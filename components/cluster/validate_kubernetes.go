package cluster

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// saslUser is what RP_BOOTSTRAP_USER (user:password:mechanism) can carry
// and a SCRAM user name allows without escaping.
var saslUser = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]*$`)

// validateKubernetes checks the Kubernetes-only settings and what they
// render to.
func validateKubernetes(a Args) []*FieldError {
	k := a.Kubernetes
	var errs []*FieldError
	add := func(e ...*FieldError) { errs = append(errs, e...) }

	for _, f := range []struct{ field, value, example string }{
		{"namespace", a.Namespace, `"redpanda"`},
		{"kubernetes.serviceName", k.ServiceName, `"redpanda"`},
	} {
		if !dnsLabel.MatchString(f.value) || len(f.value) > 63 {
			add(fielderr.New(f.field, fmt.Sprintf("%q", f.value), "must be a lowercase DNS label (the pods' DNS names are built from it)",
				`use letters, digits and "-", e.g. `+f.example))
		}
	}
	switch a.ExternalServiceType {
	case ExternalNodePort, ExternalLoadBalancer:
	default:
		add(fielderr.New("externalServiceType", fmt.Sprintf("%q", a.ExternalServiceType),
			"not a Service type that publishes brokers outside the cluster", `use "NodePort" or "LoadBalancer"`))
	}
	if a.Production && a.StorageClass == "" {
		add(fielderr.New("storageClass", `""`,
			"a Production cluster must name its StorageClass: the cluster default may be network HDD, where Redpanda's fsyncs stall",
			`name the SSD class, e.g. "gp3"`))
	}
	if k.TerminationGracePeriodSeconds < DefaultTerminationGraceSeconds {
		add(fielderr.New("kubernetes.terminationGracePeriodSeconds", fmt.Sprint(k.TerminationGracePeriodSeconds),
			"below the 90 s a broker needs: the preStop hook gets half to drain leadership (maintenance mode), the broker the rest to stop",
			"set it to 90 or more, or 0 for the default (90)"))
	}
	for i, ns := range append([]string{a.NetworkPolicy.MonitoringNamespace}, a.NetworkPolicy.ClientNamespaces...) {
		field := "networkPolicy.monitoringNamespace"
		if i > 0 {
			field = fmt.Sprintf("networkPolicy.clientNamespaces[%d]", i-1)
		}
		if !dnsLabel.MatchString(ns) || len(ns) > 63 {
			add(fielderr.New(field, fmt.Sprintf("%q", ns), "not a namespace name",
				`use the namespace's name, a lowercase DNS label such as "trading"`))
		}
	}
	add(checkPDB(a)...)
	add(checkTolerations(k.Tolerations)...)
	for _, key := range sortedKeys(k.NodeSelector) {
		if strings.TrimSpace(key) == "" {
			add(fielderr.New("kubernetes.nodeSelector", fmt.Sprintf("%q", key), "a node label needs a name", "remove the empty key"))
		}
	}
	if a.TLSOn() {
		add(checkTLSSource(a.Config)...)
	}
	if a.Brokers < 1 {
		return errs
	}
	t := a.Topology()
	if a.ExternalDomain != "" {
		add(checkAdvertised(t, "externalDomain", a.ExternalDomain)...)
		if a.ExternalServiceType == ExternalNodePort {
			add(checkNodePorts(t)...)
		}
	}
	return errs
}

// checkPDB refuses a PodDisruptionBudget that lets voluntary disruptions
// (drains, node upgrades) take more brokers than a Raft majority can lose.
// Below 3 brokers no budget can keep quorum, so only the sign is checked.
func checkPDB(a Args) []*FieldError {
	mu := a.Kubernetes.MaxUnavailable
	if mu < 0 {
		return []*FieldError{fielderr.New("kubernetes.maxUnavailable", fmt.Sprint(mu), "cannot be negative",
			"use 1, or 0 for the default (1)")}
	}
	if most := (a.Brokers - 1) / 2; a.Brokers >= minProductionBrokers && mu > most {
		return []*FieldError{fielderr.New("kubernetes.maxUnavailable", fmt.Sprint(mu),
			fmt.Sprintf("with %d brokers the PodDisruptionBudget would allow %d down at once, which loses the Raft majority", a.Brokers, mu),
			fmt.Sprintf("set it to at most %d ((brokers-1)/2)", most))}
	}
	return nil
}

// checkTLSSource wants exactly one certificate source.
func checkTLSSource(c Config) []*FieldError {
	switch {
	case c.CertIssuer == "" && c.TLSSecret == "":
		return []*FieldError{fielderr.New("certIssuer", `""`, "TLS is on but no certificate source is named",
			"set certIssuer (a cert-manager Issuer or ClusterIssuer) or tlsSecret (a kubernetes.io/tls Secret with ca.crt)")}
	case c.CertIssuer != "" && c.TLSSecret != "":
		return []*FieldError{fielderr.New("tlsSecret", fmt.Sprintf("%q", c.TLSSecret),
			fmt.Sprintf("certIssuer %q is named too, so which certificate the brokers serve would be ambiguous", c.CertIssuer),
			"keep one of certIssuer and tlsSecret")}
	case c.CertIssuer != "" && c.CertIssuerKind != "Issuer" && c.CertIssuerKind != "ClusterIssuer":
		return []*FieldError{fielderr.New("certIssuerKind", fmt.Sprintf("%q", c.CertIssuerKind), "not a cert-manager issuer kind",
			`use "Issuer" or "ClusterIssuer"`)}
	}
	return nil
}

// checkSuperuser wants a bootstrap user Redpanda can create.
func checkSuperuser(s SASLConfig) []*FieldError {
	var errs []*FieldError
	if !saslUser.MatchString(s.Username) {
		errs = append(errs, fielderr.New("sasl.username", fmt.Sprintf("%q", s.Username),
			"not a user name RP_BOOTSTRAP_USER (user:password:mechanism) can carry",
			`use letters, digits and ".", "_", "@", "-", e.g. "admin"`))
	}
	switch s.Mechanism {
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
	default:
		errs = append(errs, fielderr.New("sasl.mechanism", fmt.Sprintf("%q", s.Mechanism), "not a SCRAM mechanism Redpanda offers",
			"use SCRAM-SHA-512 or SCRAM-SHA-256"))
	}
	return errs
}

// checkTolerations refuses tolerations the API server would reject.
func checkTolerations(ts []Toleration) []*FieldError {
	var errs []*FieldError
	for i, t := range ts {
		field := fmt.Sprintf("kubernetes.tolerations[%d]", i)
		value := fmt.Sprintf("%+v", t)
		switch t.Operator {
		case "", "Equal":
		case "Exists":
			if t.Value != "" {
				errs = append(errs, fielderr.New(field, value, "operator Exists takes no value", "drop the value, or use operator Equal"))
			}
		default:
			errs = append(errs, fielderr.New(field, value, "unknown operator", `use "Equal" or "Exists"`))
		}
		switch t.Effect {
		case "", "NoSchedule", "PreferNoSchedule", "NoExecute":
		default:
			errs = append(errs, fielderr.New(field, value, "unknown effect", "use NoSchedule, PreferNoSchedule or NoExecute"))
		}
	}
	return errs
}

// checkNodePorts refuses external ports one NodePort Service cannot
// publish: outside the API server's NodePort range, or different between
// brokers (the Service has one nodePort per port, shared by every node).
// What each broker advertises is the same number, by construction: both
// come from the rendered BrokerConfig.Published.
func checkNodePorts(t Topology) []*FieldError {
	const field = "externalServiceType"
	var errs []*FieldError
	first := map[string]int{}
	for i := 0; i < t.Brokers; i++ {
		for _, m := range published(t.Addressing.Broker(i).Ports) {
			use := portUse{i, m.Service}
			if m.HostPort < nodePortMin || m.HostPort > nodePortMax {
				errs = append(errs, fielderr.New(field, `"NodePort"`,
					fmt.Sprintf("%s would be published on NodePort %d, outside %d-%d", use, m.HostPort, nodePortMin, nodePortMax),
					"use NodePorts inside the API server's range, or a LoadBalancer"))
			}
			if p, ok := first[m.Service]; !ok {
				first[m.Service] = m.HostPort
			} else if p != m.HostPort {
				errs = append(errs, fielderr.New(field, `"NodePort"`,
					fmt.Sprintf("%s advertises port %d but broker 0 advertises %d, and one NodePort Service has one nodePort per port", use, m.HostPort, p),
					"advertise the same NodePort on every broker, or use a LoadBalancer per broker"))
			}
		}
	}
	return errs
}
