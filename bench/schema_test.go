package bench

import (
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/hamba/avro/v2"

	"github.com/marketbus/market-bus/schemas"
)

// TestFxTickMatchesTheEncoder: the encoder writes FxTick's fields in this order and types,
// so the schema file must declare exactly these.
func TestFxTickMatchesTheEncoder(t *testing.T) {
	s, err := avro.Parse(schemas.FxTick())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	rec := s.(*avro.RecordSchema)
	if rec.FullName() != "com.marketbus.fx.FxTick" {
		t.Errorf("full name %q", rec.FullName())
	}
	want := []string{"pair", "bid", "ask", "venue", "sequence", "producer_id", "event_time", "intended_send_ns", "send_ns", "padding"}
	if len(rec.Fields()) != len(want) {
		t.Fatalf("%d fields, want %d", len(rec.Fields()), len(want))
	}
	for i, f := range rec.Fields() {
		if f.Name() != want[i] {
			t.Errorf("field %d = %q, want %q", i, f.Name(), want[i])
		}
	}
	if lt := rec.Fields()[6].Type().(avro.LogicalTypeSchema).Logical().Type(); lt != avro.TimestampMicros {
		t.Errorf("event_time logical type %q", lt)
	}
}

func sampleTick() FxTick {
	return FxTick{
		Pair: "EURUSD", Bid: 1.08495, Ask: 1.08505, Venue: benchVenue,
		Sequence: 123456, ProducerID: 3, EventTimeMicro: 1_790_000_000_000_000,
		IntendedSendNs: 5_000_000_000, SendNs: 5_000_120_000,
	}
}

func TestCodecRoundTripAndSize(t *testing.T) {
	c, err := NewCodec(testSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	pad := make([]byte, 4096)
	for _, size := range []int{MinMessageSize, 100, 127, 128, 129, 200, 1024, 4096} {
		tick := sampleTick()
		tick.Padding = pad[:PaddingFor(&tick, size)]
		b, err := c.Encode(&tick)
		if err != nil {
			t.Fatalf("size %d: encode: %v", size, err)
		}
		if len(b) != size || EncodedSize(&tick) != size {
			t.Errorf("size %d: encoded %d bytes, EncodedSize %d", size, len(b), EncodedSize(&tick))
		}
		if b[0] != 0 || binary.BigEndian.Uint32(b[1:5]) != testSchemaID {
			t.Errorf("size %d: header % x, want 00 + id %d", size, b[:5], testSchemaID)
		}
		var got FxTick
		if err := c.Decode(b, &got); err != nil {
			t.Fatalf("size %d: decode: %v", size, err)
		}
		want := tick
		want.Padding = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("size %d: decoded %+v, want %+v", size, got, want)
		}
	}
	// The body is plain Avro: a generic decoder reads it too.
	tick := sampleTick()
	b, _ := c.Encode(&tick)
	var m map[string]any
	if err := avro.Unmarshal(c.schema, b[5:], &m); err != nil || m["pair"] != "EURUSD" {
		t.Errorf("generic decode: %v %v", m, err)
	}
}

func TestCodecValidation(t *testing.T) {
	c, _ := NewCodec(testSchemaID)
	other, _ := NewCodec(testSchemaID + 1)
	enc := func(codec *Codec, mod func(*FxTick)) []byte {
		tick := sampleTick()
		if mod != nil {
			mod(&tick)
		}
		b, err := codec.Encode(&tick)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	badMagic := enc(c, nil)
	badMagic[0] = 0x7f
	for _, tc := range []struct {
		name    string
		payload []byte
		kind    ValidationKind
		decoded bool
	}{
		{"empty", nil, KindTooShort, false},
		{"header only part", []byte{0, 0, 0}, KindTooShort, false},
		{"bad magic", badMagic, KindBadMagic, false},
		{"wrong schema id", enc(other, nil), KindWrongSchemaID, false},
		{"truncated body", enc(c, nil)[:12], KindAvroDecode, false},
		{"garbage body", []byte{0, 0, 0, 0, testSchemaID, 0xff, 0xff, 0xff}, KindAvroDecode, false},
		{"lower-case pair", enc(c, func(t *FxTick) { t.Pair = "eurusd" }), KindBadPair, true},
		{"short pair", enc(c, func(t *FxTick) { t.Pair = "EUR" }), KindBadPair, true},
		{"bid above ask", enc(c, func(t *FxTick) { t.Bid, t.Ask = 2, 1 }), KindBidNotBelowAsk, true},
		{"bid equals ask", enc(c, func(t *FxTick) { t.Bid, t.Ask = 1, 1 }), KindBidNotBelowAsk, true},
		{"NaN bid", enc(c, func(t *FxTick) { t.Bid = math.NaN() }), KindBidNotBelowAsk, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tick FxTick
			err := c.Decode(tc.payload, &tick)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Decode = %v, want a *ValidationError", err)
			}
			if ve.Kind != tc.kind || ve.Decoded() != tc.decoded {
				t.Errorf("kind %s decoded %v, want %s %v (%v)", ve.Kind, ve.Decoded(), tc.kind, tc.decoded, err)
			}
			if tc.decoded && tick.Sequence != sampleTick().Sequence {
				t.Errorf("decoded tick not filled: %+v", tick)
			}
		})
	}
}

func TestPaddingForUnreachable(t *testing.T) {
	tick := sampleTick()
	if n := PaddingFor(&tick, 10); n != 0 {
		t.Errorf("PaddingFor(10) = %d, want 0", n)
	}
	if _, err := NewCodec(-1); err == nil {
		t.Error("NewCodec(-1) succeeded")
	}
}

func TestLongSize(t *testing.T) {
	w := avro.NewWriter(nil, 16)
	for _, v := range []int64{0, 1, -1, 63, 64, -64, -65, 1 << 20, math.MaxInt64, math.MinInt64} {
		w.Reset(nil)
		w.WriteLong(v)
		if got := longSize(v); got != len(w.Buffer()) {
			t.Errorf("longSize(%d) = %d, avro writes %d", v, got, len(w.Buffer()))
		}
	}
}
