package guardrails

import (
	"context"
	"slices"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// PackName is the policy pack's name, as the engine reports it next to every violation.
const PackName = "market-bus-guardrails"

// PackVersion is the policy pack's version (PulumiPolicy.yaml carries the same one).
const PackVersion = "0.1.0"

// MainPackage is the Go package of the pack's executable, for `go build -o <bin> MainPackage`.
const MainPackage = "github.com/marketbus/market-bus/policies"

// ProdStack is the stack whose violations block a deployment by default.
const ProdStack = "prod"

// Options bind the pack to the stack the engine analyzes.
type Options struct {
	// Stack is the stack name, as pulumi.Context.Stack() reports it. A fully qualified
	// name (org/project/stack) is accepted too.
	Stack string
}

// prod reports whether the options name the prod stack.
func (o Options) prod() bool { return IsProd(o.Stack) }

// IsProd reports whether stack is the prod stack: "prod", in any case, bare or as the last
// part of a fully qualified name.
func IsProd(stack string) bool {
	if i := strings.LastIndex(stack, "/"); i >= 0 {
		stack = stack[i+1:]
	}
	return strings.EqualFold(stack, ProdStack)
}

// DefaultEnforcement is the level every policy of the pack starts at on stack: mandatory on
// prod, advisory elsewhere. A policy config file can override it (see ConfigFile).
func DefaultEnforcement(stack string) policyx.EnforcementLevel {
	if IsProd(stack) {
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
// analyzes: it binds the pack to ctx.Stack().
func Factory(ctx *pulumi.Context) (policyx.PolicyPack, error) {
	return NewPack(Options{Stack: ctx.Stack()})
}

// NewPack builds the pack for one stack: every policy at DefaultEnforcement(o.Stack).
func NewPack(o Options) (policyx.PolicyPack, error) {
	defs := definitions()
	policies := make([]policyx.Policy, 0, len(defs))
	for _, d := range defs {
		policies = append(policies, d.bind(o))
	}
	return policyx.NewPolicyPack(PackName, semver.MustParse(PackVersion), DefaultEnforcement(o.Stack), policies)
}

// definition is one policy before it is bound to a stack. Exactly one of check and
// checkStack is set.
type definition struct {
	name        string
	description string
	// prodOnly policies check nothing on stacks other than prod.
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
	level := DefaultEnforcement(o.Stack)
	schema := schemaOf(d.settings...)
	if d.checkStack != nil {
		return policyx.NewStackValidationPolicy(d.name, policyx.StackValidationPolicyArgs{
			Description:      d.description,
			EnforcementLevel: level,
			ConfigSchema:     schema,
			ValidateStack: func(_ context.Context, args policyx.StackValidationArgs) error {
				if d.prodOnly && !o.prod() {
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
			if d.prodOnly && !o.prod() {
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
		schemaCompatibility(),
		schemaSubjectTopic(),
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
	}
}
