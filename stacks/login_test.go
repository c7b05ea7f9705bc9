package stacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// TestProgramSASLLoginComesFirst: with SASL the provider's LoginCredential is registered
// with the provider's own user and password (secret), every topic waits for it, and
// saslPreviousPassword reaches the provider as sasl.previousPassword, a secret; without it
// the provider gets no previousPassword.
func TestProgramSASLLoginComesFirst(t *testing.T) {
	tests := []struct {
		name     string
		previous string
	}{
		{"no rotation", ""},
		{"rotation", "old-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := localConfig()
			cfg[KeyCluster] = `{"sasl":{"mechanism":"SCRAM-SHA-512","username":"bus"}}`
			cfg[KeySASLPassword] = "new-secret"
			if tt.previous != "" {
				cfg[KeySASLPreviousPassword] = tt.previous
			}
			rec, err := runProgram(t, "local", cfg)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			cred, ok := rec.reg["marketbus:index:LoginCredential::sasl-login"]
			if !ok {
				t.Fatalf("no LoginCredential registered; got %v", keys(rec.reg))
			}
			if got := cred.Inputs["username"].StringValue(); got != "bus" {
				t.Errorf("LoginCredential username = %q, want bus", got)
			}
			if pw := cred.Inputs["password"]; !pw.IsSecret() || pw.SecretValue().Element.StringValue() != "new-secret" {
				t.Errorf("LoginCredential password = %v, want the secret saslPassword", pw)
			}
			topic := rec.reg["marketbus:index:Topic::market-telemetry"]
			deps := topic.RegisterRPC.GetDependencies()
			if !slices.ContainsFunc(deps, func(u string) bool { return resource.URN(u).Name() == "sasl-login" }) {
				t.Errorf("topic market-telemetry does not wait for the login credential: depends on %v", deps)
			}
			sasl := rec.reg["pulumi:providers:marketbus::marketbus"].Inputs["sasl"].ObjectValue()
			prev, has := sasl["previousPassword"]
			switch {
			case tt.previous == "" && has && !prev.IsNull():
				t.Errorf("provider sasl.previousPassword = %v, want none", prev)
			case tt.previous != "" && (!prev.IsSecret() || prev.SecretValue().Element.StringValue() != tt.previous):
				t.Errorf("provider sasl.previousPassword = %v, want the secret saslPreviousPassword", prev)
			}
		})
	}
}

// TestProgramNoSASLNoLoginCredential: without SASL there is no login to rotate.
func TestProgramNoSASLNoLoginCredential(t *testing.T) {
	rec, err := runProgram(t, "local", localConfig())
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	if _, ok := rec.reg["marketbus:index:LoginCredential::sasl-login"]; ok {
		t.Error("a LoginCredential was registered for a stack without SASL")
	}
}

// TestProgramDevOnALANHostAuthenticates: dev published beyond loopback with cluster.sasl
// creates brokers whose every listener authenticates, and the provider logs in as the
// bootstrap user.
func TestProgramDevOnALANHostAuthenticates(t *testing.T) {
	rec, err := runProgram(t, "dev", map[string]string{
		KeyCluster:              `{"externalHost":"bus.lan","sasl":{"mechanism":"SCRAM-SHA-512","username":"admin"}}`,
		KeySASLPassword:         "pw",
		KeyGrafanaAdminPassword: "admin-pw",
	})
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	brokers := 0
	for _, c := range findType(rec, "docker:index/container:Container") {
		cmd := c.Inputs["command"].String()
		if !strings.Contains(cmd, "--kafka-addr") {
			continue // Prometheus, Grafana
		}
		brokers++
		if !strings.Contains(cmd, "|sasl") || !strings.Contains(cmd, "|http_basic") {
			t.Errorf("%s: listeners without authentication: %s", c.Name, cmd)
		}
		if !c.Inputs["uploads"].ContainsSecrets() {
			t.Errorf("%s: the bootstrap user file is not a secret", c.Name)
		}
	}
	if brokers != 3 {
		t.Errorf("%d broker containers, want 3", brokers)
	}
	sasl := rec.reg["pulumi:providers:marketbus::marketbus"].Inputs["sasl"]
	if !sasl.IsObject() || sasl.ObjectValue()["username"].StringValue() != "admin" {
		t.Errorf("provider sasl = %v, want the bootstrap user", sasl)
	}
}
