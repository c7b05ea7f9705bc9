package payload

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// ErrInvalid is returned by Command when a record failed: the process exits 1.
var ErrInvalid = errors.New("invalid records")

// StackRegistry finds the registry URL of a stack (busctl reads the stack's config).
type StackRegistry func(ctx context.Context, stack, root, configFile string) (string, error)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// Command is `busctl validate`: it parses args, validates and prints the report (text, or
// JSON with --output json). It returns ErrInvalid when a record is invalid.
func Command(ctx context.Context, args []string, out io.Writer, stackRegistry StackRegistry) error {
	fs := flag.NewFlagSet("busctl validate", flag.ContinueOnError)
	fs.SetOutput(out)
	var o Options
	var jsonFiles, avroFiles fileList
	stack := fs.String("stack", "", "stack whose schema registry to ask (dev, prod, local)")
	root := fs.String("root", "", "repository root (default: found from the working directory)")
	configFile := fs.String("config", "", "stack config file (default: Pulumi.<stack>.yaml)")
	fs.StringVar(&o.RegistryURL, "registry", "", "schema registry URL (Confluent API); overrides the stack's")
	fs.StringVar(&o.Subject, "subject", "", "subject whose schema the records must match, e.g. fx-stream-global-value")
	fs.IntVar(&o.Version, "version", 0, "subject version (default: latest)")
	fs.Var(&jsonFiles, "json", "file of JSON records, one per line (Avro JSON encoding); repeatable")
	fs.Var(&avroFiles, "avro", "Confluent wire-format record file, or a directory of them; repeatable")
	format := fs.String("output", "text", "text or json (for CI)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: busctl validate --stack NAME --subject S (--json FILE | --avro FILE)... [--version N] [--output json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("--output %q: use text or json", *format)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: name record files with --json or --avro", fs.Arg(0))
	}
	o.JSONFiles, o.AvroFiles = jsonFiles, avroFiles
	if o.RegistryURL == "" {
		if *stack == "" {
			return errors.New("give --stack NAME (or --registry URL) to say which schema registry holds the subject")
		}
		var err error
		if o.RegistryURL, err = stackRegistry(ctx, *stack, *root, *configFile); err != nil {
			return err
		}
	}
	rep, err := Validate(ctx, o)
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printText(out, rep)
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d of %d records do not match subject %s version %d", ErrInvalid, len(rep.Invalid), rep.Records, rep.Subject, rep.Version)
	}
	return nil
}

func printText(out io.Writer, rep *Report) {
	for _, in := range rep.Invalid {
		where := in.File
		if in.Line > 0 {
			where = fmt.Sprintf("%s:%d", in.File, in.Line)
		}
		for _, p := range in.Problems {
			path := p.Path
			if path == "" {
				path = "(record)"
			}
			fmt.Fprintf(out, "%s: %s: %s\n", where, path, p.Message)
		}
	}
	fmt.Fprintf(out, "%d records checked against subject %s version %d (schema id %d): %d invalid\n",
		rep.Records, rep.Subject, rep.Version, rep.SchemaID, len(rep.Invalid))
}
