package bench

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/gatedefaults"
	"github.com/marketbus/market-bus/topicrules"
)

// Config describes one benchmark run. Start from [Defaults], set Brokers,
// Topic and SchemaID, then call [Config.Validate] (Run does too).
//
// # Consumers
//
// Consumers read partitions directly (kgo.ConsumePartitions), not through a
// consumer group: the partitions are split round-robin across Consumers
// clients, each starting at the end offsets listed before the first record
// is produced. A group was rejected because (1) a join or rebalance would
// pause fetching inside the measured window and show up as broker latency,
// (2) group offsets are not needed since a run never resumes, and (3) exact
// start offsets guarantee that every record of the run is read, which loss
// detection depends on (a group starting "at the end" can miss the first
// records while it joins). Consumers beyond the partition count stay idle
// and are not created.
type Config struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string `json:"brokers"`
	// Topic is the topic to produce to and consume from.
	Topic string `json:"topic"`
	// CreateTopic creates Topic when it is missing, with Partitions and
	// ReplicationFactor. When false a missing topic is an error.
	CreateTopic bool `json:"create_topic"`
	// DeleteTopic deletes Topic after the run, only if this run created it.
	DeleteTopic bool `json:"delete_topic"`
	// Partitions for a created topic; -1 means the broker default.
	Partitions int32 `json:"partitions"`
	// ReplicationFactor for a created topic; -1 means the broker default.
	ReplicationFactor int16 `json:"replication_factor"`

	// Rate is the total target rate in messages per second, split evenly
	// across Producers.
	Rate int `json:"rate"`
	// Duration is the measured window, after WarmUp.
	Duration time.Duration `json:"duration"`
	// WarmUp is the time sent before the measured window; its records are
	// validated and tracked for loss but not measured. Without one, the
	// first records pay for connection setup; use a few seconds or more
	// against a real cluster (the research notes suggest >= 1 min).
	WarmUp time.Duration `json:"warm_up"`
	// MaxWarmUp, when above WarmUp, lets the warm-up run on until the cluster is steady:
	// from WarmUp on, the measured window opens after the first one-second interval whose
	// end-to-end p99 is at most SteadyP99, and at MaxWarmUp at the latest. A Kafka broker
	// whose JVM has just started compiles its hot paths for its first minutes, a transient a
	// fixed warm-up either wastes time on or does not cover; the window itself is never
	// shortened, and the warm-up actually used is reported (Result.WarmUpSeconds). Zero
	// means a fixed warm-up of WarmUp.
	MaxWarmUp time.Duration `json:"max_warm_up"`
	// SteadyP99 is the end-to-end p99 (corrected) of one interval below which the cluster
	// counts as steady; required when MaxWarmUp is above WarmUp.
	SteadyP99 time.Duration `json:"steady_p99"`
	// MessageSize is the size in bytes of each record value, wire header
	// included. Padding fills the tick up to this size.
	MessageSize int `json:"message_size"`

	// Acks is "all", "leader" or "none". Anything but "all" disables
	// idempotent writes (franz-go requires it).
	Acks string `json:"acks"`
	// Linger is the producer linger (kgo.ProducerLinger).
	Linger time.Duration `json:"linger"`
	// BatchMaxBytes is the producer batch limit (kgo.ProducerBatchMaxBytes).
	BatchMaxBytes int32 `json:"batch_max_bytes"`
	// Compression is "none", "gzip", "snappy", "lz4" or "zstd".
	Compression string `json:"compression"`

	// Producers is the number of producer clients.
	Producers int `json:"producers"`
	// Consumers is the number of consumer clients (see the type doc).
	Consumers int `json:"consumers"`
	// DrainTimeout bounds how long, after the last scheduled send, the run
	// waits for outstanding acks and for consumers to receive every acked
	// record; what is still missing then is reported as lost.
	DrainTimeout time.Duration `json:"drain_timeout"`

	// SchemaID is the registry id of schemas.FxTick written into every
	// payload and expected by the consumers.
	SchemaID int `json:"schema_id"`
	// RegistryURL is the Schema Registry (Confluent API) base URL. When set, the run checks
	// before producing that SchemaID holds schemas.FxTick's encoding, and consumers decode each
	// record with the writer schema its id resolves to, as standard deserializers do. When
	// empty, consumers decode with schemas.FxTick and accept only SchemaID.
	RegistryURL string `json:"registry_url,omitempty"`
	// RegistryOpts are appended to the registry client's options (sr.BasicAuth,
	// sr.HTTPClient for TLS). Not serialised.
	RegistryOpts []sr.ClientOpt `json:"-"`
	// ClientID prefixes the client ids ("<id>-producer-0", ...).
	ClientID string `json:"client_id"`

	// ExtraOpts are appended to every client's options (admin, producers,
	// consumers), after the engine's own, e.g. kgo.DialTLSConfig or
	// kgo.SASL. Not serialised.
	ExtraOpts []kgo.Opt `json:"-"`
	// OnProgress, if set, is called about once a second from a single
	// goroutine while the run is in progress; it should return quickly.
	// See [ProgressWriter]. Not serialised.
	OnProgress func(Progress) `json:"-"`
}

// Limits enforced by Validate.
const (
	MaxRate            = 10_000_000
	MaxRecordsPerRun   = 1_000_000_000
	MaxClients         = 1024
	maxRunLength       = 24 * time.Hour
	maxLinger          = time.Minute
	minBatchMaxBytes   = 1 << 10
	maxBatchMaxBytes   = 1 << 30
	batchOverheadBytes = 512 // record batch and record framing allowance
	defaultClientID    = "market-bus-bench"
	defaultTopicName   = "market-bus-bench"
	defaultRate        = 1000
)

// Defaults returns the latency gate's load profile (package gatedefaults: acks=all, 1 ms
// linger, 128 KiB batches, 256 B records, 12 partitions, RF 3, one producer and one
// consumer, a 10 s warm-up) for a 30 s window at 1000 msg/s on its own topic,
// market-bus-bench. The warm-up is fixed (MaxWarmUp 0): an adaptive one needs a SteadyP99,
// which only a threshold gives. Brokers is localhost:9092 and SchemaID is unset (0): set it
// before running.
func Defaults() Config {
	return Config{
		Brokers:           []string{"localhost:9092"},
		Topic:             defaultTopicName,
		CreateTopic:       true,
		Partitions:        gatedefaults.Partitions,
		ReplicationFactor: gatedefaults.ReplicationFactor,
		Rate:              defaultRate,
		Duration:          30 * time.Second,
		WarmUp:            time.Duration(gatedefaults.WarmupSeconds * float64(time.Second)),
		MessageSize:       gatedefaults.MessageSize,
		Acks:              gatedefaults.Acks,
		Linger:            time.Duration(gatedefaults.LingerMs * float64(time.Millisecond)),
		BatchMaxBytes:     gatedefaults.BatchMaxBytes,
		Compression:       gatedefaults.Compression,
		Producers:         gatedefaults.Producers,
		Consumers:         gatedefaults.Consumers,
		DrainTimeout:      10 * time.Second,
		ClientID:          defaultClientID,
	}
}

// FieldError is one invalid Config field. Field is the JSON name.
type FieldError = fielderr.Error

// Validate checks every field and returns all problems joined (each a
// *[FieldError] naming the field, its value and the fix), or nil.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field string, value any, problem, fix string) {
		errs = append(errs, &FieldError{Field: field, Value: value, Problem: problem, Fix: fix})
	}

	if len(c.Brokers) == 0 {
		bad("brokers", "[]", "no seed brokers", `list at least one host:port, e.g. ["localhost:9092"]`)
	}
	for i, b := range c.Brokers {
		if strings.TrimSpace(b) == "" || strings.ContainsAny(b, " \t\n") {
			bad(fmt.Sprintf("brokers[%d]", i), fmt.Sprintf("%q", b), "not a host:port", `use e.g. "redpanda-0:9092"`)
		}
	}
	if fe := topicrules.ValidateName(c.Topic); fe != nil {
		bad("topic", fe.Value, fe.Problem, fe.Fix)
	}
	if c.CreateTopic {
		if c.Partitions == 0 || c.Partitions < -1 {
			bad("partitions", c.Partitions, "a created topic needs at least one partition", "set partitions >= 1, or -1 for the broker default")
		}
		if c.ReplicationFactor == 0 || c.ReplicationFactor < -1 {
			bad("replication_factor", c.ReplicationFactor, "a created topic needs at least one replica", "set replication_factor >= 1 (3 for production), or -1 for the broker default")
		}
	} else if c.DeleteTopic {
		bad("delete_topic", true, "only a topic created by the run is deleted, and create_topic is false", "set create_topic to true or delete_topic to false")
	}

	if c.Rate <= 0 || c.Rate > MaxRate {
		bad("rate", c.Rate, fmt.Sprintf("must be within 1..%d msg/s", MaxRate), "set the target rate in messages per second, e.g. 1000")
	}
	if c.Duration <= 0 || c.Duration > maxRunLength {
		bad("duration", c.Duration, "the measured window must be > 0 and <= 24h", `set e.g. "30s"`)
	}
	if c.WarmUp < 0 || c.WarmUp > maxRunLength {
		bad("warm_up", c.WarmUp, "must be >= 0 and <= 24h", `set e.g. "10s", or "0s" for none`)
	}
	if c.MaxWarmUp != 0 && (c.MaxWarmUp < c.WarmUp || c.MaxWarmUp > maxRunLength) {
		bad("max_warm_up", c.MaxWarmUp, fmt.Sprintf("must be 0 (a fixed warm-up) or within warm_up (%v) and 24h", c.WarmUp), `set e.g. "60s", or "0s" for a fixed warm-up`)
	}
	if c.adaptiveWarmUp() && c.SteadyP99 <= 0 {
		bad("steady_p99", c.SteadyP99, "must be > 0 when max_warm_up is above warm_up", `set e.g. "50ms" (the p99 that counts as steady)`)
	}
	if c.Rate > 0 && c.Duration > 0 && c.WarmUp >= 0 {
		total := float64(c.Rate) * (c.Duration + c.longestWarmUp()).Seconds()
		if total > MaxRecordsPerRun {
			bad("duration", c.Duration, fmt.Sprintf("rate x (warm_up + duration) = %.0f records, over the %d limit of one run", total, MaxRecordsPerRun), "shorten warm_up/duration or lower rate")
		}
	}
	if c.BatchMaxBytes < minBatchMaxBytes || c.BatchMaxBytes > maxBatchMaxBytes {
		bad("batch_max_bytes", c.BatchMaxBytes, fmt.Sprintf("must be within %d..%d", minBatchMaxBytes, maxBatchMaxBytes), "set e.g. 131072 (128 KiB, latency) or 1048576 (throughput), at most the broker's message.max.bytes")
	}
	if c.MessageSize < MinMessageSize {
		bad("message_size", c.MessageSize, fmt.Sprintf("below the %d-byte minimum (an unpadded FX tick is about 60 bytes)", MinMessageSize), "set message_size >= 64, e.g. 1024")
	} else if c.BatchMaxBytes >= minBatchMaxBytes && c.MessageSize > int(c.BatchMaxBytes)-batchOverheadBytes {
		bad("message_size", c.MessageSize, fmt.Sprintf("does not fit a %d-byte batch with %d bytes of framing", c.BatchMaxBytes, batchOverheadBytes), "lower message_size or raise batch_max_bytes")
	}
	if _, err := acksOpt(c.Acks); err != nil {
		bad("acks", fmt.Sprintf("%q", c.Acks), "unknown acks", `use "all", "leader" or "none"`)
	}
	if c.Linger < 0 || c.Linger > maxLinger {
		bad("linger", c.Linger, "must be >= 0 and <= 1m", `set e.g. "1ms" (latency) or "0s"`)
	}
	if _, err := compressionOpt(c.Compression); err != nil {
		bad("compression", fmt.Sprintf("%q", c.Compression), "unknown codec", `use "none", "gzip", "snappy", "lz4" or "zstd"`)
	}
	if c.Producers < 1 || c.Producers > MaxClients {
		bad("producers", c.Producers, fmt.Sprintf("must be within 1..%d", MaxClients), "set e.g. 1")
	} else if c.Rate > 0 && c.Rate < c.Producers {
		bad("producers", c.Producers, fmt.Sprintf("more producers than the %d msg/s rate: some would never send", c.Rate), "lower producers or raise rate")
	}
	if c.Consumers < 1 || c.Consumers > MaxClients {
		bad("consumers", c.Consumers, fmt.Sprintf("must be within 1..%d", MaxClients), "set e.g. 1")
	}
	if c.DrainTimeout <= 0 {
		bad("drain_timeout", c.DrainTimeout, "must be > 0 or no record could be received after the last send", `set e.g. "10s"`)
	}
	if c.RegistryURL != "" {
		if u, err := url.Parse(c.RegistryURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("registry_url", c.RegistryURL, "not an http(s) URL", "write it as http://host:port[/path], the registry's Confluent API base")
		}
	}
	if c.SchemaID <= 0 || c.SchemaID > math.MaxInt32 {
		bad("schema_id", c.SchemaID, "must be a registry schema id within 1..2147483647", "register schemas/fx_tick.avsc and pass its id (without a registry any positive id works)")
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("bench config: %w", errors.Join(errs...))
}

func acksOpt(s string) (kgo.Acks, error) {
	switch s {
	case "all":
		return kgo.AllISRAcks(), nil
	case "leader":
		return kgo.LeaderAck(), nil
	case "none":
		return kgo.NoAck(), nil
	}
	return kgo.Acks{}, fmt.Errorf("bench: unknown acks %q", s)
}

func compressionOpt(s string) (kgo.CompressionCodec, error) {
	switch s {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("bench: unknown compression %q", s)
}

// scheduledRecords is the number of records the run schedules at most:
// floor(rate × (longest warm-up + duration)). An adaptive warm-up that ends
// early lowers it (runState.openWindow).
func (c *Config) scheduledRecords() int64 {
	return scheduleIndexBefore(int64(c.scheduleLength()), int64(c.Rate))
}

// scheduleLength is how long the schedule can run, from t0 to the last record.
func (c *Config) scheduleLength() time.Duration {
	if c.adaptiveWarmUp() {
		return c.MaxWarmUp + adaptiveSlack + c.Duration
	}
	return c.WarmUp + c.Duration
}

// adaptiveWarmUp reports whether the warm-up ends when the cluster is steady.
func (c *Config) adaptiveWarmUp() bool { return c.MaxWarmUp > c.WarmUp }

// longestWarmUp is the longest warm-up the run may take.
func (c *Config) longestWarmUp() time.Duration {
	if c.adaptiveWarmUp() {
		return c.MaxWarmUp
	}
	return c.WarmUp
}

// scheduleOffset is the intended send offset of global record k at rate
// msg/s, in ns from t0: k/rate seconds, computed without overflow.
func scheduleOffset(k, rate int64) int64 {
	return (k/rate)*int64(time.Second) + (k%rate)*int64(time.Second)/rate
}

// scheduleIndexBefore is the number of records scheduled strictly before
// offset ns, i.e. ceil(ns × rate / 1e9), computed without overflow.
func scheduleIndexBefore(ns, rate int64) int64 {
	if ns <= 0 {
		return 0
	}
	sec, rem := ns/int64(time.Second), ns%int64(time.Second)
	n := sec * rate
	num := rem * rate // < 1e9 × 1e7, fits
	n += num / int64(time.Second)
	if num%int64(time.Second) != 0 {
		n++
	}
	return n
}
