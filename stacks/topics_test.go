package stacks

import (
	"errors"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/fielderr"
)

// TestLoadRejectsBadTopic: a bad topic is refused by the rules the provider's Check shares
// (package topicrules), re-rooted at the exact key of the entry: market-bus:topics[i].<path>.
func TestLoadRejectsBadTopic(t *testing.T) {
	topic := func(fields string) string {
		return `[{"name":"t","partitions":3,"replicationFactor":3` + fields + `}]`
	}
	cases := []struct {
		name   string
		topics string
		field  string
		value  any
	}{
		{"replication factor above broker count", `[{"name":"t","partitions":3,"replicationFactor":4}]`, "market-bus:topics[0].replicationFactor", 4},
		{"partitions below one", `[{"name":"t","partitions":0,"replicationFactor":3}]`, "market-bus:topics[0].partitions", 0},
		{"replication factor below one", `[{"name":"t","partitions":1,"replicationFactor":0}]`, "market-bus:topics[0].replicationFactor", 0},
		{"retention not a number", topic(`,"config":{"retention.ms":"7d"}`), "market-bus:topics[0].config.retention.ms", `"7d"`},
		// Only the provider refused this key before the two validators became one.
		{"segment jitter not a number", topic(`,"config":{"segment.jitter.ms":"1h"}`), "market-bus:topics[0].config.segment.jitter.ms", `"1h"`},
		{"cleanup policy unknown", topic(`,"config":{"cleanup.policy":"purge"}`), "market-bus:topics[0].config.cleanup.policy", `"purge"`},
		{"duplicate topic names", `[` + goodTopic + `,` + goodTopic + `]`, "market-bus:topics[1].name", `"market-telemetry"`},
		{"topic name too long", `[{"name":"` + strings.Repeat("a", 250) + `","partitions":1,"replicationFactor":1}]`, "market-bus:topics[0].name", "(250 characters)"},
		{"topic name with bad characters", `[{"name":"fx stream/eu","partitions":1,"replicationFactor":1}]`, "market-bus:topics[0].name", `"fx stream/eu"`},
		{"topic named dot-dot", `[{"name":"..","partitions":1,"replicationFactor":1}]`, "market-bus:topics[0].name", `".."`},
		{"empty topic name", `[{"partitions":1,"replicationFactor":1}]`, "market-bus:topics[0].name", `""`},
		{"second entry", `[` + goodTopic + `,{"name":"u","partitions":1,"replicationFactor":1,"onPartitionDecrease":"shrink"}]`,
			"market-bus:topics[1].onPartitionDecrease", `"shrink"`},
		{"unknown replication-decrease mode", topic(`,"onReplicationDecrease":"yes"`), "market-bus:topics[0].onReplicationDecrease", `"yes"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("local", MapSource{KeyTopics: tc.topics})
			assertOneFieldError(t, err, tc.field, tc.value)
		})
	}
}

// TestLoadRejectsBadGateTopicName: the gate's topic name follows the same rule, at its key.
func TestLoadRejectsBadGateTopicName(t *testing.T) {
	_, err := Load("local", MapSource{KeyGate: `{"topic":"gate/runs"}`})
	assertOneFieldError(t, err, "market-bus:gate.topic", `"gate/runs"`)
}

// assertOneFieldError fails unless err holds exactly one refusal, of field with value.
func assertOneFieldError(t *testing.T, err error, field string, value any) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want *ConfigError, got %T %v", err, err)
	}
	if len(ce.Problems) != 1 {
		t.Fatalf("want 1 problem, got %d: %v", len(ce.Problems), ce)
	}
	var fe *fielderr.Error
	if !errors.As(ce.Problems[0], &fe) {
		t.Fatalf("problem %v is not a *fielderr.Error", ce.Problems[0])
	}
	if fe.Field != field || fe.Value != value || fe.Fix == "" {
		t.Errorf("refusal %+v, want field %q value %v with a fix", fe, field, value)
	}
}
