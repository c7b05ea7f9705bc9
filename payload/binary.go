package payload

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/hamba/avro/v2"
)

// wireHeader is the Confluent wire format's header: magic byte 0, 4-byte big-endian id.
const wireHeader = 5

// splitWire checks the wire-format header and returns the schema id and the Avro body.
func splitWire(b []byte) (int, []byte, *Problem) {
	switch {
	case len(b) < wireHeader:
		return 0, nil, &Problem{Message: fmt.Sprintf("truncated: %d bytes, the wire-format header alone needs %d (magic byte 0, 4-byte schema id)", len(b), wireHeader)}
	case b[0] != 0:
		return 0, nil, &Problem{Message: fmt.Sprintf("magic byte is 0x%02x, want 0x00: not Confluent wire format", b[0])}
	}
	return int(binary.BigEndian.Uint32(b[1:wireHeader])), b[wireHeader:], nil
}

// binReader walks an Avro binary body by schema, so a failure can name the field and the
// byte offset; a generic decoder only says that decoding failed.
type binReader struct {
	b   []byte
	off int
}

// errEnd marks a body that ends inside a value.
var errEnd = errors.New("unexpected end of data")

func (r *binReader) byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, errEnd
	}
	r.off++
	return r.b[r.off-1], nil
}

// long reads a zig-zag varint of at most 10 bytes.
func (r *binReader) long() (int64, error) {
	var u uint64
	for shift := uint(0); shift < 70; shift += 7 {
		c, err := r.byte()
		if err != nil {
			return 0, err
		}
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), nil
		}
	}
	return 0, errors.New("varint longer than 10 bytes")
}

func (r *binReader) take(n int64) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("negative length %d", n)
	}
	if n > int64(len(r.b)-r.off) {
		return nil, fmt.Errorf("%w: %d bytes announced, %d left", errEnd, n, len(r.b)-r.off)
	}
	r.off += int(n)
	return r.b[r.off-int(n) : r.off], nil
}

// value reads one value of schema s at path; the first problem stops the walk, since the
// bytes after it can no longer be framed.
func (r *binReader) value(s avro.Schema, path string) *Problem {
	start := r.off
	fail := func(err error) *Problem {
		return &Problem{Path: path, Message: fmt.Sprintf("%s at byte %d reading %s: %v", "bad data", wireHeader+start, typeName(s), err)}
	}
	if ref, ok := s.(*avro.RefSchema); ok {
		s = ref.Schema()
	}
	switch s.Type() {
	case avro.Null:
	case avro.Boolean:
		c, err := r.byte()
		if err == nil && c > 1 {
			err = fmt.Errorf("boolean byte is %d, want 0 or 1", c)
		}
		if err != nil {
			return fail(err)
		}
	case avro.Int, avro.Long:
		v, err := r.long()
		if err == nil && s.Type() == avro.Int && (v < math.MinInt32 || v > math.MaxInt32) {
			err = fmt.Errorf("%d does not fit an int", v)
		}
		if err != nil {
			return fail(err)
		}
	case avro.Float:
		if _, err := r.take(4); err != nil {
			return fail(err)
		}
	case avro.Double:
		if _, err := r.take(8); err != nil {
			return fail(err)
		}
	case avro.Bytes, avro.String:
		n, err := r.long()
		if err != nil {
			return fail(err)
		}
		b, err := r.take(n)
		if err == nil && s.Type() == avro.String && !utf8.Valid(b) {
			err = errors.New("the string is not valid UTF-8")
		}
		if err != nil {
			return fail(err)
		}
	case avro.Fixed:
		if _, err := r.take(int64(s.(*avro.FixedSchema).Size())); err != nil {
			return fail(err)
		}
	case avro.Enum:
		e := s.(*avro.EnumSchema)
		i, err := r.long()
		if err == nil && (i < 0 || i >= int64(len(e.Symbols()))) {
			err = fmt.Errorf("symbol index %d is outside enum %s %v", i, e.FullName(), e.Symbols())
		}
		if err != nil {
			return fail(err)
		}
	case avro.Array, avro.Map:
		return r.blocks(s, path, fail)
	case avro.Record:
		for _, f := range s.(*avro.RecordSchema).Fields() {
			if p := r.value(f.Type(), join(path, f.Name())); p != nil {
				return p
			}
		}
	case avro.Union:
		u := s.(*avro.UnionSchema)
		i, err := r.long()
		if err == nil && (i < 0 || i >= int64(len(u.Types()))) {
			err = fmt.Errorf("branch index %d is outside union %s", i, branchList(u))
		}
		if err != nil {
			return fail(err)
		}
		return r.value(u.Types()[i], path)
	default:
		return fail(fmt.Errorf("schema type %s is not supported by this validator", s.Type()))
	}
	return nil
}

// blocks reads an array's or map's blocks: a count (negative: followed by the block's byte
// size), the items, until a zero count.
func (r *binReader) blocks(s avro.Schema, path string, fail func(error) *Problem) *Problem {
	for i := 0; ; {
		n, err := r.long()
		if err != nil {
			return fail(err)
		}
		if n == 0 {
			return nil
		}
		if n < 0 {
			n = -n
			if _, err := r.long(); err != nil {
				return fail(err)
			}
		}
		if n > int64(len(r.b)-r.off) { // every item takes at least a byte, except null items
			if a, ok := s.(*avro.ArraySchema); !ok || a.Items().Type() != avro.Null {
				return fail(fmt.Errorf("%w: a block of %d items with %d bytes left", errEnd, n, len(r.b)-r.off))
			}
		}
		for ; n > 0; n, i = n-1, i+1 {
			if a, ok := s.(*avro.ArraySchema); ok {
				if p := r.value(a.Items(), fmt.Sprintf("%s[%d]", path, i)); p != nil {
					return p
				}
				continue
			}
			kn, err := r.long()
			if err != nil {
				return fail(err)
			}
			key, err := r.take(kn)
			if err != nil {
				return fail(err)
			}
			if p := r.value(s.(*avro.MapSchema).Values(), join(path, string(key))); p != nil {
				return p
			}
		}
	}
}

// checkBinary checks that body is exactly one value of the writer schema.
func checkBinary(writer avro.Schema, body []byte) *Problem {
	r := &binReader{b: body}
	if p := r.value(writer, ""); p != nil {
		return p
	}
	if r.off != len(body) {
		return &Problem{Message: fmt.Sprintf("%d bytes left after the record ends at byte %d: the record was written with another schema", len(body)-r.off, wireHeader+r.off)}
	}
	return nil
}
