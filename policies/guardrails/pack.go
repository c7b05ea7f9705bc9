package guardrails

import (
	"context"
	"fmt"
	"slices"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/stackenv"
)

// PackName is the policy pack's name, as the engine reports it next to every violation.
const PackName = "market-bus-guardrails"

// PackVersion is the policy pack's version (PulumiPolicy.yaml carries the same one).
const PackVersion = "0.1.0"

// MainPackage is the Go package of the pack's executable, for `go build -o <bin> MainPackage`.
const MainPackage = "github.com/marketbus/market-bus/policies"

// Options bind the pack to the stack the engine analyzes.
type Options struct {
	// Stack is the stack name, as pulumi.Context.Stack() reports it; messages name it.
	Stack string
	// Environment is the stack's declared environment (production, staging, development),
	// as stackenv.Resolve reads it from market-bus:environment. Production turns on the
	// production-only rules and makes every rule mandatory by default.
	Environment string
}

// production reports whether the options describe a production stack.
func (o Options) production() bool { return stackenv.IsProduction(o.Environment) }

// DefaultEnforcement is the level every policy of the pack starts at in environment env:
// mandatory on production, advisory elsewhere. A policy config file can override it (see
// ConfigFile).
func DefaultEnforcement(env string) policyx.EnforcementLevel {
	if stackenv.IsProduction(env) {
		return policyx.EnforcementLevelMandatory
	}
	return policyx.EnforcementLevelAdvisory
}

// LevelName is the name Pulumi's policy config files and output use for level.
func LevelName(level policyx.EnforcementLevel) string {
	switch level {
	case policyx.EnforcementLevelAdvisory:
		return "advisory"
	case policyx.EnforcementLevelMandatory:
		return "mandatory"
	case policyx.EnforcementLevelDisabled:
		return "disabled"
	case policyx.EnforcementLevelRemediate:
		return "remediate"
	}
	return "unknown"
}

// Factory is the function policyx.Main runs once the engine has said which stack it
// analyzes. The analyzer sees resources, not the program's config, but the engine hands it
// the stack's config in ConfigureStack (the same values the program reads), so the pack
// resolves market-bus:environment exactly as stacks.Load does: a stack is production
// because it says so, whatever its name.
func Factory(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	raw, _ := ctx.GetConfig(stackenv.Key)
	env, err := stackenv.Resolve(ctx.Stack(), raw)
	if err != nil {
		return nil, fmt.Errorf("%s cannot tell which rules apply: %w", PackName, err)
	}
	return NewPack(Options{Stack: ctx.Stack(), Environment: env})
}

// NewPack builds the pack for one stack: every policy at DefaultEnforcement(o.Environment).
func NewPack(o Options) (policyx.PolicyPack, error) {
	defs := definitions()
	policies := make([]policyx.Policy, 0, len(defs))
	for _, d := range defs {
		policies = append(policies, d.bind(o))
	}
	return policyx.NewPolicyPack(PackName, semver.MustParse(PackVersion), DefaultEnforcement(o.Environment), policies)
}

// definition is one policy before it is bound to a stack. Exactly one of check and
// checkStack is set.
type definition struct {
	name        string
	description string
	// prodOnly policies check nothing on stacks whose environment is not production.
	prodOnly bool
	// types are the resource types a resource policy looks at (empty for stack policies).
	types    []string
	settings []setting
	// check returns the violations of one resource.
	check func(o Options, r policyx.AnalyzerResource, cfg map[string]any) []string
	// checkStack returns the violations found across the stack's resources.
	checkStack func(o Options, rs []policyx.AnalyzerResource) []finding
}

// finding is one violation of a stack policy, attributed to a resource.
type finding struct {
	urn string
	msg string
}

// bind turns the definition into a policyx policy for the stack in o.
func (d definition) bind(o Options) policyx.Policy {
	level := DefaultEnforcement(o.Environment)
	schema := schemaOf(d.settings...)
	if d.checkStack != nil {
		return policyx.NewStackValidationPolicy(d.name, policyx.StackValidationPolicyArgs{
			Description:      d.description,
			EnforcementLevel: level,
			ConfigSchema:     schema,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				if d.prodOnly && !o.production() {
					return nil
				}
				for _, f := range d.checkStack(o, args.Resources) {
					args.Manager.ReportViolation(f.msg, f.urn)
				}
				return nil
			},
		})
	}
	return policyx.NewResourceValidationPolicy(d.name, policyx.ResourceValidationPolicyArgs{
		Description:      d.description,
		EnforcementLevel: level,
		ConfigSchema:     schema,
		ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
			if d.prodOnly && !o.production() {
				return nil
			}
			if !slices.Contains(d.types, args.Resource.Type) {
				return nil
			}
			for _, msg := range d.check(o, args.Resource, args.Config) {
				args.Manager.ReportViolation(msg, args.Resource.URN)
			}
			return nil
		},
	})
}

// definitions lists every policy of the pack, in the order Catalog shows them.
func definitions() []definition {
	return []definition{
		topicReplication(),
		topicRetention(),
		topicPartitions(),
		topicDeletionProtection(),
		topicCleanupPolicy(),
		topicCapacity(),
		schemaCompatibility(),
		schemaSubjectTopic(),
		schemaHardDelete(),
		imagePinned(),
		brokerMemoryPerCore(),
		brokerStorage(),
		brokerHighAvailability(),
		kafkaTLSSASL(),
		volumeRetention(),
		alertAnnotations(),
		grafanaCredentialsSecret(),
		latencyGate(),
		noPlaintextSecrets(),
		noInsecureSkipVerify(),
		externalListenersRestricted(),
		listenersAuthenticated(),
		networkPolicyPresent(),
		podSecurityRestricted(),
		aclNoWildcardAll(),
		aclNoWildcardPrincipal(),
		principalHasACL(),
		principalQuota(),
	}
}
