package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// drainPoll is how often the drain phase checks for missing records.
const drainPoll = 20 * time.Millisecond

// consumerFetchMaxWait bounds a fetch that has no data; records are returned
// as soon as they are available regardless.
const consumerFetchMaxWait = 500 * time.Millisecond

// Run executes one benchmark: it makes sure the topic exists, lists its end
// offsets, starts the consumers and then the producers on an open-loop
// schedule of cfg.Rate msg/s for cfg.WarmUp + cfg.Duration, waits up to
// cfg.DrainTimeout for outstanding acks and deliveries, and returns the
// measurements. Every client is closed and every goroutine has returned
// when Run returns.
//
// A cancelled ctx stops the run; Run then returns an error wrapping
// ctx.Err() and no result. Loss, duplicates and invalid payloads are not
// errors: they are reported in the Result (see [Result.DataErrors]).
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		cfg.ClientID = defaultClientID
	}
	base := time.Now()

	admCl, err := kgo.NewClient(clientOpts(&cfg, "admin")...)
	if err != nil {
		return nil, fmt.Errorf("bench: admin client: %w", err)
	}
	defer admCl.Close()
	adm := kadm.NewClient(admCl)

	created, err := ensureTopic(ctx, adm, &cfg)
	if err != nil {
		return nil, err
	}
	res, err := runOnTopic(ctx, cfg, adm, base)
	if created && cfg.DeleteTopic {
		if derr := deleteTopic(ctx, &cfg); derr != nil {
			err = errors.Join(err, derr)
		} else if res != nil {
			res.TopicDeleted = true
		}
	}
	if res != nil {
		res.TopicCreated = created
	}
	return res, err
}

// runOnTopic runs the benchmark against an existing topic.
func runOnTopic(ctx context.Context, cfg Config, adm *kadm.Client, base time.Time) (*Result, error) {
	offsets, err := endOffsets(ctx, adm, cfg.Topic)
	if err != nil {
		return nil, err
	}
	st := newRunState(cfg, base)
	if cfg.RegistryURL != "" {
		if st.writers, err = newWriterSchemas(&cfg); err != nil {
			return nil, err
		}
		if err := checkWriterSchema(ctx, st.writers, cfg.SchemaID); err != nil {
			return nil, err
		}
	}
	cl := &clients{}
	defer cl.close()

	consumers, err := startConsumerClients(&cfg, st, offsets, cl)
	if err != nil {
		return nil, err
	}
	producers, err := startProducerClients(&cfg, st, cl)
	if err != nil {
		return nil, err
	}

	consCtx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()
	var consWG sync.WaitGroup
	for _, c := range consumers {
		consWG.Go(func() { c.run(consCtx) })
	}

	st.start()
	progCtx, stopProgress := context.WithCancel(ctx)
	var progWG sync.WaitGroup
	progWG.Go(func() { reportProgress(progCtx, st, consumers, progressInterval) })
	if cfg.adaptiveWarmUp() {
		progWG.Go(func() { watchSteady(progCtx, st, consumers) })
	}
	defer func() { stopProgress(); progWG.Wait() }()

	errs := make([]error, len(producers))
	var prodWG sync.WaitGroup
	for i, p := range producers {
		prodWG.Go(func() { errs[i] = p.run(ctx) })
	}
	prodWG.Wait()
	if err := ctx.Err(); err != nil {
		stopConsumers()
		consWG.Wait()
		return nil, fmt.Errorf("bench: run on %q cancelled after %v: %w", cfg.Topic, time.Duration(st.now()-st.t0).Round(time.Millisecond), err)
	}
	if err := errors.Join(errs...); err != nil {
		stopConsumers()
		consWG.Wait()
		return nil, err
	}

	drainErr := drain(ctx, st, producers)
	stopConsumers()
	consWG.Wait()
	cl.closeProducers() // fails records still buffered, counting them as produce errors
	if drainErr != nil {
		return nil, drainErr
	}
	return buildResult(st, producers, consumers, len(offsets)), nil
}

// drain waits, up to cfg.DrainTimeout after the last scheduled send, for
// every sent record to be acked (or fail) and every acked record to be
// received.
func drain(ctx context.Context, st *runState, producers []*producer) error {
	dctx, cancel := context.WithTimeout(ctx, st.cfg.DrainTimeout)
	defer cancel()
	for _, p := range producers {
		if err := p.cl.Flush(dctx); err != nil {
			break // timed out: what is missing is reported below
		}
	}
	ticker := time.NewTicker(drainPoll)
	defer ticker.Stop()
	for {
		settled := st.acked.Load()+st.produceErrsCount() >= st.sent.Load()
		if settled && st.tracker.Missing() == 0 {
			return nil
		}
		select {
		case <-dctx.Done():
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("bench: drain cancelled: %w", err)
			}
			return nil // drain timeout: missing records are loss
		case <-ticker.C:
		}
	}
}

func (s *runState) produceErrsCount() int64 {
	n, _ := s.produceErrs.snapshot()
	return n
}

// clients tracks every client of a run so that all are closed.
type clients struct {
	producers []*kgo.Client
	consumers []*kgo.Client
}

func (c *clients) closeProducers() {
	for _, cl := range c.producers {
		cl.Close()
	}
	c.producers = nil
}

func (c *clients) close() {
	c.closeProducers()
	for _, cl := range c.consumers {
		cl.Close()
	}
	c.consumers = nil
}

func startConsumerClients(cfg *Config, st *runState, offsets map[int32]int64, cl *clients) ([]*consumer, error) {
	var out []*consumer
	for i, assigned := range assignPartitions(offsets, cfg.Consumers) {
		kcl, err := kgo.NewClient(clientOpts(cfg, fmt.Sprintf("consumer-%d", i),
			kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.Topic: assigned}),
			kgo.FetchMaxWait(consumerFetchMaxWait),
		)...)
		if err != nil {
			return nil, fmt.Errorf("bench: consumer %d client: %w", i, err)
		}
		cl.consumers = append(cl.consumers, kcl)
		c, err := newConsumer(i, st, kcl)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func startProducerClients(cfg *Config, st *runState, cl *clients) ([]*producer, error) {
	acks, err := acksOpt(cfg.Acks)
	if err != nil {
		return nil, err
	}
	codec, err := compressionOpt(cfg.Compression)
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.RequiredAcks(acks),
		kgo.ProducerLinger(cfg.Linger),
		kgo.ProducerBatchMaxBytes(cfg.BatchMaxBytes),
		kgo.ProducerBatchCompression(codec),
	}
	if cfg.Acks != "all" {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	out := make([]*producer, 0, cfg.Producers)
	for i := range cfg.Producers {
		kcl, err := kgo.NewClient(clientOpts(cfg, fmt.Sprintf("producer-%d", i), opts...)...)
		if err != nil {
			return nil, fmt.Errorf("bench: producer %d client: %w", i, err)
		}
		cl.producers = append(cl.producers, kcl)
		p, err := newProducer(i, st, kcl)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// buildResult merges the per-client histograms and counters. Producers'
// and consumers' goroutines must have returned.
func buildResult(st *runState, producers []*producer, consumers []*consumer, partitions int) *Result {
	publish, sendDelay, e2e, e2eUnc := newHist(), newHist(), newHist(), newHist()
	for _, p := range producers {
		sendDelay.Merge(p.sendDelay)
		p.mu.Lock()
		publish.Merge(p.publish)
		p.mu.Unlock()
	}
	for _, c := range consumers {
		c.mu.Lock()
		e2e.Merge(c.e2e)
		e2eUnc.Merge(c.e2eUncorrected)
		c.mu.Unlock()
	}
	secs := time.Duration(st.winEnd.Load() - st.winStart.Load()).Seconds()
	lost, lostRanges := st.tracker.Lost(maxExamples)
	dups, dupEx := st.tracker.Duplicates()
	prodErrs, prodEx := st.produceErrs.snapshot()
	consErrs, consEx := st.consumeErrs.snapshot()
	received := st.received.Load()
	return &Result{
		Config:              st.cfg,
		StartedAt:           st.base,
		WindowSeconds:       secs,
		WarmUpSeconds:       st.warmUpUsed().Seconds(),
		Partitions:          partitions,
		Publish:             summarize(publish),
		SendDelay:           summarize(sendDelay),
		EndToEnd:            summarize(e2e),
		EndToEndUncorrected: summarize(e2eUnc),
		Throughput: Throughput{
			ProduceMsgPerSec: float64(st.ackedWin.Load()) / secs,
			ProduceMBPerSec:  float64(st.ackedWinBytes.Load()) / 1e6 / secs,
			ConsumeMsgPerSec: float64(st.recvWin.Load()) / secs,
			ConsumeMBPerSec:  float64(st.recvWinBytes.Load()) / 1e6 / secs,
		},
		Counts: Counts{
			Scheduled:     st.total.Load(),
			Sent:          st.sent.Load(),
			Acked:         st.acked.Load(),
			Received:      received,
			ProduceErrors: prodErrs,
			ConsumeErrors: consErrs,
			Lost:          lost,
			Duplicates:    dups,
		},
		LostRanges:           lostRanges,
		DuplicateExamples:    dupEx,
		ProduceErrorExamples: prodEx,
		ConsumeErrorExamples: consEx,
		Validation:           st.validation.report(received, st.writers != nil),
		Curves: []Curve{
			curve(SeriesE2ECorrected, e2e),
			curve(SeriesE2EUncorrected, e2eUnc),
			curve(SeriesPublish, publish),
		},
	}
}
