package stacks

import (
	"errors"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// Key returns the full config key of a path under the project, e.g. Key("cluster.memory")
// is market-bus:cluster.memory: what a user writes in busctl config and reads in an error.
func Key(path string) string { return Project + ":" + path }

// underKey re-roots a component's refusals at the stack key whose subtree is the component's
// config: the cluster component's field "memory" is market-bus:cluster.memory. A component
// takes its key's vocabulary, so this is a prefix, never a rewrite of the message. Errors
// that are not field refusals pass through unchanged.
func underKey(key string, err error) []error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var fe *fielderr.Error
		if !errors.As(e, &fe) {
			out = append(out, e)
			continue
		}
		out = append(out, fielderr.New(Key(joinPath(key, fe.Field)), fe.Value, fe.Problem, fe.Fix))
	}
	return out
}

// joinPath appends a field path to a key: an index ("[2].name") attaches without a dot.
func joinPath(key, field string) string {
	switch {
	case field == "":
		return key
	case strings.HasPrefix(field, "["):
		return key + field
	default:
		return key + "." + field
	}
}
