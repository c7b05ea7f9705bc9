package bench

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/hamba/avro/v2"

	"github.com/marketbus/market-bus/schemas"
)

// wireHeaderSize is the Confluent wire-format header: magic byte 0 and a
// 4-byte big-endian schema id.
const wireHeaderSize = 5

// MinMessageSize is the smallest accepted [Config.MessageSize]. A tick
// without padding takes about 60 bytes; a smaller target is not reachable.
const MinMessageSize = 64

// FxTick is one benchmark record. Field tags follow [schemas.FxTick].
type FxTick struct {
	Pair           string  `avro:"pair"`
	Bid            float64 `avro:"bid"`
	Ask            float64 `avro:"ask"`
	Venue          string  `avro:"venue"`
	Sequence       int64   `avro:"sequence"`
	ProducerID     int32   `avro:"producer_id"`
	EventTimeMicro int64   `avro:"event_time"` // microseconds since the Unix epoch
	IntendedSendNs int64   `avro:"intended_send_ns"`
	SendNs         int64   `avro:"send_ns"`
	Padding        []byte  `avro:"padding"`
}

// fxTickNoPad mirrors FxTick without the padding field, so decoding skips
// the padding bytes instead of copying them.
type fxTickNoPad struct {
	Pair           string  `avro:"pair"`
	Bid            float64 `avro:"bid"`
	Ask            float64 `avro:"ask"`
	Venue          string  `avro:"venue"`
	Sequence       int64   `avro:"sequence"`
	ProducerID     int32   `avro:"producer_id"`
	EventTimeMicro int64   `avro:"event_time"`
	IntendedSendNs int64   `avro:"intended_send_ns"`
	SendNs         int64   `avro:"send_ns"`
}

// Codec encodes and decodes FX ticks in the Confluent wire format for one
// schema id. A Codec reuses buffers and is not safe for concurrent use; use
// one per goroutine.
type Codec struct {
	schema   avro.Schema
	schemaID uint32
	w        *avro.Writer
	r        *avro.Reader
	scratch  fxTickNoPad
	writers  *writerSchemas // nil: decode with schema, accept only schemaID
	slab     []byte         // Encode carves payloads from here (see alloc)
}

// slabSize is how much payload memory Encode allocates at once: one allocation per
// ~250 records of 256 B instead of one per record. With the recycled records (producer.go)
// it took malloc from 13 % to 9 % of the engine's CPU profile at 100k msg/s (bench/README.md).
// A slab is freed when its last record is acked.
const slabSize = 64 << 10

// NewCodec returns a codec that writes schemaID into every payload and
// accepts only payloads carrying schemaID.
func NewCodec(schemaID int) (*Codec, error) {
	if schemaID < 0 || int64(schemaID) > 1<<31-1 {
		return nil, fmt.Errorf("bench: schema id %d out of range [0, 2147483647]", schemaID)
	}
	schema, err := avro.Parse(schemas.FxTick())
	if err != nil {
		return nil, fmt.Errorf("bench: parsing FxTick schema: %w", err)
	}
	return &Codec{
		schema:   schema,
		schemaID: uint32(schemaID),
		w:        avro.NewWriter(nil, 1024),
		r:        avro.NewReader(nil, 0),
	}, nil
}

// alloc returns n fresh bytes, carved from the current slab while it has room. The
// three-index slice caps each payload at n, so an append by a holder cannot reach
// the next payload.
func (c *Codec) alloc(n int) []byte {
	if n > slabSize/4 {
		return make([]byte, n)
	}
	if len(c.slab) < n {
		c.slab = make([]byte, slabSize)
	}
	out := c.slab[:n:n]
	c.slab = c.slab[n:]
	return out
}

// SchemaID returns the schema id the codec writes and expects.
func (c *Codec) SchemaID() int { return int(c.schemaID) }

// Encode returns t in the Confluent wire format in a slice of exactly
// [EncodedSize](t) bytes that the codec never writes again (the caller may hand it
// to a producer).
func (c *Codec) Encode(t *FxTick) ([]byte, error) {
	c.w.Reset(nil)
	c.w.Error = nil
	c.w.WriteVal(c.schema, t)
	if c.w.Error != nil {
		return nil, fmt.Errorf("bench: encoding FxTick seq %d: %w", t.Sequence, c.w.Error)
	}
	body := c.w.Buffer()
	out := c.alloc(wireHeaderSize + len(body))
	out[0] = 0
	binary.BigEndian.PutUint32(out[1:wireHeaderSize], c.schemaID)
	copy(out[wireHeaderSize:], body)
	return out, nil
}

// Decode parses a wire-format payload into t and validates it: magic byte,
// schema id, Avro body, pair (six upper-case letters) and bid < ask. The
// padding is skipped: t.Padding is set to nil. A codec of a run with a
// registry decodes the body with the writer schema the registry holds for the
// record's id; without one, with schemas.FxTick, accepting only its own id.
//
// Any failure is a *[ValidationError]. When its [ValidationError.Decoded]
// reports true (a semantic check failed), t holds the decoded record, so the
// caller can still account for its sequence.
func (c *Codec) Decode(b []byte, t *FxTick) error {
	if len(b) < wireHeaderSize {
		return &ValidationError{Kind: KindTooShort, Detail: fmt.Sprintf("payload has %d bytes, the wire header needs %d", len(b), wireHeaderSize)}
	}
	if b[0] != 0 {
		return &ValidationError{Kind: KindBadMagic, Detail: fmt.Sprintf("magic byte is 0x%02x, want 0x00", b[0])}
	}
	id := binary.BigEndian.Uint32(b[1:wireHeaderSize])
	writer := c.schema
	if c.writers != nil {
		var ve *ValidationError
		if writer, ve = c.writers.get(context.Background(), id); ve != nil {
			return ve
		}
	} else if id != c.schemaID {
		return &ValidationError{Kind: KindWrongSchemaID, Detail: fmt.Sprintf("schema id %d, want %d", id, c.schemaID)}
	}
	c.r.Reset(b[wireHeaderSize:])
	c.r.Error = nil
	s := &c.scratch
	*s = fxTickNoPad{}
	c.r.ReadVal(writer, s)
	if c.r.Error != nil {
		return &ValidationError{Kind: KindAvroDecode, Detail: fmt.Sprintf("schema id %d: %v", id, c.r.Error)}
	}
	*t = FxTick{
		Pair:           s.Pair,
		Bid:            s.Bid,
		Ask:            s.Ask,
		Venue:          s.Venue,
		Sequence:       s.Sequence,
		ProducerID:     s.ProducerID,
		EventTimeMicro: s.EventTimeMicro,
		IntendedSendNs: s.IntendedSendNs,
		SendNs:         s.SendNs,
	}
	if !validPair(t.Pair) {
		return &ValidationError{Kind: KindBadPair, Detail: fmt.Sprintf("pair %q is not six upper-case letters", t.Pair), decoded: true}
	}
	if !(t.Bid < t.Ask) {
		return &ValidationError{Kind: KindBidNotBelowAsk, Detail: fmt.Sprintf("bid %g is not below ask %g", t.Bid, t.Ask), decoded: true}
	}
	return nil
}

func validPair(p string) bool {
	if len(p) != 6 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 'A' || p[i] > 'Z' {
			return false
		}
	}
	return true
}

// EncodedSize returns the wire-format size of t: the 5-byte header plus the
// Avro binary body.
func EncodedSize(t *FxTick) int {
	return wireHeaderSize + unpaddedBodySize(t) + longSize(int64(len(t.Padding))) + len(t.Padding)
}

// PaddingFor returns the padding length that makes t (with its current
// non-padding fields) encode to exactly size bytes, or 0 if size is too small
// to reach.
func PaddingFor(t *FxTick, size int) int {
	remain := size - wireHeaderSize - unpaddedBodySize(t)
	// The padding takes n bytes plus its varint length prefix.
	for n := remain - 1; n >= 0 && n >= remain-10; n-- {
		if n+longSize(int64(n)) == remain {
			return n
		}
	}
	return 0
}

// unpaddedBodySize is the Avro body size of every field but padding.
func unpaddedBodySize(t *FxTick) int {
	return stringSize(t.Pair) + 8 + 8 + stringSize(t.Venue) +
		longSize(t.Sequence) + longSize(int64(t.ProducerID)) + longSize(t.EventTimeMicro) +
		longSize(t.IntendedSendNs) + longSize(t.SendNs)
}

func stringSize(s string) int { return longSize(int64(len(s))) + len(s) }

// longSize is the length of v as an Avro zig-zag varint.
func longSize(v int64) int {
	u := uint64((v << 1) ^ (v >> 63))
	n := 1
	for u >= 0x80 {
		u >>= 7
		n++
	}
	return n
}
