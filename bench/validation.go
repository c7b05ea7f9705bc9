package bench

import (
	"fmt"
	"sync"
)

// ValidationKind classifies why a consumed record failed validation.
type ValidationKind string

// Validation failure kinds, in the order the checks run.
const (
	KindTooShort        ValidationKind = "too_short"         // fewer than 5 bytes
	KindBadMagic        ValidationKind = "bad_magic"         // first byte is not 0
	KindWrongSchemaID   ValidationKind = "wrong_schema_id"   // no registry: schema id differs from Config.SchemaID
	KindUnknownSchemaID ValidationKind = "unknown_schema_id" // the registry does not know the record's schema id
	KindSchemaLookup    ValidationKind = "schema_lookup"     // the registry did not answer for the record's schema id
	KindAvroDecode      ValidationKind = "avro_decode"       // the body does not decode with the writer schema
	KindBadPair         ValidationKind = "bad_pair"          // pair is not six upper-case letters
	KindBidNotBelowAsk  ValidationKind = "bid_not_below_ask" // bid >= ask (or NaN)
	KindUnknownSequence ValidationKind = "unknown_sequence"  // producer id or sequence not part of this run
)

// ValidationError describes one record that failed validation.
type ValidationError struct {
	Kind    ValidationKind
	Detail  string
	decoded bool
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("bench: invalid record (%s): %s", e.Kind, e.Detail)
}

// Decoded reports whether the Avro body decoded (only a semantic check
// failed), in which case the decoded record is usable for accounting.
func (e *ValidationError) Decoded() bool { return e.decoded }

// ValidationReport summarises the consumer-side validation of a run.
type ValidationReport struct {
	// Checked counts records that went through validation.
	Checked int64 `json:"checked"`
	// Failed counts records that failed any check.
	Failed int64 `json:"failed"`
	// ByKind counts failures per ValidationKind.
	ByKind map[ValidationKind]int64 `json:"by_kind,omitempty"`
	// Examples holds the first few failures, with partition and offset.
	Examples []string `json:"examples,omitempty"`
	// WriterSchema says what records were decoded with: "registry" (the writer schema
	// resolved by each record's id, as standard deserializers do) or "built-in"
	// (schemas.FxTick, when the run has no registry).
	WriterSchema string `json:"writer_schema,omitempty"`
}

// OK reports whether no record failed validation.
func (v ValidationReport) OK() bool { return v.Failed == 0 }

// maxExamples bounds every example list in a Result.
const maxExamples = 5

// validationLog aggregates validation failures from several consumers.
type validationLog struct {
	mu       sync.Mutex
	failed   int64
	byKind   map[ValidationKind]int64
	examples []string
}

func (l *validationLog) add(partition int32, offset int64, e *ValidationError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failed++
	if l.byKind == nil {
		l.byKind = make(map[ValidationKind]int64)
	}
	l.byKind[e.Kind]++
	if len(l.examples) < maxExamples {
		l.examples = append(l.examples, fmt.Sprintf("partition %d offset %d: %s: %s", partition, offset, e.Kind, e.Detail))
	}
}

func (l *validationLog) report(checked int64, registry bool) ValidationReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := ValidationReport{Checked: checked, Failed: l.failed, Examples: append([]string(nil), l.examples...), WriterSchema: "built-in"}
	if registry {
		r.WriterSchema = "registry"
	}
	if len(l.byKind) > 0 {
		r.ByKind = make(map[ValidationKind]int64, len(l.byKind))
		for k, v := range l.byKind {
			r.ByKind[k] = v
		}
	}
	return r
}

// exampleLog keeps a count and the first few messages of a class of errors.
type exampleLog struct {
	mu       sync.Mutex
	count    int64
	examples []string
}

// addf counts one error and keeps its message (formatted only when kept).
func (l *exampleLog) addf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count++
	if len(l.examples) < maxExamples {
		l.examples = append(l.examples, fmt.Sprintf(format, args...))
	}
}

func (l *exampleLog) snapshot() (int64, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count, append([]string(nil), l.examples...)
}
