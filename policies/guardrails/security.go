package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// kafkaTLSSASL: prod clients authenticate and nobody reads the wire.
//
// It reads the marketbus provider's config (explicit providers and the default one alike),
// the only place the program states how clients reach the Kafka API. Whether the brokers'
// own listeners require TLS and SASL lives in the Redpanda config the cluster component
// renders into a file, not in a resource input this pack could read.
func kafkaTLSSASL() definition {
	mechanisms := listSetting("allowedSaslMechanisms", "SASL mechanisms allowed on prod.", []string{"SCRAM-SHA-256", "SCRAM-SHA-512"})
	return definition{
		name:        "kafka-tls-sasl",
		description: "On production, the marketbus provider dials the Kafka API with TLS (tls.enabled) and SASL/SCRAM (sasl with mechanism, username and password).",
		prodOnly:    true,
		types:       []string{typeMarketbusProv},
		settings:    []setting{mechanisms},
		check: func(o Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			var out []string
			if tls := r.Properties.Get("tls"); !tls.IsComputed() {
				tlsObj, _ := object(tls)
				enabled := at(tlsObj, "enabled")
				if on, ok := boolean(enabled); !enabled.IsComputed() && (!ok || !on) {
					got := "tls is not set"
					if ok {
						got = "tls.enabled false"
					}
					out = append(out, fmt.Sprintf("%s: %s on stack %s; rule: prod clients use TLS (tls: {enabled: true})", label(r), got, o.Stack))
				}
			}
			sasl := r.Properties.Get("sasl")
			if sasl.IsComputed() {
				return out
			}
			saslObj, ok := object(sasl)
			if !ok {
				return append(out, fmt.Sprintf("%s: sasl is not set on stack %s; rule: prod clients authenticate with SASL (%s)",
					label(r), o.Stack, strings.Join(mechanisms.list(cfg), " or ")))
			}
			if mech := saslObj.Get("mechanism"); !mech.IsComputed() && !containsFold(mechanisms.list(cfg), stringOr(mech)) {
				out = append(out, fmt.Sprintf("%s: sasl.mechanism %q is not one of %s on stack %s",
					label(r), stringOr(mech), strings.Join(quoteAll(mechanisms.list(cfg)), ", "), o.Stack))
			}
			for _, key := range []string{"username", "password"} {
				if v := saslObj.Get(key); !v.IsComputed() && stringOr(v) == "" {
					out = append(out, fmt.Sprintf("%s: sasl.%s is empty on stack %s; rule: SASL needs a username and a password", label(r), key, o.Stack))
				}
			}
			return out
		},
	}
}

// grafanaSecretInputs are the Grafana provider and data source inputs that hold credentials
// (the ones the pulumiverse Grafana SDK itself wraps in secrets).
func grafanaSecretInputs(typ string) []string {
	if typ == typeDataSource || typ == typeDataSourceOld {
		return []string{"secureJsonDataEncoded", "httpHeaders", "basicAuthPassword"}
	}
	return []string{
		"auth", "cloudAccessPolicyToken", "cloudProviderAccessToken", "connectionsApiAccessToken",
		"fleetManagementAuth", "frontendO11yApiAccessToken", "httpHeaders", "k6AccessToken",
		"oncallAccessToken", "smAccessToken", "tlsKey",
	}
}

// grafanaCredentialsSecret: a Grafana token in plain text ends up in the state file and in logs.
func grafanaCredentialsSecret() definition {
	return definition{
		name: "grafana-credentials-secret",
		description: "Grafana credentials are Pulumi secrets: the provider's auth and tokens, " +
			"data sources' secureJsonDataEncoded and httpHeaders.",
		types: []string{typeGrafanaProv, typeGrafanaProvIdx, typeDataSource, typeDataSourceOld},
		check: func(_ Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			var out []string
			for _, key := range grafanaSecretInputs(r.Type) {
				for _, pv := range plainStrings(key, r.Properties.Get(key)) {
					out = append(out, fmt.Sprintf("%s: input %q holds a plain-text value (%d characters), not a secret; rule: Grafana credentials must be secrets (pulumi config set --secret, pulumi.ToSecret)",
						label(r), pv.path, pv.length))
				}
			}
			return out
		},
	}
}

// plainValue is a known, non-empty, non-secret string found under a path.
type plainValue struct {
	path   string
	length int
}

// plainStrings lists the strings under v (named path) that are known, non-empty and not
// secret. A secret object or array covers everything inside it.
func plainStrings(path string, v property.Value) []plainValue {
	switch {
	case v.Secret() || v.IsComputed():
		return nil
	case v.IsString():
		if v.AsString() == "" {
			return nil
		}
		return []plainValue{{path, len(v.AsString())}}
	case v.IsMap():
		var out []plainValue
		for k, e := range v.AsMap().AllStable {
			out = append(out, plainStrings(path+"."+k, e)...)
		}
		return out
	case v.IsArray():
		var out []plainValue
		for i, e := range items(v) {
			out = append(out, plainStrings(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
		return out
	}
	return nil
}
