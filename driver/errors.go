package driver

import "strings"

// briefError keeps the Automation API error for errors.As/Is (auto.IsConcurrentUpdateError
// needs it) but prints only what was not already shown.
type briefError struct {
	msg string
	err error
}

func (e briefError) Error() string { return e.msg }
func (e briefError) Unwrap() error { return e.err }

// Brief shortens an Automation API error, which repeats the CLI's whole stdout and stderr,
// to its first line plus the CLI's stderr: for calls whose output was not streamed.
func Brief(err error) error {
	if err == nil {
		return nil
	}
	head, stderr := splitAutoError(err.Error())
	if stderr != "" {
		head += ": " + stderr
	}
	return briefError{msg: head, err: err}
}

// BriefStreamed shortens an Automation API error to its first line: the CLI's stdout and
// stderr were streamed to the user already, so repeating them would print every error twice.
func BriefStreamed(err error) error {
	if err == nil {
		return nil
	}
	head, _ := splitAutoError(err.Error())
	return briefError{msg: head, err: err}
}

// splitAutoError splits "<err>\ncode: N\nstdout: ...\nstderr: ...\n" into the leading error
// and the trimmed stderr; any other text is returned whole.
func splitAutoError(s string) (head, stderr string) {
	i := strings.Index(s, "\ncode: ")
	if i < 0 {
		return s, ""
	}
	head = s[:i]
	if j := strings.LastIndex(s, "\nstderr: "); j >= 0 {
		stderr = strings.TrimSpace(s[j+len("\nstderr: "):])
	}
	return head, stderr
}
