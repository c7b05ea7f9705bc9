package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/schemas"
)

// registryURL is the local cluster's registry (scripts/local-cluster), or
// $MARKETBUS_SCHEMA_REGISTRY. This package imports none of ours, so it does not use
// tests/kafkatest.
func registryURL() string {
	if v := os.Getenv("MARKETBUS_SCHEMA_REGISTRY"); v != "" {
		return v
	}
	return "http://127.0.0.1:18081/apis/ccompat/v7"
}

// TestDecodeWithTheWriterSchema: with a registry, the consumer decodes each record with the
// schema its id resolves to. A record whose id the registry lacks, or whose id names a schema
// with the fields in another order, is a validation failure of its kind; the run's pre-flight
// refuses such an id before producing.
func TestDecodeWithTheWriterSchema(t *testing.T) {
	ctx := context.Background()
	cfg := Config{RegistryURL: registryURL()}
	w, err := newWriterSchemas(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprint(time.Now().UnixNano() % 1e9)
	register := func(name, text string) int {
		subject := "bench-" + name + "-" + suffix + "-value"
		ss, err := w.cl.CreateSchema(ctx, subject, sr.Schema{Schema: text})
		if err != nil {
			t.Fatalf("registry at %s: %v", cfg.RegistryURL, err)
		}
		t.Cleanup(func() {
			_, _ = w.cl.DeleteSubject(ctx, subject, sr.SoftDelete)
			_, _ = w.cl.DeleteSubject(ctx, subject, sr.HardDelete)
		})
		return ss.ID
	}
	id := register("fxtick", schemas.FxTick())
	// bid and ask swapped: same names and types, another encoding.
	swapped := strings.Replace(strings.Replace(schemas.FxTick(), `{"name": "bid"`, `{"name": "TMP"`, 1), `{"name": "ask"`, `{"name": "bid"`, 1)
	swappedID := register("swapped", strings.Replace(swapped, `{"name": "TMP"`, `{"name": "ask"`, 1))

	if err := checkWriterSchema(ctx, w, id); err != nil {
		t.Fatalf("pre-flight of the registered FxTick: %v", err)
	}
	if err := checkWriterSchema(ctx, w, swappedID); err == nil || !strings.Contains(err.Error(), "Parsing Canonical Form differs") {
		t.Fatalf("pre-flight of a reordered schema: %v", err)
	}

	enc, err := NewCodec(id)
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := NewCodec(id)
	dec.writers = w
	tick := FxTick{Pair: "EURUSD", Bid: 1.0841, Ask: 1.0843, Venue: "LMAX", Sequence: 3, ProducerID: 1}
	b, err := enc.Encode(&tick)
	if err != nil {
		t.Fatal(err)
	}
	withID := func(id int) []byte {
		c := append([]byte(nil), b...)
		binary.BigEndian.PutUint32(c[1:5], uint32(id))
		return c
	}
	cases := []struct {
		name string
		raw  []byte
		kind ValidationKind // "" when valid
	}{
		{"the writer schema", withID(id), ""},
		{"an id the registry does not know", withID(2147483000), KindUnknownSchemaID},
		{"an id whose schema has bid and ask swapped", withID(swappedID), KindBidNotBelowAsk},
		{"truncated", withID(id)[:20], KindAvroDecode},
		{"magic byte", append([]byte{1}, withID(id)[1:]...), KindBadMagic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got FxTick
			err := dec.Decode(tc.raw, &got)
			var ve *ValidationError
			switch {
			case tc.kind == "" && err != nil:
				t.Fatalf("valid record refused: %v", err)
			case tc.kind == "" && (got.Pair != tick.Pair || got.Bid != tick.Bid || got.Sequence != tick.Sequence):
				t.Fatalf("decoded %+v, wrote %+v", got, tick)
			case tc.kind != "" && (!errors.As(err, &ve) || ve.Kind != tc.kind):
				t.Fatalf("err = %v, want kind %s", err, tc.kind)
			}
		})
	}
}
