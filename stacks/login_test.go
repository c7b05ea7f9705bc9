package stacks

import (
	"slices"
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
