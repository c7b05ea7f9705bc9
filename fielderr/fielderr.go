// Package fielderr is the one error type for a refused setting: which field, the value it
// had, what is wrong with it and how to fix it. The components, the node pool and the
// benchmark all report bad input with it, so a caller tells them apart by type, not by text.
package fielderr

import (
	"errors"
	"fmt"
)

// Error is one refused setting. Field is the name in the vocabulary of the caller's input
// (a Go field path, or a JSON key).
type Error struct {
	Field   string
	Value   any
	Problem string
	Fix     string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("%s = %v: %s; fix: %s", e.Field, e.Value, e.Problem, e.Fix)
}

// Join returns every refusal as one error (nil for none), each still reachable with
// errors.As.
func Join(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// New returns the refusal of field: its value, what is wrong and how to fix it.
func New(field string, value any, problem, fix string) *Error {
	return &Error{Field: field, Value: value, Problem: problem, Fix: fix}
}
