package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// topicReadyTimeout bounds how long a run waits for a (new) topic's
// partitions to report end offsets.
const topicReadyTimeout = 15 * time.Second

// clientOpts are the options every client of a run shares; role names the
// client in its client id.
func clientOpts(cfg *Config, role string, extra ...kgo.Opt) []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID + "-" + role),
	}
	opts = append(opts, extra...)
	return append(opts, cfg.ExtraOpts...)
}

// ensureTopic makes sure cfg.Topic exists, creating it when allowed. It
// reports whether this call created it.
func ensureTopic(ctx context.Context, adm *kadm.Client, cfg *Config) (bool, error) {
	details, err := adm.ListTopics(ctx, cfg.Topic)
	if err != nil {
		return false, fmt.Errorf("bench: describing topic %q: %w", cfg.Topic, err)
	}
	d, ok := details[cfg.Topic]
	switch {
	case ok && d.Err == nil:
		return false, nil
	case ok && !errors.Is(d.Err, kerr.UnknownTopicOrPartition):
		return false, fmt.Errorf("bench: describing topic %q: %w", cfg.Topic, d.Err)
	case !cfg.CreateTopic:
		return false, fmt.Errorf("bench: topic %q does not exist and create_topic is false: create it or set create_topic", cfg.Topic)
	}
	_, err = adm.CreateTopic(ctx, cfg.Partitions, cfg.ReplicationFactor, nil, cfg.Topic)
	switch {
	case errors.Is(err, kerr.TopicAlreadyExists):
		return false, nil // created concurrently by someone else
	case err != nil:
		return false, fmt.Errorf("bench: creating topic %q (partitions %d, replication factor %d): %w",
			cfg.Topic, cfg.Partitions, cfg.ReplicationFactor, err)
	}
	return true, nil
}

// endOffsets lists the end offset of every partition of topic, retrying
// while a new topic's partitions have no leader yet.
func endOffsets(ctx context.Context, adm *kadm.Client, topic string) (map[int32]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, topicReadyTimeout)
	defer cancel()
	backoff := 50 * time.Millisecond
	for {
		offsets, err := listEndOffsets(ctx, adm, topic)
		if err == nil {
			return offsets, nil
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("bench: listing end offsets of %q: %w (last error: %w)", topic, ctx.Err(), err)
		case <-t.C:
		}
		backoff = min(2*backoff, time.Second)
	}
}

func listEndOffsets(ctx context.Context, adm *kadm.Client, topic string) (map[int32]int64, error) {
	listed, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(map[int32]int64)
	var firstErr error
	listed.Each(func(o kadm.ListedOffset) {
		if o.Topic != topic {
			return
		}
		if o.Err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("partition %d: %w", o.Partition, o.Err)
			}
			return
		}
		out[o.Partition] = o.Offset
	})
	if firstErr != nil {
		return nil, firstErr
	}
	if len(out) == 0 {
		return nil, errors.New("no partitions listed")
	}
	return out, nil
}

// assignPartitions splits partitions round-robin over at most consumers
// consumers, each starting at its partitions' listed end offsets. Consumers
// that would get no partition are not returned.
func assignPartitions(offsets map[int32]int64, consumers int) []map[int32]kgo.Offset {
	parts := make([]int32, 0, len(offsets))
	for p := range offsets {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	n := min(consumers, len(parts))
	out := make([]map[int32]kgo.Offset, n)
	for i, p := range parts {
		if out[i%n] == nil {
			out[i%n] = make(map[int32]kgo.Offset)
		}
		out[i%n][p] = kgo.NewOffset().At(offsets[p])
	}
	return out
}

// deleteTopic deletes topic with a fresh bounded context, so cleanup still
// happens when the run's context was cancelled.
func deleteTopic(ctx context.Context, cfg *Config) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(clientOpts(cfg, "admin")...)
	if err != nil {
		return fmt.Errorf("bench: admin client for deleting %q: %w", cfg.Topic, err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).DeleteTopic(ctx, cfg.Topic); err != nil {
		return fmt.Errorf("bench: deleting topic %q: %w", cfg.Topic, err)
	}
	return nil
}
