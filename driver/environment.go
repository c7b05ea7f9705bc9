package driver

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/marketbus/market-bus/stackenv"
	"github.com/marketbus/market-bus/stacks"
)

// EnvironmentKey is the stack setting that says a stack is production, staging or development.
var EnvironmentKey = config.MustMakeKey(stacks.Project, "environment")

// IsProduction reports whether a stack is a production stack: market-bus:environment is
// production, or, when it is not set, the stack's default (prod is production). It reads
// the stack file rather than a loaded Spec, so busctl can guard state and secrets before any
// program runs; an invalid environment is an error naming the key.
func IsProduction(stack string, ps *workspace.ProjectStack) (bool, error) {
	raw := ""
	if ps != nil {
		if v, ok := ps.Config[EnvironmentKey]; ok {
			if v.Secure() {
				return false, fmt.Errorf("%s is encrypted: it is not a secret, set it in plain text (production, staging or development)", stackenv.Key)
			}
			s, err := v.Value(config.NopDecrypter)
			if err != nil {
				return false, fmt.Errorf("reading %s: %w", stackenv.Key, err)
			}
			raw = s
		}
	}
	env, err := stackenv.Resolve(stack, raw)
	if err != nil {
		return false, err
	}
	return stackenv.IsProduction(env), nil
}

// Production reports whether the stack of o is a production stack, from its config file.
func Production(o Options) (bool, error) {
	o, err := Resolve(o)
	if err != nil {
		return false, err
	}
	ps, err := workspace.LoadProjectStack(nil, o.project, o.StackFile)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", o.StackFile, err)
	}
	return IsProduction(o.Stack, ps)
}
