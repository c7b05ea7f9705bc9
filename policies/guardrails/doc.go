// Package guardrails is the market-bus policy pack "market-bus-guardrails": the rules every
// market-bus stack must follow, written with the Pulumi Go policy SDK (policyx) so that
// `pulumi preview` and `pulumi up` check them before anything changes.
//
// # Running the pack
//
// The pack is an executable built from ../ (policies/main.go), passed to the engine by path:
//
//	go build -o .cache/bin/market-bus-guardrails ./policies
//	pulumi preview --policy-pack=$PWD/.cache/bin/market-bus-guardrails [--policy-pack-config=cfg.json]
//
// or, through the Automation API, optpreview.PolicyPacks(path) / optpreview.PolicyPackConfigs(file)
// (optup.PolicyPacks / optup.PolicyPackConfigs for up). A directory holding PulumiPolicy.yaml
// works only where the Pulumi Go language plugin is installed.
//
// # Enforcement
//
// The engine tells the pack which stack it analyzes (ConfigureStack); NewPack then gives every
// policy the stack's default level (see DefaultEnforcement): mandatory on prod, advisory on
// every other stack. A policy config file overrides it, per policy
// ({"topic-replication": "advisory"} or {"topic-replication": {"enforcementLevel": "disabled"}})
// or for all policies at once ({"all": "mandatory"}); ConfigFile writes such files.
//
// Rules marked prod-only in Catalog (deletion protection, schema compatibility, broker
// storage, high availability, TLS and SASL, latency gate) check nothing on other stacks,
// whatever their level.
//
// # Configuration
//
// Each resource policy declares a JSON schema of its settings, with defaults; Catalog lists
// them. Stack policies (Scope "stack") have no settings besides enforcementLevel: policyx
// v3.274.1 does not pass policy config to stack validations (StackValidationArgs has no
// Config), so a setting there could never take effect.
package guardrails
