package cluster

import (
	"fmt"
	"net"
	"sort"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// Listener exposures. Internal listeners are reachable inside the broker
// network only (the pod network, or the Docker bridge); external ones are
// published (NodePort or LoadBalancer Services, or Docker host ports).
const (
	ExposureInternal = "internal"
	ExposureExternal = "external"
)

// Authentication methods, as Redpanda names them in a listener's
// authentication_method. sasl is for the Kafka API, http_basic for the
// HTTP APIs (schema registry, HTTP proxy, admin); none only when SASL is off.
const (
	AuthSASL      = "sasl"
	AuthHTTPBasic = "http_basic"
	AuthNone      = "none"
)

// ListenerArgs is how one API is exposed and who may use it, the Redpanda
// chart's per-listener settings.
type ListenerArgs struct {
	// Exposure is "internal" or "external". Defaults: Kafka external when
	// the cluster has an external address (externalDomain, or any
	// Docker cluster), everything else internal on Kubernetes; on Docker every
	// API is published to the host, as the compose quickstart does.
	Exposure string `json:"exposure"`
	// SourceRanges are the CIDRs allowed to reach an external listener: the
	// LoadBalancer's loadBalancerSourceRanges, and the NetworkPolicy's
	// ipBlocks. Required for an external listener of a Production cluster.
	SourceRanges []string `json:"sourceRanges"`
	// Annotations go on the Services that publish this API, e.g. a cloud's
	// internal load balancer annotation.
	Annotations map[string]string `json:"annotations"`
	// Authentication is "sasl" (Kafka), "http_basic" (HTTP APIs) or "none".
	// Default: the API's method when SASL is on, none otherwise.
	Authentication string `json:"authentication"`
}

// ListenersArgs are the per-API listener settings.
type ListenersArgs struct {
	Kafka          ListenerArgs `json:"kafka"`
	SchemaRegistry ListenerArgs `json:"schemaRegistry"`
	HTTPProxy      ListenerArgs `json:"httpProxy"`
	Admin          ListenerArgs `json:"admin"`
}

// apiListener names one API's settings for iteration.
type apiListener struct {
	// api is the port-mapping service name ("kafka", "schema-registry", …).
	api string
	// field is the Args field path, for messages.
	field string
	// http is true for the HTTP APIs (http_basic instead of sasl).
	http bool
	l    *ListenerArgs
}

// each lists the four APIs in a fixed order.
func (l *ListenersArgs) each() []apiListener {
	return []apiListener{
		{"kafka", "listeners.kafka", false, &l.Kafka},
		{"schema-registry", "listeners.schemaRegistry", true, &l.SchemaRegistry},
		{"http-proxy", "listeners.httpProxy", true, &l.HTTPProxy},
		{"admin", "listeners.admin", true, &l.Admin},
	}
}

// External reports which APIs are published.
func (l ListenersArgs) External() ExternalAPIs {
	return ExternalAPIs{
		Kafka:          l.Kafka.Exposure == ExposureExternal,
		SchemaRegistry: l.SchemaRegistry.Exposure == ExposureExternal,
		HTTPProxy:      l.HTTPProxy.Exposure == ExposureExternal,
		Admin:          l.Admin.Exposure == ExposureExternal,
	}
}

// ExternalAPIs says which APIs have an external listener.
type ExternalAPIs struct {
	Kafka, SchemaRegistry, HTTPProxy, Admin bool
}

// any reports whether anything is published.
func (e ExternalAPIs) any() bool { return e.Kafka || e.SchemaRegistry || e.HTTPProxy || e.Admin }

// withListenerDefaults fills exposure and authentication per API.
func (a Args) withListenerDefaults() Args {
	external := a.Mode == ModeDocker || a.ExternalDomain != ""
	for _, x := range a.Listeners.each() {
		if x.l.Exposure == "" {
			x.l.Exposure = ExposureInternal
			if a.Mode == ModeDocker || (external && x.api == "kafka") {
				x.l.Exposure = ExposureExternal
			}
		}
		if x.l.Authentication == "" {
			switch {
			case !a.SASLOn():
				x.l.Authentication = AuthNone
			case x.http:
				x.l.Authentication = AuthHTTPBasic
			default:
				x.l.Authentication = AuthSASL
			}
		}
	}
	return a
}

// checkListeners refuses listener settings that would serve an API without
// a principal, publish it without a way to reach it, or name CIDRs that do
// not parse. Every message names the field, the value and the fix.
func checkListeners(a Args) []*FieldError {
	var errs []*FieldError
	add := func(field, value, problem, fix string) {
		errs = append(errs, fielderr.New(field, value, problem, fix))
	}
	for _, x := range a.Listeners.each() {
		l := x.l
		switch l.Exposure {
		case ExposureInternal, ExposureExternal:
		default:
			add(x.field+".exposure", fmt.Sprintf("%q", l.Exposure), "not an exposure", `use "internal" or "external"`)
		}
		want := AuthSASL
		if x.http {
			want = AuthHTTPBasic
		}
		switch l.Authentication {
		case want:
			if !a.SASLOn() {
				add(x.field+".authentication", fmt.Sprintf("%q", l.Authentication),
					"needs SCRAM users, which exist only when SASL is on, so nobody could authenticate",
					"turn SASL on, or use \"none\"")
			}
		case AuthNone:
			if a.SASLOn() {
				add(x.field+".authentication", `"none"`,
					fmt.Sprintf("the cluster authenticates clients, but an unauthenticated %s listener would act without a principal and bypass the ACLs", x.api),
					fmt.Sprintf("use %q (the default when clients authenticate)", want))
			}
		default:
			add(x.field+".authentication", fmt.Sprintf("%q", l.Authentication),
				fmt.Sprintf("not an authentication method of the %s API", x.api),
				fmt.Sprintf("use %q, or \"none\" when SASL is off", want))
		}
		for _, r := range l.SourceRanges {
			if _, _, err := net.ParseCIDR(r); err != nil {
				add(x.field+".sourceRanges", fmt.Sprintf("%q", r), "not a CIDR",
					"write an address block such as 10.20.0.0/16 or 203.0.113.7/32")
			}
		}
		if l.Exposure != ExposureExternal {
			if len(l.SourceRanges) > 0 {
				add(x.field+".sourceRanges", fmt.Sprintf("%q", l.SourceRanges), "an internal listener is not published, so source ranges would restrict nothing",
					`remove them, or set exposure to "external"`)
			}
			if len(l.Annotations) > 0 {
				add(x.field+".annotations", fmt.Sprintf("%q", sortedKeys(l.Annotations)), "an internal listener has no Service of its own to annotate",
					`remove them, or set exposure to "external"`)
			}
			continue
		}
		if a.Mode == ModeKubernetes && a.ExternalDomain == "" {
			add(x.field+".exposure", `"external"`, "an external listener needs the name clients outside the cluster dial",
				`set externalDomain, or make the listener "internal"`)
		}
		if a.Production && l.Authentication == AuthNone {
			add(x.field+".authentication", `"none"`, fmt.Sprintf("a Production cluster would publish the %s API without authentication", x.api),
				fmt.Sprintf(`turn SASL on (it sets %q), or make the listener "internal"`, want))
		}
		if a.Production && len(l.SourceRanges) == 0 {
			add(x.field+".sourceRanges", "[]", fmt.Sprintf("a Production cluster would publish the %s API to every address", x.api),
				"list the client networks, e.g. [10.20.0.0/16]; 0.0.0.0/0 only if the whole internet is meant")
		}
	}
	return errs
}

// authSuffix is what rpk's --*-addr flags take after "|" to set a
// listener's authentication_method; nothing for "none".
func authSuffix(method string) string {
	if method == "" || method == AuthNone {
		return ""
	}
	return "|" + method
}

// sourceRanges returns the sorted, deduplicated CIDRs of l.
func (l ListenerArgs) sortedRanges() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range l.SourceRanges {
		r = strings.TrimSpace(r)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
