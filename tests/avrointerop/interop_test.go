// Package avrointerop proves the data contract across Avro implementations: records the
// latency gate writes (hamba/avro, in package bench) decode in Apache Avro for Java with the
// writer schema resolved by id from the registry, and nothing else.
package avrointerop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/bench"
	"github.com/marketbus/market-bus/schemas"
	"github.com/marketbus/market-bus/tests/kafkatest"
)

// sampleSize is how many gate records the Java consumer decodes.
const sampleSize = 200

// TestJavaDecodesGateRecords registers schemas/fx_tick.avsc, runs a short gate load with the
// registry configured, then hands a sample of the records to Decode.java. On a registry that
// serves a canonicalised (field-sorted) text for the id, the Java decode fails or yields
// values the producer never wrote.
func TestJavaDecodesGateRecords(t *testing.T) {
	lib := javaClassPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	raw, err := os.ReadFile(filepath.Join(schemas.Dir(), "fx_tick.avsc"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := sr.NewClient(sr.URLs(kafkatest.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("interop-%d-value", time.Now().UnixNano()%1e9)
	ss, err := reg.CreateSchema(ctx, subject, sr.Schema{Schema: string(raw), Type: sr.TypeAvro})
	if err != nil {
		t.Fatalf("registering fx_tick.avsc: %v", err)
	}
	t.Cleanup(func() {
		_, _ = reg.DeleteSubject(context.Background(), subject, sr.SoftDelete)
		_, _ = reg.DeleteSubject(context.Background(), subject, sr.HardDelete)
	})

	topic := strings.TrimSuffix(subject, "-value")
	cfg := bench.Defaults()
	cfg.Brokers, cfg.Topic, cfg.SchemaID, cfg.RegistryURL = kafkatest.Bootstrap(), topic, ss.ID, kafkatest.RegistryURL()
	cfg.CreateTopic, cfg.Partitions, cfg.ReplicationFactor = true, 3, 3
	cfg.Rate, cfg.WarmUp, cfg.Duration, cfg.MessageSize = 500, time.Second, 2*time.Second, 256
	t.Cleanup(func() { _, _ = kafkatest.Admin(t).DeleteTopics(context.Background(), topic) })
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("gate load: %v", err)
	}
	if !res.Validation.OK() || res.Validation.WriterSchema != "registry" {
		t.Fatalf("our consumer, decoding with the writer schema from the registry: %+v", res.Validation)
	}

	dir := t.TempDir()
	files, want := sample(t, ctx, topic, dir, ss.ID)
	cmd := exec.CommandContext(ctx, "java", append([]string{"-cp", lib + "/*", filepath.Join(sourceDir(), "Decode.java"), kafkatest.RegistryURL()}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Apache Avro (Java) could not decode a gate record with the writer schema from the registry: %v\n%s", err, stderr.String())
	}
	decoded := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			File     string          `json:"file"`
			SchemaID int             `json:"schemaId"`
			Record   json.RawMessage `json:"record"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("Decode.java printed %q: %v", sc.Text(), err)
		}
		var got javaTick
		if err := json.Unmarshal(line.Record, &got); err != nil {
			t.Fatalf("record of %s: %v", line.File, err)
		}
		w := want[line.File]
		if line.SchemaID != ss.ID || got != w {
			t.Fatalf("%s: Java decoded %+v with schema id %d; the gate wrote %+v with id %d", line.File, got, line.SchemaID, w, ss.ID)
		}
		decoded++
	}
	if decoded != len(files) {
		t.Fatalf("Java decoded %d of %d records\n%s", decoded, len(files), stderr.String())
	}
}

// javaTick is the part of a decoded FxTick both sides compare.
type javaTick struct {
	Pair       string  `json:"pair"`
	Bid        float64 `json:"bid"`
	Ask        float64 `json:"ask"`
	Venue      string  `json:"venue"`
	Sequence   int64   `json:"sequence"`
	ProducerID int32   `json:"producer_id"`
	SendNs     int64   `json:"send_ns"`
}

// sample reads up to sampleSize records of topic into files, with what the gate wrote in
// each (decoded by our codec with its own schema: the producer's view).
func sample(t *testing.T, ctx context.Context, topic, dir string, id int) ([]string, map[string]javaTick) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafkatest.Bootstrap()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec, err := bench.NewCodec(id)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	want := map[string]javaTick{}
	for len(files) < sampleSize {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		if pctx.Err() != nil && fs.NumRecords() == 0 {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			if len(files) >= sampleSize {
				return
			}
			var tk bench.FxTick
			if err := codec.Decode(r.Value, &tk); err != nil {
				t.Fatalf("record %d/%d is not a tick the gate wrote: %v", r.Partition, r.Offset, err)
			}
			f := filepath.Join(dir, fmt.Sprintf("p%d-o%d.bin", r.Partition, r.Offset))
			if err := os.WriteFile(f, r.Value, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			want[f] = javaTick{tk.Pair, tk.Bid, tk.Ask, tk.Venue, tk.Sequence, tk.ProducerID, tk.SendNs}
		})
	}
	if len(files) == 0 {
		t.Fatal("no gate records to sample")
	}
	return files, want
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// javaClassPath returns the directory of Apache Avro's jars, fetching them from Maven
// Central with pom.xml into the git-ignored .cache on first use (and when the pom changes).
// A file lock keeps parallel test binaries from fetching twice.
func javaClassPath(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"java", "mvn"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH: the interop test runs Apache Avro for Java (JDK 17+ and Maven)", tool)
		}
	}
	pom := filepath.Join(sourceDir(), "pom.xml")
	root := filepath.Join(sourceDir(), "..", "..")
	lib := filepath.Join(root, ".cache", "avro-java", "lib")
	raw, err := os.ReadFile(pom)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	hash := hex.EncodeToString(sum[:])
	if err := os.MkdirAll(filepath.Dir(lib), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(filepath.Dir(lib), ".install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(lib, ".pom-sha256")); err == nil && strings.TrimSpace(string(got)) == hash {
		return lib
	}
	tmp := lib + ".tmp"
	_ = os.RemoveAll(tmp)
	cmd := exec.Command("mvn", "-B", "-q", "-Dstyle.color=never", "-f", pom, "dependency:copy-dependencies", "-DoutputDirectory="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fetching Apache Avro for Java from Maven Central (mvn dependency:copy-dependencies): %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".pom-sha256"), []byte(hash+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.RemoveAll(lib)
	if err := os.Rename(tmp, lib); err != nil {
		t.Fatal(err)
	}
	return lib
}
