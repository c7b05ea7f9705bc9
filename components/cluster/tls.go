package cluster

import "encoding/json"

// tlsListener is one entry of a Redpanda `*_api_tls` node-config list.
// Redpanda applies an entry to the listener of the same name. Field order
// is fixed by the struct, so the rendered JSON is stable.
type tlsListener struct {
	// Name is omitted for the admin API: rpk start has no admin flag, so
	// the image's default admin listener, which has no name, is the one
	// running, and only an entry without a name matches it.
	Name              string `json:"name,omitempty"`
	Enabled           bool   `json:"enabled"`
	CertFile          string `json:"cert_file"`
	KeyFile           string `json:"key_file"`
	TruststoreFile    string `json:"truststore_file"`
	RequireClientAuth bool   `json:"require_client_auth"`
}

// brokerTLS is how the HTTP proxy's and schema registry's internal Kafka
// clients dial a TLS listener.
type brokerTLS struct {
	Enabled        bool   `json:"enabled"`
	TruststoreFile string `json:"truststore_file"`
}

// tlsArgs renders TLS as `--set` node-config flags: every Kafka, HTTP proxy,
// schema registry and admin listener, the RPC server, and the internal
// clients of the proxy and the registry. Nothing when TLS is off.
//
// Client certificates are not required: clients authenticate with SASL,
// and mTLS would need a certificate per client the issuer does not make.
func tlsArgs(c TLSConfig, b BrokerConfig) []string {
	if !c.Enabled {
		return nil
	}
	entry := func(name string) tlsListener {
		return tlsListener{Name: name, Enabled: true, CertFile: c.CertFile, KeyFile: c.KeyFile, TruststoreFile: c.TruststoreFile}
	}
	named := func(ls []Listener) []tlsListener {
		out := make([]tlsListener, 0, len(ls))
		for _, l := range ls {
			out = append(out, entry(l.Name))
		}
		return out
	}
	client := brokerTLS{Enabled: true, TruststoreFile: c.TruststoreFile}
	var args []string
	for _, kv := range []struct {
		key string
		val any
	}{
		{"redpanda.kafka_api_tls", named(b.Kafka)},
		{"redpanda.admin_api_tls", []tlsListener{entry("")}},
		{"redpanda.rpc_server_tls", entry("")},
		{"pandaproxy.pandaproxy_api_tls", named(b.HTTPProxy)},
		{"schema_registry.schema_registry_api_tls", named(b.SchemaRegistry)},
		{"pandaproxy_client.broker_tls", client},
		{"schema_registry_client.broker_tls", client},
	} {
		args = append(args, "--set", kv.key+"="+compactJSON(kv.val))
	}
	return args
}

// compactJSON renders v as rpk's --set parses it (YAML, of which JSON is a
// subset), without spaces so the argument stays one word.
func compactJSON(v any) string {
	// Only the plain structs above reach here: strings and bools always
	// marshal, so there is no error to handle.
	b, _ := json.Marshal(v)
	return string(b)
}

// scheme is the URL scheme of the HTTP APIs (admin, proxy, schema registry).
func (c TLSConfig) scheme() string {
	if c.Enabled {
		return "https"
	}
	return "http"
}
