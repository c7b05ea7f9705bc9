package provider

import (
	"fmt"

	"github.com/hamba/avro/v2"
)

// parseAvro parses an Avro schema offline, so invalid Avro fails at preview even when no
// registry is reachable. Schemas with references cannot be parsed alone (the referenced
// names live in other subjects) and are left to the registry.
func parseAvro(text string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("the schema is not valid Avro: %w", err)
	}
	return s, nil
}

// avroBackwardIncompatibility checks offline that consumers using the new schema can read
// data written with the old one (BACKWARD, the registry default). It returns nil when
// compatible, otherwise an error naming the first incompatible field.
func avroBackwardIncompatibility(oldText, newText string) error {
	oldS, err := parseAvro(oldText)
	if err != nil {
		return nil // the old text was accepted by the registry before; nothing to compare offline
	}
	newS, err := parseAvro(newText)
	if err != nil {
		return err
	}
	sc := avro.NewSchemaCompatibility()
	if err := sc.Compatible(newS, oldS); err == nil {
		return nil
	} else if field := incompatibleField(sc, newS, oldS); field != "" {
		return fmt.Errorf("field %q: %w", field, err)
	} else {
		return err
	}
}

// incompatibleField finds the first top-level record field that breaks compatibility:
// hamba/avro's own message does not always name it, and the field is what a user needs.
func incompatibleField(sc *avro.SchemaCompatibility, reader, writer avro.Schema) string {
	rr, ok1 := reader.(*avro.RecordSchema)
	wr, ok2 := writer.(*avro.RecordSchema)
	if !ok1 || !ok2 {
		return ""
	}
	writerFields := map[string]*avro.Field{}
	for _, f := range wr.Fields() {
		writerFields[f.Name()] = f
		for _, alias := range f.Aliases() {
			writerFields[alias] = f
		}
	}
	for _, rf := range rr.Fields() {
		wf, ok := writerFields[rf.Name()]
		if !ok {
			if !rf.HasDefault() {
				return rf.Name()
			}
			continue
		}
		if err := sc.Compatible(rf.Type(), wf.Type()); err != nil {
			return rf.Name()
		}
	}
	return ""
}
