package provider

import "testing"

// TestSASLPasswordFollowsTheLogin: while a rotation is pending the provider's clients present
// the previous password, and the new one once it is set; a copy that logs in as another user
// (the gate's own principal) always presents its own password.
func TestSASLPasswordFollowsTheLogin(t *testing.T) {
	prev := "old"
	cfg := Config{SASL: &SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "admin", Password: "new", PreviousPassword: &prev}}
	cfg.login = &login{owner: cfg.SASL, current: "old", next: "new"}
	gate := cfg
	gate.SASL = &SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "market-bus-gate", Password: "gate-pw"}

	tests := []struct {
		name      string
		rotate    bool
		cfg, gate string
	}{
		{"rotation pending", false, "old", "gate-pw"},
		{"rotated", true, "new", "gate-pw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rotate {
				cfg.login.rotated()
			}
			if got := cfg.saslPassword(); got != tt.cfg {
				t.Errorf("provider presents %q, want %q", got, tt.cfg)
			}
			if _, pw, _ := cfg.basicAuth(); pw != tt.cfg {
				t.Errorf("provider's basic auth presents %q, want %q", pw, tt.cfg)
			}
			if got := gate.saslPassword(); got != tt.gate {
				t.Errorf("gate presents %q, want its own %q", got, tt.gate)
			}
		})
	}
}
