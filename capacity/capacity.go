// Package capacity estimates the disk each broker needs to hold what the stack's topics
// retain at the rate the latency gate certifies, and compares it with the usable part of
// the broker's volume. The program warns with it at preview and the policy pack fails a
// production stack with it, so both say the same numbers.
package capacity

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults of the brokers the stack targets (Redpanda v25.2) for keys a topic leaves out.
const (
	// DefaultRetentionMs is log_retention_ms: 7 days.
	DefaultRetentionMs = int64(7 * 24 * time.Hour / time.Millisecond)
	// DefaultSegmentBytes is log_segment_size: 128 MiB. Retention only removes closed
	// segments, so each partition replica also holds one open segment of up to this size.
	DefaultSegmentBytes = int64(128 << 20)
	// UsableFraction is the share of a volume data may fill: Redpanda's
	// retention_local_target_capacity_percent (80 %) leaves the rest for compaction,
	// segment rolls and the free-space floor below which it stops accepting writes.
	UsableFraction = 0.8
)

// Topic is what the estimate needs of one topic; config holds its settings as strings.
type Topic struct {
	Name              string
	Partitions        int
	ReplicationFactor int
	Config            map[string]string
}

// Load is the write rate every topic is sized for: the gate's certified throughput at its
// message size (the rate the stack promises to absorb).
type Load struct {
	MsgPerSec    float64
	MessageBytes int
}

// Cluster is the broker count and each broker's data volume.
type Cluster struct {
	Brokers   int
	DiskBytes int64
}

// TopicNeed is one topic's share of a broker's disk.
type TopicNeed struct {
	Topic
	// PartitionBytes is what one partition replica holds: the retained data (bounded by
	// retention.ms at the load, or retention.bytes, whichever is smaller) plus an open segment.
	PartitionBytes float64
	// BrokerBytes is PartitionBytes × partitions × RF spread over the brokers.
	BrokerBytes float64
	// BoundBy names what limits the retained data: retention.ms, retention.bytes or
	// "nothing" (infinite retention without retention.bytes).
	BoundBy     string
	RetentionMs int64
}

// Report is the estimate for a whole cluster.
type Report struct {
	Cluster     Cluster
	Load        Load
	Topics      []TopicNeed
	BrokerBytes float64
	UsableBytes float64
}

// Exceeds reports whether the brokers need more than the usable share of their volumes.
func (r Report) Exceeds() bool { return r.BrokerBytes > r.UsableBytes }

func intConfig(cfg map[string]string, key string) (int64, bool) {
	v, ok := cfg[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return n, err == nil
}

// Estimate computes the need of every topic at load on cluster.
func Estimate(c Cluster, l Load, topics []Topic) Report {
	r := Report{Cluster: c, Load: l, UsableBytes: float64(c.DiskBytes) * UsableFraction}
	rate := l.MsgPerSec * float64(l.MessageBytes)
	for _, t := range topics {
		if t.Partitions < 1 || t.ReplicationFactor < 1 || c.Brokers < 1 {
			continue
		}
		need := TopicNeed{Topic: t, RetentionMs: DefaultRetentionMs, BoundBy: "retention.ms"}
		if ms, ok := intConfig(t.Config, "retention.ms"); ok {
			need.RetentionMs = ms
		}
		segment := DefaultSegmentBytes
		if b, ok := intConfig(t.Config, "segment.bytes"); ok && b > 0 {
			segment = b
		}
		byTime := math.Inf(1)
		if need.RetentionMs >= 0 {
			byTime = rate / float64(t.Partitions) * float64(need.RetentionMs) / 1000
		}
		retained := byTime
		if b, ok := intConfig(t.Config, "retention.bytes"); ok && b >= 0 && float64(b) < retained {
			retained, need.BoundBy = float64(b), "retention.bytes"
		}
		if math.IsInf(retained, 1) {
			need.BoundBy = "nothing"
		}
		// An open segment is never removed by retention; it is at most segment.bytes and at
		// most what the load writes in the retention window.
		need.PartitionBytes = retained + math.Min(float64(segment), byTime)
		replicas := t.Partitions * min(t.ReplicationFactor, c.Brokers)
		need.BrokerBytes = need.PartitionBytes * float64(replicas) / float64(c.Brokers)
		r.BrokerBytes += need.BrokerBytes
		r.Topics = append(r.Topics, need)
	}
	sort.SliceStable(r.Topics, func(i, j int) bool { return r.Topics[i].BrokerBytes > r.Topics[j].BrokerBytes })
	return r
}

// SuggestedRetentionBytes is a retention.bytes per partition that fits every topic that
// has no tighter bound into the usable share, splitting it evenly over partition replicas
// and leaving each its open segment.
func (r Report) SuggestedRetentionBytes() int64 {
	replicas := 0.0
	segments := 0.0
	for _, t := range r.Topics {
		n := float64(t.Partitions*min(t.ReplicationFactor, r.Cluster.Brokers)) / float64(r.Cluster.Brokers)
		replicas += n
		seg := DefaultSegmentBytes
		if b, ok := intConfig(t.Config, "segment.bytes"); ok && b > 0 {
			seg = b
		}
		segments += n * float64(seg)
	}
	if replicas == 0 {
		return 0
	}
	per := (r.UsableBytes - segments) / replicas
	if per <= 0 {
		return 0
	}
	// Round down to a whole MiB, the unit people write.
	return int64(per) >> 20 << 20
}

// Problem describes an exceeded estimate: the numbers behind it and the fixes, naming
// key paths through keyOf (for example topic name → market-bus:topics[0]).
func (r Report) Problem(storageKey string, keyOf func(topic string) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "each of the %d brokers needs about %s of disk for what the topics retain at %s msg/s × %d B (the latency gate's certified rate), "+
		"but its volume (%s = %s) leaves %s usable (%.0f %%):",
		r.Cluster.Brokers, Bytes(r.BrokerBytes), trimFloat(r.Load.MsgPerSec), r.Load.MessageBytes, storageKey, Bytes(float64(r.Cluster.DiskBytes)),
		Bytes(r.UsableBytes), UsableFraction*100)
	for _, t := range r.Topics {
		fmt.Fprintf(&b, " %s %s (%d partitions, RF %d, %s);", t.Name, Bytes(t.BrokerBytes), t.Partitions, t.ReplicationFactor, t.bound())
	}
	suggest := r.SuggestedRetentionBytes()
	b.WriteString(" fixes: ")
	if suggest > 0 {
		fmt.Fprintf(&b, "set config retention.bytes (per partition) on the largest topics, e.g. %s.config.retention.bytes: \"%d\" (%s) on %s; ",
			keyOf(r.Topics[0].Name), suggest, Bytes(float64(suggest)), r.Topics[0].Name)
	} else {
		b.WriteString("set config retention.bytes (per partition) on the largest topics; ")
	}
	fmt.Fprintf(&b, "shorten retention.ms; raise %s; or keep older segments in tiered storage (redpanda.remote.write and redpanda.remote.read "+
		"\"true\" with retention.local.target.ms) where the cluster has cloud storage configured", storageKey)
	return b.String()
}

func (t TopicNeed) bound() string {
	switch t.BoundBy {
	case "retention.bytes":
		return "retention.bytes " + Bytes(float64(must(intConfig(t.Config, "retention.bytes")))) + " per partition"
	case "nothing":
		return "infinite retention"
	}
	return "retention.ms " + durationText(t.RetentionMs)
}

// durationText prints milliseconds the way people write retention: 7d, 12h, 10m0s.
func durationText(ms int64) string {
	switch day, hour := int64(24*time.Hour/time.Millisecond), int64(time.Hour/time.Millisecond); {
	case ms > 0 && ms%day == 0:
		return fmt.Sprintf("%dd", ms/day)
	case ms > 0 && ms%hour == 0:
		return fmt.Sprintf("%dh", ms/hour)
	}
	return (time.Duration(ms) * time.Millisecond).String()
}

func must(n int64, _ bool) int64 { return n }

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Bytes prints a size in binary units with one decimal, e.g. "14.1 TiB".
func Bytes(b float64) string {
	if math.IsInf(b, 1) {
		return "unbounded"
	}
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}
