package bench

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Runs against a cluster with injected faults: a broker stall, a lost
// request, a duplicated append, foreign payloads and slow fetches.

// TestRunCoordinatedOmission stalls the partition leader for 400 ms in the
// middle of the window while the producer may buffer only a few records, so
// the producer blocks and records intended during the stall are sent after
// it. The corrected e2e latency (receive − intended) must show the stall;
// the uncorrected latencies (from the actual send) must not, except for the
// handful of records in flight when it began (≈6 of 2000, well under 1%).
func TestRunCoordinatedOmission(t *testing.T) {
	const stall = 400 * time.Millisecond
	c := newTestCluster(t)
	var (
		first   atomic.Int64 // unix ns of the first produce request
		stalled atomic.Bool
	)
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		// 200 ms warm-up + 700 ms: well inside the 2 s window.
		if now-first.Load() > int64(900*time.Millisecond) && stalled.CompareAndSwap(false, true) {
			c.SleepControl(func() { time.Sleep(stall) })
		}
		return nil, nil, false
	})

	cfg := testConfig(c, "bench-co")
	cfg.Partitions = 1
	cfg.Rate = 1000
	cfg.Duration = 2 * time.Second
	cfg.Linger = 0
	cfg.ExtraOpts = []kgo.Opt{kgo.MaxBufferedRecords(5)}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !stalled.Load() {
		t.Fatal("the stall never happened")
	}
	if len(res.DataErrors()) != 0 {
		t.Fatalf("DataErrors = %v", res.DataErrors())
	}
	ms := func(us int64) float64 { return float64(us) / 1000 }
	t.Logf("p99 ms: e2e corrected %.1f, uncorrected %.1f, publish %.1f; send delay max %.1f",
		ms(res.EndToEnd.P99Us), ms(res.EndToEndUncorrected.P99Us), ms(res.Publish.P99Us), ms(res.SendDelay.MaxUs))

	// The producer was held back by about the stall.
	if got := res.SendDelay.MaxUs; got < (stall / 2).Microseconds() {
		t.Errorf("send delay max %.1f ms, want >= %v: the producer was not blocked", ms(got), stall/2)
	}
	// ≈20% of the window was intended during the stall, so the corrected
	// p99 is close to the full stall; require half of it.
	if got := res.EndToEnd.P99Us; got < (stall / 2).Microseconds() {
		t.Errorf("corrected e2e p99 %.1f ms, want >= %v", ms(got), stall/2)
	}
	// Uncorrected measurements start at the actual send, after the stall.
	for name, s := range map[string]LatencySummary{"uncorrected e2e": res.EndToEndUncorrected, "publish": res.Publish} {
		if s.P99Us*4 > res.EndToEnd.P99Us {
			t.Errorf("%s p99 %.1f ms is not far below corrected p99 %.1f ms: the stall leaked into it", name, ms(s.P99Us), ms(res.EndToEnd.P99Us))
		}
	}
}

// fakeAck answers a produce request as successful without storing it: the
// records are acknowledged and lost.
func fakeAck(req *kmsg.ProduceRequest) *kmsg.ProduceResponse {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic, st.TopicID = rt.Topic, rt.TopicID
		for _, rp := range rt.Partitions {
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}

func TestRunDetectsLoss(t *testing.T) {
	c := newTestCluster(t)
	var (
		seen    atomic.Int64
		dropped atomic.Bool
	)
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if seen.Add(1) == 20 { // one request mid-run
			dropped.Store(true)
			return fakeAck(kreq.(*kmsg.ProduceRequest)), nil, true
		}
		return nil, nil, false
	})
	cfg := testConfig(c, "bench-loss")
	cfg.Partitions = 1
	cfg.Acks = "leader" // no idempotence: the broker does not notice the gap
	cfg.DrainTimeout = time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !dropped.Load() {
		t.Fatal("no request was dropped")
	}
	ct := res.Counts
	if ct.Lost == 0 || len(res.LostRanges) == 0 {
		t.Fatalf("lost %d ranges %v, want the dropped request reported", ct.Lost, res.LostRanges)
	}
	if ct.Acked != ct.Sent || ct.Received != ct.Sent-ct.Lost || ct.Duplicates != 0 {
		t.Errorf("counts %+v: want acked = sent and received = sent - lost", ct)
	}
	var inRanges int64
	for _, r := range res.LostRanges {
		inRanges += r.To - r.From + 1
	}
	if inRanges != ct.Lost {
		t.Errorf("lost ranges %v cover %d sequences, want %d", res.LostRanges, inRanges, ct.Lost)
	}
	if v := (Thresholds{}).Check(res); len(v) == 0 || !strings.Contains(v[0].String(), "lost records") {
		t.Errorf("Check = %v, want a lost-records violation", v)
	}
}

func TestRunDetectsDuplicates(t *testing.T) {
	c := newTestCluster(t)
	// The broker appends, then answers with a retriable error: a
	// non-idempotent producer retries and writes the batch twice.
	h := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Err: kerr.NotEnoughReplicasAfterAppend, Count: 1})
	cfg := testConfig(c, "bench-dup")
	cfg.Acks = "leader"
	cfg.Duration = 500 * time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if h.Hits() == 0 {
		t.Fatal("fault never hit")
	}
	if res.Counts.Duplicates == 0 || len(res.DuplicateExamples) == 0 {
		t.Fatalf("counts %+v, want duplicates reported", res.Counts)
	}
	if res.Counts.Lost != 0 || res.Counts.Received != res.Counts.Sent+res.Counts.Duplicates {
		t.Errorf("counts %+v: want no loss and received = sent + duplicates", res.Counts)
	}
}

// TestRunReportsInvalidPayloads injects malformed records into the topic
// during a run and expects each to be reported by kind.
func TestRunReportsInvalidPayloads(t *testing.T) {
	c := newTestCluster(t)
	codec, err := NewCodec(testSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	wrongID, _ := NewCodec(7)
	good := FxTick{Pair: "EURUSD", Bid: 1.1, Ask: 1.2, Venue: "X", ProducerID: 99}
	inverted := good
	inverted.Bid, inverted.Ask = 1.3, 1.2
	withWrongID, _ := wrongID.Encode(&good)
	badMagic, _ := codec.Encode(&good)
	badMagic[0] = 1
	bidAsk, _ := codec.Encode(&inverted)
	badAvro := []byte{0, 0, 0, 0, testSchemaID, 0xff, 0xff}
	bad := [][]byte{withWrongID, badMagic, bidAsk, badAvro}

	injected := make(chan error, 1)
	var once sync.Once
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		// The engine's first produce: its consumers already have their
		// start offsets. Inject from another goroutine (controls run on
		// the cluster loop).
		once.Do(func() {
			go func() {
				cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
				if err != nil {
					injected <- err
					return
				}
				defer cl.Close()
				var recs []*kgo.Record
				for _, v := range bad {
					recs = append(recs, &kgo.Record{Topic: "bench-invalid", Value: v})
				}
				injected <- cl.ProduceSync(context.Background(), recs...).FirstErr()
			}()
		})
		return nil, nil, false
	})
	cfg := testConfig(c, "bench-invalid")
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := <-injected; err != nil {
		t.Fatalf("inject: %v", err)
	}
	v := res.Validation
	if v.Failed != 4 || len(v.Examples) != 4 {
		t.Fatalf("validation %+v, want 4 failures with examples", v)
	}
	for _, k := range []ValidationKind{KindWrongSchemaID, KindBadMagic, KindBidNotBelowAsk, KindAvroDecode} {
		if v.ByKind[k] != 1 {
			t.Errorf("by kind %v: %s = %d, want 1", v.ByKind, k, v.ByKind[k])
		}
	}
	if !strings.Contains(strings.Join(v.Examples, "\n"), "schema id 7, want 42") {
		t.Errorf("examples %q do not show the wrong id", v.Examples)
	}
	if res.Counts.Received != res.Counts.Sent+4 || res.Counts.Lost != 0 {
		t.Errorf("counts %+v, want received = sent + 4 and no loss", res.Counts)
	}
}

// TestRunDrainWaitsForLaggingConsumer delays every fetch so that consumers
// trail the acks by a few hundred ms: records still in flight when the last
// ack arrives must be waited for, not reported lost.
func TestRunDrainWaitsForLaggingConsumer(t *testing.T) {
	c := newTestCluster(t)
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		c.SleepControl(func() { time.Sleep(300 * time.Millisecond) })
		return nil, nil, false
	})
	cfg := testConfig(c, "bench-drain")
	cfg.Duration = 500 * time.Millisecond
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ct := res.Counts; ct.Lost != 0 || ct.Received != ct.Sent {
		t.Errorf("counts %+v, want every record received after the drain", ct)
	}
	if res.EndToEnd.P50Us < 100_000 {
		t.Errorf("e2e p50 %d µs: fetches were not delayed", res.EndToEnd.P50Us)
	}
}
