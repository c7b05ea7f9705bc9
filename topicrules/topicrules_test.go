package topicrules

import (
	"strings"
	"testing"
)

func valid() Topic {
	return Topic{Name: "market-telemetry", Partitions: 12, ReplicationFactor: 3,
		Config: map[string]string{"retention.ms": "604800000", "cleanup.policy": "compact,delete", "min.insync.replicas": "2"}}
}

// TestValidateRefusals: each bad declaration is refused once, on the field path a stack key
// or a provider input is built from, with the value and a fix.
func TestValidateRefusals(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*Topic)
		brokers int
		field   string
		value   any
		fix     string
	}{
		{"empty name", func(t *Topic) { t.Name = "" }, 3, "name", `""`, "give the topic a name"},
		{"dot", func(t *Topic) { t.Name = "." }, 3, "name", `"."`, "choose another name"},
		{"dot-dot", func(t *Topic) { t.Name = ".." }, 3, "name", `".."`, "choose another name"},
		{"name too long", func(t *Topic) { t.Name = strings.Repeat("a", 250) }, 3, "name", "(250 characters)", "shorten it"},
		{"name with a slash", func(t *Topic) { t.Name = "fx stream/eu" }, 3, "name", `"fx stream/eu"`, "letters, digits"},
		{"no partitions", func(t *Topic) { t.Partitions = 0 }, 3, "partitions", 0, "1 or more"},
		{"negative partitions", func(t *Topic) { t.Partitions = -1 }, 3, "partitions", -1, "1 or more"},
		{"no replicas", func(t *Topic) { t.ReplicationFactor = 0 }, 3, "replicationFactor", 0, "at least 1"},
		{"more replicas than brokers", func(t *Topic) { t.ReplicationFactor = 4 }, 3, "replicationFactor", 4, "at most 3"},
		{"beyond the protocol", func(t *Topic) { t.ReplicationFactor = 40000 }, 0, "replicationFactor", 40000, "number of brokers"},
		{"partition decrease mode", func(t *Topic) { t.OnPartitionDecrease = "shrink" }, 3, "onPartitionDecrease", `"shrink"`, "use error"},
		{"replication decrease mode", func(t *Topic) { t.OnReplicationDecrease = "yes" }, 3, "onReplicationDecrease", `"yes"`, "or allow"},
		{"retention in days", func(t *Topic) { t.Config["retention.ms"] = "7d" }, 3, "config.retention.ms", `"7d"`, "604800000"},
		// Keys only the provider checked before the two lists were merged.
		{"segment jitter", func(t *Topic) { t.Config["segment.jitter.ms"] = "1h" }, 3, "config.segment.jitter.ms", `"1h"`, "in its unit"},
		{"local retention", func(t *Topic) { t.Config["local.retention.bytes"] = "1GiB" }, 3, "config.local.retention.bytes", `"1GiB"`, "in its unit"},
		{"timestamp bound", func(t *Topic) { t.Config["message.timestamp.after.max.ms"] = "1.5" }, 3, "config.message.timestamp.after.max.ms", `"1.5"`, "in its unit"},
		// Only stacks checked the cleanup policy before.
		{"cleanup policy", func(t *Topic) { t.Config["cleanup.policy"] = "purge" }, 3, "config.cleanup.policy", `"purge"`, "compact"},
		{"cleanup policy list", func(t *Topic) { t.Config["cleanup.policy"] = "delete,purge" }, 3, "config.cleanup.policy", `"delete,purge"`, "compact"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := valid()
			tc.edit(&top)
			errs := Validate(top, tc.brokers)
			if len(errs) != 1 {
				t.Fatalf("got %d refusals %v, want 1", len(errs), errs)
			}
			fe := errs[0]
			if fe.Field != tc.field || fe.Value != tc.value || !strings.Contains(fe.Fix, tc.fix) {
				t.Errorf("refusal %+v, want field %q value %v and a fix mentioning %q", fe, tc.field, tc.value, tc.fix)
			}
		})
	}
}

// TestValidateAccepts: what Kafka accepts passes, including a replication factor that only
// an unknown cluster size cannot bound, and settings without a fixed grammar.
func TestValidateAccepts(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*Topic)
		brokers int
	}{
		{"the seed's topic", func(*Topic) {}, 3},
		{"unknown cluster size", func(t *Topic) { t.ReplicationFactor = 5 }, 0},
		{"every decrease mode", func(t *Topic) { t.OnPartitionDecrease, t.OnReplicationDecrease = "replace", "allow" }, 3},
		{"explicit defaults", func(t *Topic) { t.OnPartitionDecrease, t.OnReplicationDecrease = "error", "error" }, 3},
		{"249 characters", func(t *Topic) { t.Name = strings.Repeat("a", 249) }, 3},
		{"negative retention (infinite)", func(t *Topic) { t.Config["retention.ms"] = "-1" }, 3},
		{"free-form setting", func(t *Topic) { t.Config["compression.type"] = "zstd" }, 3},
		{"compact only", func(t *Topic) { t.Config["cleanup.policy"] = "compact" }, 3},
		{"no config", func(t *Topic) { t.Config = nil }, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := valid()
			if tc.name == "no config" {
				top.ReplicationFactor = 1
			}
			tc.edit(&top)
			if errs := Validate(top, tc.brokers); len(errs) != 0 {
				t.Errorf("refused: %v", errs)
			}
		})
	}
}

// TestValidateReportsEveryProblem: one call lists all refusals, in a stable order.
func TestValidateReportsEveryProblem(t *testing.T) {
	errs := Validate(Topic{Name: "a/b", Partitions: 0, ReplicationFactor: 0,
		Config: map[string]string{"segment.ms": "x", "retention.ms": "y"}}, 3)
	var got []string
	for _, e := range errs {
		got = append(got, e.Field)
	}
	want := "name partitions replicationFactor config.retention.ms config.segment.ms"
	if strings.Join(got, " ") != want {
		t.Errorf("fields %v, want %s", got, want)
	}
}
