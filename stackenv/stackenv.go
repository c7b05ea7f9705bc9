// Package stackenv says which kind of environment a stack is: production, staging or
// development. The program, busctl and the policy pack all decide their production guards
// from it (never from the stack's name), so it lives in a package each of them can import
// without pulling in the program.
package stackenv

import (
	"fmt"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// Key is the config key, with the project prefix, that declares a stack's environment.
const Key = "market-bus:environment"

// The environments a stack can declare.
const (
	Production  = "production"
	Staging     = "staging"
	Development = "development"
)

// Names lists the valid environments, most guarded first.
var Names = []string{Production, Staging, Development}

// Default returns the environment of a stack the project ships (prod, dev, local) when its
// config leaves the key out, and false for any other stack: a stack the project does not
// know by name must say what it is, because guessing "development" for a production copy
// would drop every production guard, and guessing "production" for a scratch stack would
// refuse the local passphrase and block on advisory rules.
func Default(stack string) (string, bool) {
	if i := strings.LastIndex(stack, "/"); i >= 0 {
		stack = stack[i+1:]
	}
	switch strings.ToLower(stack) {
	case "prod":
		return Production, true
	case "dev", "local":
		return Development, true
	}
	return "", false
}

// Resolve returns the environment of stack from the raw config value (empty when the key
// is absent), or an error naming the key, the value and the fix.
func Resolve(stack, raw string) (string, error) {
	v := strings.TrimSpace(raw)
	if v == "" {
		if env, ok := Default(stack); ok {
			return env, nil
		}
		return "", fielderr.New(Key, `""`, fmt.Sprintf("not set, and stack %q is not one of prod, dev, local, whose environment is known", stack),
			fmt.Sprintf("set it in Pulumi.%s.yaml to production, staging or development (production turns on every production guard)", stackBase(stack)))
	}
	for _, n := range Names {
		if v == n {
			return n, nil
		}
	}
	return "", fielderr.New(Key, fmt.Sprintf("%q", raw), "not an environment", "use production, staging or development (lower case)")
}

// IsProduction reports whether env is the production environment.
func IsProduction(env string) bool { return env == Production }

func stackBase(stack string) string {
	if i := strings.LastIndex(stack, "/"); i >= 0 {
		return stack[i+1:]
	}
	return stack
}
