package main

import (
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// step is one resource step of a preview, as --json prints it.
type step struct {
	URN  string   `json:"urn"`
	Type string   `json:"type"`
	Op   string   `json:"op"`
	Diff []string `json:"diffKeys,omitempty"`
}

// recorder drains the engine's event stream of one operation: the steps, the policy
// violations and the refresh results, which busctl turns into JSON, tables and exit codes.
type recorder struct {
	ch   chan events.EngineEvent
	done chan struct{}

	mu         sync.Mutex
	steps      []step
	violations []violation
	refreshed  map[string]apitype.StepEventMetadata // by URN: a refresh step's state before and after
	diags      []string
}

func newRecorder() *recorder {
	r := &recorder{ch: make(chan events.EngineEvent), done: make(chan struct{}), refreshed: map[string]apitype.StepEventMetadata{}}
	go r.drain()
	return r
}

func (r *recorder) drain() {
	defer close(r.done)
	for e := range r.ch {
		r.mu.Lock()
		switch {
		case e.ResourcePreEvent != nil:
			m := e.ResourcePreEvent.Metadata
			if m.Op == apitype.OpRefresh {
				r.refresh(m)
				break
			}
			if m.Op == apitype.OpUpdate {
				// A refresh preview reports a resource whose real values differ from the
				// state as an update step carrying both.
				r.refresh(m)
			}
			diff := m.Diffs
			if len(diff) == 0 {
				diff = m.Keys
			}
			r.steps = append(r.steps, step{URN: m.URN, Type: m.Type, Op: string(m.Op), Diff: diff})
		case e.ResOutputsEvent != nil:
			if m := e.ResOutputsEvent.Metadata; m.Op == apitype.OpRefresh || m.Op == apitype.OpUpdate {
				r.refresh(m)
			}
		case e.PolicyEvent != nil:
			r.violations = append(r.violations, violationOf(*e.PolicyEvent))
		case e.DiagnosticEvent != nil:
			if e.DiagnosticEvent.Severity == "error" {
				r.diags = append(r.diags, e.DiagnosticEvent.Message)
			}
		}
		r.mu.Unlock()
	}
}

// refresh keeps a refresh step that carries both the state's and the real values; the
// outputs event, which comes last, wins over the pre event.
func (r *recorder) refresh(m apitype.StepEventMetadata) {
	if m.Old != nil && m.New != nil {
		r.refreshed[m.URN] = m
	}
}

// eventsGrace is how long wait gives the event stream to end once the operation returned.
const eventsGrace = 10 * time.Second

// wait returns once the engine closed the event stream; call it after the operation has
// returned. The Automation API closes the stream when the CLI's event log ends, but a CLI
// that fails before it writes one (a wrong passphrase) leaves it open for good: busctl waited
// forever there. After eventsGrace, what has arrived is all there is.
func (r *recorder) wait() {
	select {
	case <-r.done:
	case <-time.After(eventsGrace):
	}
}

// mandatory counts the mandatory policy violations seen.
func (r *recorder) mandatory() int {
	n := 0
	for _, v := range r.violations {
		if v.Level == "mandatory" {
			n++
		}
	}
	return n
}

// gateMissed reports whether the latency gate ran and missed its thresholds (not merely
// failed to run), which busctl reports with its own exit code.
func (r *recorder) gateMissed(err error) bool {
	for _, d := range r.diags {
		if strings.Contains(d, gateMissedText) {
			return true
		}
	}
	return err != nil && strings.Contains(err.Error(), gateMissedText)
}

// gateMissedText starts the provider's error when a measurement misses a threshold.
const gateMissedText = "latency gate failed at"

func violationOf(pe apitype.PolicyEvent) violation {
	res := pe.ResourceURN
	if i := strings.LastIndex(res, "::"); i >= 0 {
		res = res[i+2:]
	}
	if res == "" {
		res = "(stack)"
	}
	return violation{Policy: pe.PolicyName, Pack: pe.PolicyPackName, Level: pe.EnforcementLevel, Resource: res,
		URN: pe.ResourceURN, Message: violationText(pe.Message)}
}
