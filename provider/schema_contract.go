package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// avroCanonical returns hamba/avro's canonical form of an Avro schema: the spec's Parsing
// Canonical Form (full names, only the attributes that change the binary encoding, field
// order kept) plus logical types. Two texts with the same canonical form encode and decode
// the same bytes; docs, defaults, whitespace and key order do not count.
func avroCanonical(text string) (string, error) {
	s, err := parseAvro(text)
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// contractMismatch compares the file's schema with the text the registry serves for the
// same id by canonical form. It returns nil when a consumer resolving the id decodes exactly
// what a producer using the file writes, else an error naming the first field whose position
// or type differs. Only Avro without references is compared: the other types have no
// binary contract that a field reorder breaks, and referenced names live in other subjects.
func contractMismatch(in SchemaArgs, registryText string) error {
	if in.typeName() != "AVRO" || len(in.References) > 0 {
		return nil
	}
	file, err := parseAvro(in.Schema)
	if err != nil {
		return err
	}
	reg, err := parseAvro(registryText)
	if err != nil {
		return fmt.Errorf("the registry's text of subject %q is not Avro this provider can parse: %w", in.Subject, err)
	}
	if file.String() == reg.String() {
		return nil
	}
	return fmt.Errorf("the registry serves subject %q with a different Avro Parsing Canonical Form than the file: %s; "+
		"a consumer resolving the schema id would decode the records wrongly. Fix the registry so it keeps the text "+
		"as registered (Apicurio: do not set registry.ccompat.use-canonical-hash), then run up again", in.Subject, firstDifference("", file, reg))
}

// firstDifference describes where two schemas with different canonical forms first differ,
// as a field path ("fields[2] bid: ...").
func firstDifference(path string, file, reg avro.Schema) string {
	at := path
	if at == "" {
		at = "the top-level schema"
	}
	if file.Type() != reg.Type() {
		return fmt.Sprintf("%s is %s in the file but %s in the registry", at, file.Type(), reg.Type())
	}
	switch f := file.(type) {
	case *avro.RecordSchema:
		r := reg.(*avro.RecordSchema)
		if f.FullName() != r.FullName() {
			return fmt.Sprintf("%s is record %s in the file but %s in the registry", at, f.FullName(), r.FullName())
		}
		ff, rf := f.Fields(), r.Fields()
		for i := 0; i < len(ff) && i < len(rf); i++ {
			p := fmt.Sprintf("%sfields[%d]", prefix(path), i)
			if ff[i].Name() != rf[i].Name() {
				return fmt.Sprintf("%s is %q (%s) in the file but %q (%s) in the registry: the field order differs",
					p, ff[i].Name(), typeText(ff[i].Type()), rf[i].Name(), typeText(rf[i].Type()))
			}
			if ff[i].Type().String() != rf[i].Type().String() {
				return firstDifference(p+" "+ff[i].Name(), ff[i].Type(), rf[i].Type())
			}
		}
		if len(ff) != len(rf) {
			return fmt.Sprintf("%s has %d fields in the file but %d in the registry", at, len(ff), len(rf))
		}
	case *avro.ArraySchema:
		return firstDifference(prefix(path)+"items", f.Items(), reg.(*avro.ArraySchema).Items())
	case *avro.MapSchema:
		return firstDifference(prefix(path)+"values", f.Values(), reg.(*avro.MapSchema).Values())
	case *avro.UnionSchema:
		fb, rb := f.Types(), reg.(*avro.UnionSchema).Types()
		for i := 0; i < len(fb) && i < len(rb); i++ {
			if fb[i].String() != rb[i].String() {
				return firstDifference(fmt.Sprintf("%sbranch[%d]", prefix(path), i), fb[i], rb[i])
			}
		}
		return fmt.Sprintf("%s has %d branches in the file but %d in the registry", at, len(fb), len(rb))
	}
	return fmt.Sprintf("%s is %s in the file but %s in the registry", at, typeText(file), typeText(reg))
}

// typeText is a schema's canonical form without the quotes JSON puts around a primitive.
func typeText(s avro.Schema) string { return strings.Trim(s.String(), `"`) }

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + "."
}

// registryTextByID fetches the text the registry serves for a schema id: what every
// consumer resolving the id from a record's header gets.
func registryTextByID(ctx context.Context, cl *sr.Client, id int) (string, error) {
	var s sr.Schema
	err := retryRegistry(ctx, func() (err error) {
		s, err = cl.SchemaByID(ctx, id)
		return err
	})
	if err != nil {
		return "", registryError(fmt.Sprintf("reading schema id %d", id), err)
	}
	return s.Schema, nil
}
