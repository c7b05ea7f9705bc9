package stacks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hamba/avro/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/sdk/go/marketbus"

	"github.com/marketbus/market-bus/fielderr"
)

// KeySchemas lists the Schema Registry subjects the stack registers.
const KeySchemas = "schemas"

// SchemaSpec is one subject and the file its schema is read from.
type SchemaSpec struct {
	Subject string `json:"subject"`
	// File is the schema file, relative to the project root (the folder of Pulumi.yaml).
	File string `json:"file"`
	// Type is AVRO (default), JSON or PROTOBUF.
	Type string `json:"type"`
	// Compatibility is the subject's level, BACKWARD by default; empty string keeps the global one.
	Compatibility *string `json:"compatibility"`
	// DeletionMode is soft (default), hard or retain.
	DeletionMode string `json:"deletionMode"`

	// text is the file's content, read once by Load.
	text string
}

var levels = []string{"BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"}

// level returns the subject's compatibility level, or "" to leave it to the registry.
func (s SchemaSpec) level() string {
	if s.Compatibility == nil {
		return "BACKWARD"
	}
	return strings.ToUpper(*s.Compatibility)
}

// FindRoot walks up from the working directory to the folder holding Pulumi.yaml, which
// is what relative schema paths are relative to, however the program is started.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no Pulumi.yaml in the working directory or above: run inside the market-bus project")
		}
		dir = parent
	}
}

// readProjectFile reads a file named relative to the folder of Pulumi.yaml (or absolute).
func readProjectFile(name string) ([]byte, error) {
	if !filepath.IsAbs(name) {
		root, err := FindRoot()
		if err != nil {
			return nil, err
		}
		name = filepath.Join(root, name)
	}
	return os.ReadFile(name)
}

// loadSchemas reads and checks every schema file; at is the key path for messages.
func loadSchemas(list []SchemaSpec) []error {
	var errs []error
	add := func(key string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(Key(key), value, problem, fix))
	}
	root, rootErr := FindRoot()
	seen := map[string]int{}
	for i := range list {
		s := &list[i]
		at := fmt.Sprintf("%s[%d]", KeySchemas, i)
		if s.Subject == "" {
			add(at+".subject", `""`, "no subject is named", "name the subject <topic>-value or <topic>-key")
		}
		if j, dup := seen[s.Subject]; dup && s.Subject != "" {
			add(at+".subject", fmt.Sprintf("%q", s.Subject), "duplicates "+Key(fmt.Sprintf("%s[%d]", KeySchemas, j)), "register each subject once")
		}
		seen[s.Subject] = i
		t := strings.ToUpper(s.Type)
		if t == "" {
			t = "AVRO"
		}
		if t != "AVRO" && t != "JSON" && t != "PROTOBUF" {
			add(at+".type", fmt.Sprintf("%q", s.Type), "not a schema type", "use AVRO, JSON or PROTOBUF")
		}
		if l := s.level(); l != "" && !contains(levels, l) {
			add(at+".compatibility", fmt.Sprintf("%q", *s.Compatibility), "not a compatibility level", "use one of "+strings.Join(levels, ", "))
		}
		switch s.DeletionMode {
		case "", "soft", "hard", "retain":
		default:
			add(at+".deletionMode", fmt.Sprintf("%q", s.DeletionMode), "not a deletion mode", "use soft, hard or retain")
		}
		if s.File == "" {
			add(at+".file", `""`, "no schema file is named", "point it at the schema file, e.g. schemas/market_telemetry.avsc")
			continue
		}
		path := s.File
		if !filepath.IsAbs(path) {
			if rootErr != nil {
				add(at+".file", fmt.Sprintf("%q", s.File), fmt.Sprintf("cannot be resolved: %v", rootErr), "run inside the market-bus project, or give an absolute path")
				continue
			}
			path = filepath.Join(root, path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			add(at+".file", fmt.Sprintf("%q", s.File), fmt.Sprintf("cannot be read (%v)", err), "give the path relative to the folder of Pulumi.yaml")
			continue
		}
		s.text = string(raw)
		if t == "AVRO" {
			if _, err := avro.ParseWithCache(s.text, "", &avro.SchemaCache{}); err != nil {
				add(at+".file", fmt.Sprintf("%q", s.File), fmt.Sprintf("not valid Avro: %v", err), "fix the schema so an Avro parser accepts it")
			}
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// deploySchemas registers each subject's compatibility level and schema. A Schema waits
// for its SubjectConfig, so the first version is already checked under the right level.
func deploySchemas(ctx *pulumi.Context, list []SchemaSpec, prov pulumi.ProviderResource, deps []pulumi.Resource) (pulumi.Map, map[string]*marketbus.Schema, error) {
	out := pulumi.Map{}
	byName := map[string]*marketbus.Schema{}
	for _, s := range list {
		opts := []pulumi.ResourceOption{pulumi.Provider(prov), pulumi.DependsOn(deps)}
		if l := s.level(); l != "" {
			cfg, err := marketbus.NewSubjectConfig(ctx, s.Subject, &marketbus.SubjectConfigArgs{
				Subject:       pulumi.String(s.Subject),
				Compatibility: pulumi.String(l),
			}, pulumi.Provider(prov))
			if err != nil {
				return nil, nil, fmt.Errorf("registering the compatibility of %q: %w", s.Subject, err)
			}
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{cfg}))
		}
		args := &marketbus.SchemaArgs{
			Subject: pulumi.String(s.Subject),
			Schema:  pulumi.String(s.text),
		}
		if s.Type != "" {
			args.SchemaType = pulumi.StringPtr(strings.ToUpper(s.Type))
		}
		if s.DeletionMode != "" {
			args.DeletionMode = pulumi.StringPtr(s.DeletionMode)
		}
		res, err := marketbus.NewSchema(ctx, s.Subject, args, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("registering schema %q: %w", s.Subject, err)
		}
		byName[s.Subject] = res
		out[s.Subject] = pulumi.Map{"schemaId": res.SchemaId, "version": res.Version}
	}
	return out, byName, nil
}
