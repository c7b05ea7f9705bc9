package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// benchVenue is the venue written into every tick.
const benchVenue = "MBUS-BENCH"

// fxPairs are the pairs ticks rotate through, with starting mid prices.
var fxPairs = [...]struct {
	name string
	mid  float64
}{
	{"EURUSD", 1.0850}, {"GBPUSD", 1.2700}, {"USDJPY", 151.20}, {"AUDUSD", 0.6550},
	{"USDCHF", 0.9050}, {"USDCAD", 1.3600}, {"NZDUSD", 0.6000}, {"EURGBP", 0.8550},
}

// producer sends one producer's share of the schedule.
type producer struct {
	id    int
	st    *runState
	cl    *kgo.Client
	codec *Codec
	rng   *rand.Rand
	mids  [len(fxPairs)]float64
	pad   []byte // random padding source, read-only once built

	sendDelay *hdrhistogram.Histogram // producer goroutine only

	mu      sync.Mutex
	publish *hdrhistogram.Histogram // guarded by mu (written from promises)

	spare sync.Pool // of *inflight: records whose promise has run
}

// inflight is one record from Produce to its promise. Producers recycle them, so a
// record costs no allocation of its own: the kgo.Record and a promise closure per
// record were, with the payload, most of the producer's garbage at 100k msg/s.
// franz-go hands a record back through its promise and keeps no reference after.
type inflight struct {
	rec                 kgo.Record
	seq, intended, send int64
	done                func(*kgo.Record, error) // bound to this inflight once
}

func newProducer(id int, st *runState, cl *kgo.Client) (*producer, error) {
	codec, err := NewCodec(st.cfg.SchemaID)
	if err != nil {
		return nil, err
	}
	p := &producer{
		id:        id,
		st:        st,
		cl:        cl,
		codec:     codec,
		rng:       rand.New(rand.NewPCG(uint64(st.base.UnixNano()), uint64(id))),
		pad:       make([]byte, st.cfg.MessageSize),
		sendDelay: newHist(),
		publish:   newHist(),
	}
	for i := range p.pad {
		p.pad[i] = byte(p.rng.Uint32())
	}
	for i, fx := range fxPairs {
		p.mids[i] = fx.mid
	}
	p.spare.New = func() any {
		f := &inflight{}
		f.done = func(r *kgo.Record, err error) { p.acked(f, r, err) }
		return f
	}
	return p, nil
}

// run sends records p.id, p.id+P, ... of the schedule until it is done or
// ctx is cancelled. It never waits past a record's intended time: a record
// that is already late is sent at once.
func (p *producer) run(ctx context.Context) error {
	st := p.st
	stride, rate := int64(st.cfg.Producers), int64(st.cfg.Rate)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()

	tick := FxTick{Venue: benchVenue, ProducerID: int32(p.id)}
	for seq := int64(0); ; seq++ {
		k := int64(p.id) + seq*stride
		if k >= st.total.Load() {
			return nil
		}
		intended := st.t0 + scheduleOffset(k, rate)
		if wait := intended - st.now(); wait > 0 {
			timer.Reset(time.Duration(wait))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}

		p.quote(&tick, seq)
		tick.Sequence = seq
		tick.IntendedSendNs = intended
		tick.EventTimeMicro = st.baseWallMicros + intended/1000
		send := st.now()
		tick.SendNs = send
		tick.Padding = p.pad[:PaddingFor(&tick, st.cfg.MessageSize)]
		value, err := p.codec.Encode(&tick)
		if err != nil {
			return fmt.Errorf("bench: producer %d: %w", p.id, err)
		}
		st.sent.Add(1)
		if st.inWindow(intended) {
			recordNs(p.sendDelay, send-intended)
		}
		f := p.spare.Get().(*inflight)
		f.rec = kgo.Record{Topic: st.cfg.Topic, Value: value}
		f.seq, f.intended, f.send = seq, intended, send
		p.cl.Produce(ctx, &f.rec, f.done)
	}
}

// acked accounts for the ack (or failure) of one record and recycles f.
func (p *producer) acked(f *inflight, r *kgo.Record, err error) {
	st := p.st
	seq, intended, send, size := f.seq, f.intended, f.send, len(r.Value)
	f.rec = kgo.Record{} // drop the payload: its slab is freed once every record of it is
	p.spare.Put(f)
	if err != nil {
		st.produceErrs.addf("producer %d seq %d: %v", p.id, seq, err)
		return
	}
	ack := st.now()
	st.acked.Add(1)
	st.tracker.MarkAcked(p.id, seq)
	if st.inWindow(ack) {
		st.ackedWin.Add(1)
		st.ackedWinBytes.Add(int64(size))
	}
	if st.inWindow(intended) {
		p.mu.Lock()
		recordNs(p.publish, ack-send)
		p.mu.Unlock()
	}
}

// quote fills pair, bid and ask with a random walk per pair; the spread is
// always positive so bid < ask.
func (p *producer) quote(t *FxTick, seq int64) {
	i := int(seq % int64(len(fxPairs)))
	mid := p.mids[i] * (1 + (p.rng.Float64()-0.5)*2e-5)
	p.mids[i] = mid
	half := mid * 5e-6 * (1 + p.rng.Float64())
	t.Pair = fxPairs[i].name
	t.Bid = mid - half
	t.Ask = mid + half
}
