package bench

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	cfg := Defaults()
	cfg.SchemaID = 1
	return cfg
}

func TestDefaultsNeedOnlySchemaID(t *testing.T) {
	cfg := Defaults()
	err := cfg.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "schema_id" || strings.Count(err.Error(), "\n") != 0 {
		t.Fatalf("Defaults().Validate() = %v, want only a schema_id error", err)
	}
	cfg.SchemaID = 1
	if err := cfg.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want []string // substrings of the error
	}{
		{"no brokers", func(c *Config) { c.Brokers = nil }, []string{"brokers = []", "no seed brokers", "host:port"}},
		{"blank broker", func(c *Config) { c.Brokers = []string{"a:1", " "} }, []string{`brokers[1] = " "`}},
		{"empty topic", func(c *Config) { c.Topic = "" }, []string{`topic = ""`, "no name"}},
		{"bad topic char", func(c *Config) { c.Topic = "fx ticks" }, []string{`topic = "fx ticks"`, "characters Kafka rejects", "letters, digits"}},
		{"zero partitions", func(c *Config) { c.Partitions = 0 }, []string{"partitions = 0", "-1 for the broker default"}},
		{"zero rf", func(c *Config) { c.ReplicationFactor = 0 }, []string{"replication_factor = 0"}},
		{"delete without create", func(c *Config) { c.CreateTopic = false; c.DeleteTopic = true }, []string{"delete_topic = true", "set create_topic"}},
		{"zero rate", func(c *Config) { c.Rate = 0 }, []string{"rate = 0", "within 1..10000000"}},
		{"negative duration", func(c *Config) { c.Duration = -time.Second }, []string{"duration = -1s", `"30s"`}},
		{"negative warm-up", func(c *Config) { c.WarmUp = -1 }, []string{"warm_up = -1ns"}},
		{"too many records", func(c *Config) { c.Rate = MaxRate; c.Duration = 2 * time.Hour }, []string{"over the 1000000000 limit"}},
		{"tiny message", func(c *Config) { c.MessageSize = 10 }, []string{"message_size = 10", "64-byte minimum"}},
		{"message over batch", func(c *Config) { c.MessageSize = 200_000 }, []string{"message_size = 200000", "raise batch_max_bytes"}},
		{"bad acks", func(c *Config) { c.Acks = "1" }, []string{`acks = "1"`, `"all", "leader" or "none"`}},
		{"negative linger", func(c *Config) { c.Linger = -time.Millisecond }, []string{"linger = -1ms"}},
		{"small batch", func(c *Config) { c.BatchMaxBytes = 100 }, []string{"batch_max_bytes = 100"}},
		{"bad compression", func(c *Config) { c.Compression = "brotli" }, []string{`compression = "brotli"`, `"zstd"`}},
		{"no producers", func(c *Config) { c.Producers = 0 }, []string{"producers = 0"}},
		{"more producers than rate", func(c *Config) { c.Rate = 2; c.Producers = 3 }, []string{"producers = 3", "never send"}},
		{"no consumers", func(c *Config) { c.Consumers = 0 }, []string{"consumers = 0"}},
		{"zero drain", func(c *Config) { c.DrainTimeout = 0 }, []string{"drain_timeout = 0s"}},
		{"negative schema id", func(c *Config) { c.SchemaID = -5 }, []string{"schema_id = -5", "register schemas/fx_tick.avsc"}},
		{"two problems", func(c *Config) { c.Rate = 0; c.Acks = "" }, []string{"rate = 0", `acks = ""`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.mod(&cfg)
			err := cfg.Validate()
			if err == nil {
				t.Fatal("Validate accepted the config")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "fix: ") {
				t.Errorf("error %q suggests no fix", err)
			}
		})
	}
}

func TestConfigJSON(t *testing.T) {
	cfg := validConfig()
	cfg.Linger = 1500 * time.Microsecond
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"duration":"30s"`, `"warm_up":"10s"`, `"linger":"1.5ms"`, `"drain_timeout":"10s"`, `"rate":1000`, `"schema_id":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s does not contain %s", b, want)
		}
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Linger != cfg.Linger || back.Duration != cfg.Duration || back.Rate != cfg.Rate || back.Acks != cfg.Acks {
		t.Errorf("round trip: %+v, want %+v", back, cfg)
	}

	// Decoding over Defaults keeps what the document does not set, and
	// accepts nanosecond numbers.
	over := Defaults()
	if err := json.Unmarshal([]byte(`{"rate": 5000, "warm_up": 2000000000}`), &over); err != nil {
		t.Fatal(err)
	}
	if over.Rate != 5000 || over.WarmUp != 2*time.Second || over.Duration != Defaults().Duration {
		t.Errorf("partial decode: rate %d warm_up %v duration %v", over.Rate, over.WarmUp, over.Duration)
	}
	if err := json.Unmarshal([]byte(`{"duration": "soon"}`), &over); err == nil || !strings.Contains(err.Error(), `"soon"`) {
		t.Errorf("bad duration: %v", err)
	}
}

func TestSchedule(t *testing.T) {
	for _, tc := range []struct {
		k, rate, want int64
	}{
		{0, 1000, 0},
		{1, 1000, 1_000_000},
		{1, 3, 333_333_333},
		{7, 3, 2_333_333_333},
		{9_000_000_000, MaxRate, 900 * int64(time.Second)},
	} {
		if got := scheduleOffset(tc.k, tc.rate); got != tc.want {
			t.Errorf("scheduleOffset(%d, %d) = %d, want %d", tc.k, tc.rate, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ns, rate, want int64
	}{
		{int64(1200 * time.Millisecond), 500, 600},
		{int64(time.Second), 3, 3},
		{int64(time.Second) + 1, 3, 4},
		{0, 1000, 0},
		{int64(24 * time.Hour), MaxRate, 864_000_000_000},
	} {
		if got := scheduleIndexBefore(tc.ns, tc.rate); got != tc.want {
			t.Errorf("scheduleIndexBefore(%d, %d) = %d, want %d", tc.ns, tc.rate, got, tc.want)
		}
	}
}
