package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/schemas"
)

// registryTimeout bounds one schema lookup; a registry slower than this is reported as a
// validation failure of the records that needed it, not a stalled consumer.
const registryTimeout = 10 * time.Second

// writerSchemas resolves the schema id in a record's header to the writer schema through
// the Schema Registry, as the ecosystem's deserializers do (Confluent's, Apicurio's,
// franz-go's sr.Serde): the consumer decodes with what the registry says the producer
// wrote, not with its own copy, so a registry serving another text for the id shows up as
// failed records. Found schemas and ids the registry does not know are cached per id;
// transport errors are not, so a registry blip costs only the records that met it.
type writerSchemas struct {
	cl *sr.Client
	mu sync.Mutex
	by map[uint32]resolved
}

type resolved struct {
	schema avro.Schema
	err    *ValidationError
}

func newWriterSchemas(cfg *Config) (*writerSchemas, error) {
	opts := append([]sr.ClientOpt{sr.URLs(cfg.RegistryURL), sr.UserAgent("market-bus-bench"),
		sr.HTTPClient(&http.Client{Timeout: registryTimeout})}, cfg.RegistryOpts...)
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("bench: schema registry client for %s: %w", cfg.RegistryURL, err)
	}
	return &writerSchemas{cl: cl, by: map[uint32]resolved{}}, nil
}

// get returns the writer schema of id, or the validation failure to count.
func (w *writerSchemas) get(ctx context.Context, id uint32) (avro.Schema, *ValidationError) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if r, ok := w.by[id]; ok {
		return r.schema, r.err
	}
	ctx, cancel := context.WithTimeout(ctx, registryTimeout)
	defer cancel()
	s, err := w.cl.SchemaByID(ctx, int(id))
	if err != nil {
		var re *sr.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
			ve := &ValidationError{Kind: KindUnknownSchemaID, Detail: fmt.Sprintf("schema id %d is not in the registry: %s", id, re.Message)}
			w.by[id] = resolved{err: ve}
			return nil, ve
		}
		return nil, &ValidationError{Kind: KindSchemaLookup, Detail: fmt.Sprintf("looking up schema id %d: %v", id, err)}
	}
	if s.Type != sr.TypeAvro {
		ve := &ValidationError{Kind: KindAvroDecode, Detail: fmt.Sprintf("schema id %d is a %s schema, not Avro", id, s.Type)}
		w.by[id] = resolved{err: ve}
		return nil, ve
	}
	// A cache of its own: the writer's FxTick must not be swapped for our FxTick by name.
	schema, err := avro.ParseWithCache(s.Schema, "", &avro.SchemaCache{})
	if err != nil {
		ve := &ValidationError{Kind: KindAvroDecode, Detail: fmt.Sprintf("schema id %d is not Avro this consumer can parse: %v", id, err)}
		w.by[id] = resolved{err: ve}
		return nil, ve
	}
	w.by[id] = resolved{schema: schema}
	return schema, nil
}

// checkWriterSchema fails a run before anything is produced when the registry does not hold
// schemas/fx_tick.avsc's encoding under cfg.SchemaID: every record would fail to decode.
func checkWriterSchema(ctx context.Context, w *writerSchemas, id int) error {
	got, ve := w.get(ctx, uint32(id))
	if ve != nil {
		return fmt.Errorf("bench: schema_id %d: %s; register schemas/fx_tick.avsc under fx-stream-global-value and pass the id it gets", id, ve.Detail)
	}
	ours, err := avro.ParseWithCache(schemas.FxTick(), "", &avro.SchemaCache{})
	if err != nil {
		return fmt.Errorf("bench: parsing FxTick schema: %w", err)
	}
	if got.String() != ours.String() {
		return fmt.Errorf("bench: schema_id %d: the registry serves a schema whose Parsing Canonical Form differs from schemas/fx_tick.avsc, "+
			"so consumers resolving the id cannot decode what this run writes:\n  registry: %s\n  producer: %s\n"+
			"register schemas/fx_tick.avsc and check the registry keeps the text as registered", id, got.String(), ours.String())
	}
	return nil
}
