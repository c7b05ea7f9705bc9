package schemas_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/marketbus/market-bus/schemas"
)

func TestSchemasParse(t *testing.T) {
	for _, f := range []string{"market_telemetry.avsc", "fx_tick.avsc"} {
		raw, err := os.ReadFile(filepath.Join(schemas.Dir(), f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := avro.ParseBytesWithCache(raw, "", &avro.SchemaCache{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestFxTickIsTheFile: the gate encodes with the embedded text, which must be the file the
// stacks register for fx-stream-global-value, byte for byte.
func TestFxTickIsTheFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), "fx_tick.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != schemas.FxTick() {
		t.Error("schemas.FxTick() is not schemas/fx_tick.avsc")
	}
}
