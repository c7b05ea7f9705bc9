// Package payload validates application records against the schema a Schema Registry
// subject holds, the way a consumer will read them: JSON records (one object per line, Avro
// JSON encoding) against the subject's schema, and Confluent wire-format binaries against
// the writer schema their id resolves to. Only schema rules are checked (fields, types,
// enum symbols, union branches); business rules such as bid < ask are the application's.
package payload

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// Options say which records to check against which subject.
type Options struct {
	RegistryURL  string
	RegistryOpts []sr.ClientOpt
	Subject      string
	// Version is the subject version to check against; 0 means the latest.
	Version int
	// JSONFiles hold one JSON record per line.
	JSONFiles []string
	// AvroFiles are wire-format records, one per file; a directory stands for its files.
	AvroFiles []string
}

// Problem is one way a record breaks the schema, at a field path ("" is the record).
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Invalid is one record that failed, where it came from and why.
type Invalid struct {
	File     string    `json:"file"`
	Line     int       `json:"line,omitempty"` // JSON records: 1-based line
	Problems []Problem `json:"problems"`
}

// Report is the outcome of a validation.
type Report struct {
	Subject  string    `json:"subject"`
	Version  int       `json:"version"`
	SchemaID int       `json:"schemaId"`
	Records  int       `json:"records"`
	Invalid  []Invalid `json:"invalid"`
}

// OK reports whether every record was valid.
func (r *Report) OK() bool { return len(r.Invalid) == 0 }

// Validate checks every record of o against the subject's schema. An error means the check
// could not run (registry, files); bad records are in the report.
func Validate(ctx context.Context, o Options) (*Report, error) {
	if o.Subject == "" || (len(o.JSONFiles) == 0 && len(o.AvroFiles) == 0) {
		return nil, errors.New("give --subject and at least one --json FILE or --avro FILE")
	}
	cl, err := sr.NewClient(append([]sr.ClientOpt{sr.URLs(o.RegistryURL), sr.UserAgent("busctl-validate")}, o.RegistryOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("schema registry client for %s: %w", o.RegistryURL, err)
	}
	version := o.Version
	if version <= 0 {
		version = -1
	}
	ss, err := cl.SchemaByVersion(ctx, o.Subject, version)
	if err != nil {
		return nil, fmt.Errorf("reading subject %q version %s from %s: %w", o.Subject, versionText(o.Version), o.RegistryURL, err)
	}
	if ss.Type != sr.TypeAvro {
		return nil, fmt.Errorf("subject %q version %d is a %s schema: only Avro subjects are validated", o.Subject, ss.Version, ss.Type)
	}
	reader, err := parse(ss.Schema.Schema)
	if err != nil {
		return nil, fmt.Errorf("subject %q version %d: %w", o.Subject, ss.Version, err)
	}
	rep := &Report{Subject: o.Subject, Version: ss.Version, SchemaID: ss.ID, Invalid: []Invalid{}}
	for _, f := range o.JSONFiles {
		if err := validateJSONFile(f, reader, rep); err != nil {
			return nil, err
		}
	}
	files, err := expand(o.AvroFiles)
	if err != nil {
		return nil, err
	}
	w := &writers{cl: cl, ctx: ctx, by: map[int]avro.Schema{ss.ID: reader}}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading --avro %s: %w", f, err)
		}
		rep.Records++
		if ps := w.check(raw, ss.ID, reader, rep); len(ps) > 0 {
			rep.Invalid = append(rep.Invalid, Invalid{File: f, Problems: ps})
		}
	}
	return rep, nil
}

func versionText(v int) string {
	if v <= 0 {
		return "latest"
	}
	return fmt.Sprint(v)
}

// parse reads an Avro schema in a cache of its own, so schemas of several versions that
// share a name never stand in for each other.
func parse(text string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("the registry's schema is not Avro this tool can parse: %w", err)
	}
	return s, nil
}

func validateJSONFile(name string, reader avro.Schema, rep *Report) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("reading --json %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		rep.Records++
		var ps []Problem
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		var v any
		switch err := dec.Decode(&v); {
		case err != nil:
			ps = []Problem{{Message: fmt.Sprintf("not JSON: %v", err)}}
		case dec.More():
			ps = []Problem{{Message: "more than one JSON value on the line: write one record per line"}}
		default:
			checkJSON(reader, v, "", &ps)
		}
		if len(ps) > 0 {
			rep.Invalid = append(rep.Invalid, Invalid{File: name, Line: line, Problems: ps})
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading --json %s: %w", name, err)
	}
	return nil
}

// expand replaces each directory by its regular files, sorted.
func expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--avro %s: %w", p, err)
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("--avro %s: %w", p, err)
		}
		var names []string
		for _, e := range entries {
			if e.Type().IsRegular() {
				names = append(names, filepath.Join(p, e.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// writers resolves record schema ids through the registry, once per id.
type writers struct {
	cl  *sr.Client
	ctx context.Context
	by  map[int]avro.Schema
}

// check validates one wire-format record: header, the writer schema of its id, the body
// against it, and, when the id is not the subject version's, that the version can read it.
func (w *writers) check(raw []byte, subjectID int, reader avro.Schema, rep *Report) []Problem {
	id, body, p := splitWire(raw)
	if p != nil {
		return []Problem{*p}
	}
	writer, ok := w.by[id]
	if !ok {
		s, err := w.cl.SchemaByID(w.ctx, id)
		var re *sr.ResponseError
		switch {
		case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
			return []Problem{{Message: fmt.Sprintf("schema id %d (in the record's header) is not in the registry", id)}}
		case err != nil:
			return []Problem{{Message: fmt.Sprintf("looking up schema id %d: %v", id, err)}}
		case s.Type != sr.TypeAvro:
			return []Problem{{Message: fmt.Sprintf("schema id %d is a %s schema, not Avro", id, s.Type)}}
		}
		if writer, err = parse(s.Schema); err != nil {
			return []Problem{{Message: fmt.Sprintf("schema id %d: %v", id, err)}}
		}
		w.by[id] = writer
	}
	if p := checkBinary(writer, body); p != nil {
		p.Message = fmt.Sprintf("schema id %d: %s", id, p.Message)
		return []Problem{*p}
	}
	if id != subjectID {
		if err := avro.NewSchemaCompatibility().Compatible(reader, writer); err != nil {
			return []Problem{{Message: fmt.Sprintf("written with schema id %d, which subject %s version %d (id %d) cannot read: %v",
				id, rep.Subject, rep.Version, subjectID, err)}}
		}
	}
	return nil
}
