package payload

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/schemas"
	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestCommandAgainstTheRegistry runs `busctl validate`'s entry against the local registry:
// the shipped good examples pass (exit 0), each bad example fails with its field path (exit
// 1), and wire-format records are checked against the writer schema of their id.
func TestCommandAgainstTheRegistry(t *testing.T) {
	ctx := context.Background()
	cl, err := sr.NewClient(sr.URLs(kafkatest.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	suffix := fmt.Sprint(time.Now().UnixNano() % 1e9)
	ids := map[string]int{}
	for _, f := range []string{"fx_tick", "market_telemetry"} {
		raw, err := os.ReadFile(filepath.Join(schemas.Dir(), f+".avsc"))
		if err != nil {
			t.Fatal(err)
		}
		subject := "validate-" + f + "-" + suffix + "-value"
		ss, err := cl.CreateSchema(ctx, subject, sr.Schema{Schema: string(raw)})
		if err != nil {
			t.Fatalf("registry at %s: %v", kafkatest.RegistryURL(), err)
		}
		ids[f] = ss.ID
		t.Cleanup(func() {
			_, _ = cl.DeleteSubject(ctx, subject, sr.SoftDelete)
			_, _ = cl.DeleteSubject(ctx, subject, sr.HardDelete)
		})
	}
	noStack := func(context.Context, string, string, string) (string, error) {
		return "", errors.New("no stack in this test")
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Command(ctx, append([]string{"--registry", kafkatest.RegistryURL()}, args...), &out, noStack)
		return out.String(), err
	}
	example := func(name string) string { return filepath.Join(schemas.Dir(), "examples", name) }

	for _, f := range []string{"fx_tick", "market_telemetry"} {
		subject := "validate-" + f + "-" + suffix + "-value"
		if out, err := run("--subject", subject, "--json", example(f+"-good.jsonl")); err != nil {
			t.Errorf("%s-good: %v\n%s", f, err, out)
		}
		out, err := run("--subject", subject, "--json", example(f+"-bad.jsonl"), "--output", "json")
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s-bad: err = %v, want ErrInvalid", f, err)
		}
		var rep Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("--output json is not JSON: %v\n%s", err, out)
		}
		if len(rep.Invalid) != rep.Records || rep.Records < 3 || rep.Invalid[0].Line != 1 || rep.Invalid[0].Problems[0].Path == "" {
			t.Errorf("%s-bad report: %+v", f, rep)
		}
	}

	t.Run("wire format", func(t *testing.T) {
		subject := "validate-fx_tick-" + suffix + "-value"
		raw, _ := os.ReadFile(filepath.Join(schemas.Dir(), "fx_tick.avsc"))
		s, err := avro.ParseWithCache(string(raw), "", &avro.SchemaCache{})
		if err != nil {
			t.Fatal(err)
		}
		body, err := avro.Marshal(s, map[string]any{"pair": "EURUSD", "bid": 1.0, "ask": 1.1, "venue": "X", "sequence": int64(0),
			"producer_id": 1, "event_time": time.UnixMicro(1).UTC(), "intended_send_ns": int64(0), "send_ns": int64(0), "padding": []byte{}})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		write := func(name string, id int, magic byte, body []byte) string {
			b := []byte{magic, 0, 0, 0, 0}
			binary.BigEndian.PutUint32(b[1:], uint32(id))
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, append(b, body...), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		good := write("good.bin", ids["fx_tick"], 0, body)
		if out, err := run("--subject", subject, "--avro", good); err != nil {
			t.Fatalf("a valid wire record: %v\n%s", err, out)
		}
		cases := []struct{ name, file, want string }{
			{"unknown schema id", write("unknown.bin", 999999, 0, body), "schema id 999999 (in the record's header) is not in the registry"},
			{"magic byte", write("magic.bin", ids["fx_tick"], 1, body), "magic byte is 0x01"},
			{"truncated", write("trunc.bin", ids["fx_tick"], 0, body[:9]), "bid: schema id " + fmt.Sprint(ids["fx_tick"]) + ": bad data at byte 12 reading double"},
			{"written with another subject's schema", write("other.bin", ids["market_telemetry"], 0, body), "schema id " + fmt.Sprint(ids["market_telemetry"])},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				out, err := run("--subject", subject, "--avro", tc.file)
				if !errors.Is(err, ErrInvalid) || !strings.Contains(out, tc.want) {
					t.Fatalf("err = %v, output:\n%s\nwant %q", err, out, tc.want)
				}
			})
		}
	})

	t.Run("usage errors", func(t *testing.T) {
		if _, err := run("--subject", "x-value"); err == nil || !strings.Contains(err.Error(), "--json FILE or --avro FILE") {
			t.Errorf("no files: %v", err)
		}
		if _, err := run("--subject", "no-such-subject-"+suffix, "--json", example("fx_tick-good.jsonl")); err == nil || !strings.Contains(err.Error(), "no-such-subject") {
			t.Errorf("unknown subject: %v", err)
		}
	})
}
