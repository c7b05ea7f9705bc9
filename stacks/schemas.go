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
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	root, rootErr := FindRoot()
	seen := map[string]int{}
	for i := range list {
		s := &list[i]
		at := fmt.Sprintf("%s:%s[%d]", Project, KeySchemas, i)
		if s.Subject == "" {
			add("%s.subject is empty: name the subject <topic>-value or <topic>-key", at)
		}
		if j, dup := seen[s.Subject]; dup && s.Subject != "" {
			add("%s.subject = %q duplicates %s:%s[%d]: register each subject once", at, s.Subject, Project, KeySchemas, j)
		}
		seen[s.Subject] = i
		t := strings.ToUpper(s.Type)
		if t == "" {
			t = "AVRO"
		}
		if t != "AVRO" && t != "JSON" && t != "PROTOBUF" {
			add("%s.type = %q: use AVRO, JSON or PROTOBUF", at, s.Type)
		}
		if l := s.level(); l != "" && !contains(levels, l) {
			add("%s.compatibility = %q: use one of %s", at, *s.Compatibility, strings.Join(levels, ", "))
		}
		switch s.DeletionMode {
		case "", "soft", "hard", "retain":
		default:
			add("%s.deletionMode = %q: use soft, hard or retain", at, s.DeletionMode)
		}
		if s.File == "" {
			add("%s.file is empty: point it at the schema file, e.g. schemas/market_telemetry.avsc", at)
			continue
		}
		path := s.File
		if !filepath.IsAbs(path) {
			if rootErr != nil {
				add("%s.file = %q cannot be resolved: %v", at, s.File, rootErr)
				continue
			}
			path = filepath.Join(root, path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			add("%s.file = %q cannot be read (%v): the path is relative to the folder of Pulumi.yaml", at, s.File, err)
			continue
		}
		s.text = string(raw)
		if t == "AVRO" {
			if _, err := avro.ParseWithCache(s.text, "", &avro.SchemaCache{}); err != nil {
				add("%s.file = %q is not valid Avro: %v", at, s.File, err)
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
