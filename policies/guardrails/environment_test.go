package guardrails

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/stackenv"
)

// TestProductionRulesFollowTheEnvironment replays every failing case of a production-only
// policy: a stack named prod-eu that declares production gets each violation, a stack
// named prod that declares staging gets none. The name decides nothing.
func TestProductionRulesFollowTheEnvironment(t *testing.T) {
	prodOnly := map[string]bool{}
	for _, p := range Catalog() {
		prodOnly[p.Name] = p.ProdOnly
	}
	checked := 0
	for _, c := range allCases(t) {
		if !prodOnly[c.policy] || len(c.want) == 0 || (c.stack != "" && c.stack != "prod") {
			continue
		}
		t.Run(c.policy+"/"+c.name, func(t *testing.T) {
			got, _ := runIn(t, Options{Stack: "prod-eu", Environment: stackenv.Production}, c.policy, c.config, c.resources)
			if len(got) != len(c.want) {
				t.Errorf("prod-eu (production): %q, want %d violation(s) like %q", got, len(c.want), c.want)
			}
			if got, _ := runIn(t, Options{Stack: "prod", Environment: stackenv.Staging}, c.policy, c.config, c.resources); len(got) > 0 {
				t.Errorf("prod (staging): %q, want nothing", got)
			}
		})
		checked++
	}
	if checked == 0 {
		t.Fatal("no production-only failing case found")
	}
}

// TestFactoryReadsTheStackConfig builds the pack the way policyx.Main does, from a context
// carrying the stack config the engine sends in ConfigureStack.
func TestFactoryReadsTheStackConfig(t *testing.T) {
	cases := []struct {
		stack, env string // env empty: the key is left out
		want       policyx.EnforcementLevel
		wantErr    string
	}{
		{"prod-eu", "production", policyx.EnforcementLevelMandatory, ""},
		{"prod", "", policyx.EnforcementLevelMandatory, ""},
		{"prod", "development", policyx.EnforcementLevelAdvisory, ""},
		{"local", "", policyx.EnforcementLevelAdvisory, ""},
		{"staging-eu", "staging", policyx.EnforcementLevelAdvisory, ""},
		{"prod-eu", "", 0, "market-bus:environment = \"\": not set, and stack \"prod-eu\""},
		{"prod-eu", "Prod", 0, `market-bus:environment = "Prod": not an environment; fix: use production, staging or development`},
	}
	for _, tc := range cases {
		t.Run(tc.stack+"/"+tc.env, func(t *testing.T) {
			cfg := map[string]string{}
			if tc.env != "" {
				cfg[stackenv.Key] = tc.env
			}
			ctx, err := pulumi.NewContext(context.Background(), pulumi.RunInfo{Project: "market-bus", Stack: tc.stack, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			pack, err := Factory(ctx)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Factory: %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Factory: %v", err)
			}
			for _, p := range pack.Policies() {
				if p.EnforcementLevel() != tc.want {
					t.Errorf("%s at %s, want %s", p.Name(), LevelName(p.EnforcementLevel()), LevelName(tc.want))
				}
			}
		})
	}
}
