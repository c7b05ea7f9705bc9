package schemas_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/marketbus/market-bus/bench"
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

// TestFxTickIsTheBenchPayload: the latency gate writes its payloads with the schema
// registered for fx-stream-global-value, so the file and the engine's constant must agree.
func TestFxTickIsTheBenchPayload(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), "fx_tick.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := avro.ParseBytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := avro.Parse(bench.FxTickSchema)
	if err != nil {
		t.Fatal(err)
	}
	if file.Fingerprint() != engine.Fingerprint() {
		t.Error("schemas/fx_tick.avsc differs from bench.FxTickSchema: keep them the same")
	}
}
