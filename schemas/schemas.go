// Package schemas holds the Avro schemas the stacks register: market_telemetry.avsc for
// market-telemetry-value and fx_tick.avsc for fx-stream-global-value. The files are the
// source of truth: Go code reads them through this package (FxTick embeds the file the
// gate's payloads are encoded with), never through a copy.
package schemas

import (
	_ "embed"
	"path/filepath"
	"runtime"
)

//go:embed fx_tick.avsc
var fxTick string

// FxTick returns schemas/fx_tick.avsc, the schema of the FX ticks the latency gate and
// busctl bench write (record com.marketbus.fx.FxTick), as registered for
// fx-stream-global-value.
func FxTick() string { return fxTick }

// Dir returns the directory holding the schema files of this source tree.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}
