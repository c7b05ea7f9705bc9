package driver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbus/market-bus/stacks"
)

// Lock is a lock an update holds on a stack in a file backend.
type Lock struct {
	// File is the lock file; deleting it (busctl cancel) unlocks the stack.
	File string
	// Owner is user@host (pid N) of the process that took the lock.
	Owner string
	// Since is when the lock was taken.
	Since time.Time
}

// Locks lists the locks on the stack when its backend is a file:// backend; other backends
// report their lock holder themselves and yield nil.
func Locks(o Options) ([]Lock, error) {
	o, err := Resolve(o)
	if err != nil {
		return nil, err
	}
	dir, ok := strings.CutPrefix(o.BackendURL, "file://")
	if !ok {
		return nil, nil
	}
	dir = strings.TrimSuffix(strings.SplitN(dir, "?", 2)[0], "/")
	// Project-scoped layout (organization/<project>/<stack>) and the legacy flat one.
	var files []string
	for _, pattern := range []string{
		filepath.Join(dir, ".pulumi", "locks", "organization", stacks.Project, o.Stack, "*.json"),
		filepath.Join(dir, ".pulumi", "locks", o.Stack, "*.json"),
	} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	locks := make([]Lock, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading lock %s: %w", f, err)
		}
		var c struct {
			Pid       int       `json:"pid"`
			Username  string    `json:"username"`
			Hostname  string    `json:"hostname"`
			Timestamp time.Time `json:"timestamp"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("reading lock %s: %w", f, err)
		}
		locks = append(locks, Lock{File: f, Owner: fmt.Sprintf("%s@%s (pid %d)", c.Username, c.Hostname, c.Pid), Since: c.Timestamp})
	}
	return locks, nil
}
