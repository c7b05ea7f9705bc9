package cluster

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// TestDockerSASLOnALANHost: a dev cluster published beyond loopback authenticates every
// listener, and its bootstrap user reaches Redpanda through a secret file, never the
// container's environment (which `docker inspect` shows).
func TestDockerSASLOnALANHost(t *testing.T) {
	a := devArgs()
	a.ExternalHost = "bus.lan"
	withSASL(&a)
	m, _, err := deploy(t, a)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		c, ok := m.byName("bus-broker-" + string(rune('0'+i)))
		if !ok {
			t.Fatalf("no container bus-broker-%d", i)
		}
		cmd := strings.Join(toStrings(c.Inputs["command"]), " ")
		for _, want := range []string{"|sasl", "|http_basic"} {
			if !strings.Contains(cmd, want) {
				t.Errorf("broker %d command lacks %q: %s", i, want, cmd)
			}
		}
		if strings.Contains(cmd, "external://0.0.0.0:") && !strings.Contains(cmd, "|sasl") {
			t.Errorf("broker %d has an unauthenticated external listener: %s", i, cmd)
		}
		if got := toStrings(c.Inputs["entrypoints"]); len(got) != 4 || !strings.Contains(got[2], "cat /run/secrets/redpanda_bootstrap_user") || !strings.Contains(got[2], "exec /entrypoint.sh") {
			t.Errorf("broker %d entrypoint = %q, want the wrapper that exports RP_BOOTSTRAP_USER from the secret file", i, got)
		}
		if env := c.Inputs["envs"]; env != nil && strings.Contains(toJSONString(env), "RP_BOOTSTRAP_USER") {
			t.Errorf("broker %d environment holds the bootstrap user: %v", i, env)
		}
		var bootstrap, secretFile resource.PropertyValue
		for _, u := range c.raw["uploads"].ArrayValue() {
			o := u.ObjectValue()
			switch o["file"].StringValue() {
			case BootstrapPath:
				bootstrap = o["content"]
			case "/run/secrets/redpanda_bootstrap_user":
				secretFile = o["content"]
			}
		}
		if !secretFile.IsSecret() || secretFile.SecretValue().Element.StringValue() != "admin:pw:SCRAM-SHA-512" {
			t.Errorf("broker %d bootstrap user file = %v, want the secret admin:pw:SCRAM-SHA-512", i, secretFile)
		}
		for _, want := range []string{"enable_sasl: true", "admin_api_require_auth: true", "kafka_enable_authorization: true", "- admin"} {
			if !strings.Contains(bootstrap.StringValue(), want) {
				t.Errorf("broker %d .bootstrap.yaml lacks %q:\n%s", i, want, bootstrap.StringValue())
			}
		}
		for _, p := range c.Inputs["ports"].([]any) {
			if ip := p.(map[string]any)["ip"]; ip != "0.0.0.0" {
				t.Errorf("broker %d port %v binds %v, want 0.0.0.0 for a LAN host", i, p, ip)
			}
		}
	}
}

// TestComposeSASLUsesASecret: the Compose file mounts the bootstrap user as a Compose secret
// read from $REDPANDA_BOOTSTRAP_USER and wraps the entrypoint the same way.
func TestComposeSASLUsesASecret(t *testing.T) {
	a := devArgs()
	a.ExternalHost = "bus.lan"
	withSASL(&a)
	d, f := composeOf(t, a)
	if sec := f.Secrets["redpanda_bootstrap_user"]; sec.Environment != "REDPANDA_BOOTSTRAP_USER" {
		t.Errorf("top-level secret = %+v, want it read from $REDPANDA_BOOTSTRAP_USER", sec)
	}
	for _, c := range d.Containers {
		s := f.Services[c.Hostname]
		if len(s.Secrets) != 1 || s.Secrets[0].Target != "/run/secrets/redpanda_bootstrap_user" || s.Secrets[0].Source != "redpanda_bootstrap_user" {
			t.Errorf("%s secrets = %+v", c.Hostname, s.Secrets)
		}
		if len(s.Entrypoint) != 4 || !strings.Contains(s.Entrypoint[2], "RP_BOOTSTRAP_USER") {
			t.Errorf("%s entrypoint = %q", c.Hostname, s.Entrypoint)
		}
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func toJSONString(v any) string {
	var b strings.Builder
	for _, s := range toStrings(v) {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}
