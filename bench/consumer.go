package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// consumer reads its assigned partitions and measures every record.
type consumer struct {
	id    int
	st    *runState
	cl    *kgo.Client
	codec *Codec

	mu             sync.Mutex              // guards the histograms
	e2e            *hdrhistogram.Histogram // receive − intended, window only
	e2eUncorrected *hdrhistogram.Histogram // receive − send, window only
	live           *hdrhistogram.Histogram // receive − intended, whole run (progress)
}

func newConsumer(id int, st *runState, cl *kgo.Client) (*consumer, error) {
	codec, err := NewCodec(st.cfg.SchemaID)
	if err != nil {
		return nil, err
	}
	codec.writers = st.writers
	return &consumer{
		id:             id,
		st:             st,
		cl:             cl,
		codec:          codec,
		e2e:            newHist(),
		e2eUncorrected: newHist(),
		live:           newHist(),
	}, nil
}

// run polls until ctx is cancelled.
func (c *consumer) run(ctx context.Context) {
	for {
		fetches := c.cl.PollFetches(ctx)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return
		}
		// One receive time per poll: the records of a poll were delivered
		// together, and per-record clocks would charge decode time of
		// earlier records to later ones.
		recv := c.st.now()
		fetches.EachError(func(topic string, partition int32, err error) {
			if errors.Is(err, context.Canceled) {
				return
			}
			c.st.consumeErrs.addf("consumer %d %s/%d: %v", c.id, topic, partition, err)
		})
		c.handle(fetches, recv)
	}
}

// handle validates and measures the records of one poll.
func (c *consumer) handle(fetches kgo.Fetches, recv int64) {
	st := c.st
	var n, nWin, bytesWin int64
	recvInWin := st.inWindow(recv)
	c.mu.Lock()
	defer c.mu.Unlock()
	var tick FxTick
	fetches.EachRecord(func(r *kgo.Record) {
		n++
		if recvInWin {
			nWin++
			bytesWin += int64(len(r.Value))
		}
		err := c.codec.Decode(r.Value, &tick)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				ve = &ValidationError{Kind: KindAvroDecode, Detail: err.Error()}
			}
			st.validation.add(r.Partition, r.Offset, ve)
			if !ve.Decoded() {
				return
			}
		}
		dup, ok := st.tracker.MarkReceived(int(tick.ProducerID), tick.Sequence)
		switch {
		case !ok:
			if err == nil { // not reported yet
				st.validation.add(r.Partition, r.Offset, &ValidationError{
					Kind:   KindUnknownSequence,
					Detail: fmt.Sprintf("producer %d sequence %d is not part of this run", tick.ProducerID, tick.Sequence),
				})
			}
			return
		case dup:
			return // counted by the tracker; measured once
		}
		recordNs(c.live, recv-tick.IntendedSendNs)
		if st.inWindow(tick.IntendedSendNs) {
			recordNs(c.e2e, recv-tick.IntendedSendNs)
			recordNs(c.e2eUncorrected, recv-tick.SendNs)
		}
	})
	st.received.Add(n)
	if nWin > 0 {
		st.recvWin.Add(nWin)
		st.recvWinBytes.Add(bytesWin)
	}
}

// liveP99Into merges the consumer's whole-run corrected histogram into dst.
func (c *consumer) liveP99Into(dst *hdrhistogram.Histogram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dst.Merge(c.live)
}
