// Package schemas holds the Avro schemas the stacks register: market_telemetry.avsc for
// market-telemetry-value and fx_tick.avsc for fx-stream-global-value. The files are the
// source of truth; this package only lets Go code and tests find them.
package schemas

import (
	"path/filepath"
	"runtime"
)

// Dir returns the directory holding the schema files of this source tree.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}
