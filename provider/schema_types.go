package provider

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/sr"
)

// Schema is one subject's schema in the Schema Registry. A change of the schema text
// registers a new version in place; older versions stay.
type Schema struct{}

// Values accepted by SchemaArgs.DeletionMode.
const (
	DeletionSoft   = "soft"
	DeletionHard   = "hard"
	DeletionRetain = "retain"
)

// SchemaArgs are the inputs of a Schema.
type SchemaArgs struct {
	Subject      string            `pulumi:"subject"`
	SchemaType   *string           `pulumi:"schemaType,optional"`
	Schema       string            `pulumi:"schema"`
	References   []SchemaReference `pulumi:"references,optional"`
	Normalize    *bool             `pulumi:"normalize,optional"`
	DeletionMode *string           `pulumi:"deletionMode,optional"`
}

// SchemaReference names another subject's schema this one uses.
type SchemaReference struct {
	Name    string `pulumi:"name"`
	Subject string `pulumi:"subject"`
	Version int    `pulumi:"version"`
}

// SchemaState is what a Schema records: the user's text verbatim plus the registry's view.
type SchemaState struct {
	SchemaArgs
	SchemaID       int    `pulumi:"schemaId"`
	Version        int    `pulumi:"version"`
	RegistrySchema string `pulumi:"registrySchema"`
	// LatestVersion is the subject's newest version; above Version it means someone else
	// registered a newer schema.
	LatestVersion int `pulumi:"latestVersion"`
	// RegisteredVersions are the subject versions this resource registered itself: the only
	// ones destroy deletes, so versions registered by others keep the subject alive.
	RegisteredVersions []int `pulumi:"registeredVersions,optional"`
	// ContractMismatch is set when the registry serves a text for SchemaID whose Parsing
	// Canonical Form differs from the file: consumers would decode records wrongly.
	ContractMismatch string `pulumi:"contractMismatch,optional"`
}

// ownedVersions are the versions destroy may delete. States written before
// RegisteredVersions existed recorded only the current version, which this stack registered.
func (s SchemaState) ownedVersions() []int {
	if len(s.RegisteredVersions) > 0 {
		return s.RegisteredVersions
	}
	if s.Version > 0 {
		return []int{s.Version}
	}
	return nil
}

// Annotate documents the resource.
func (s *Schema) Annotate(a infer.Annotator) {
	a.Describe(s, "A schema registered under a Schema Registry subject. Reformatting the text is no change; "+
		"an incompatible change fails at preview with the registry's reasons.")
}

// Annotate documents the inputs.
func (s *SchemaArgs) Annotate(a infer.Annotator) {
	a.Describe(&s.Subject, "Subject, usually <topic>-value or <topic>-key. Changing it replaces the resource.")
	a.Describe(&s.SchemaType, "AVRO, JSON or PROTOBUF. Changing it replaces the resource.")
	a.SetDefault(&s.SchemaType, "AVRO")
	a.Describe(&s.Schema, "The schema text. Kept verbatim in state; equality is decided by the registry.")
	a.Describe(&s.References, "Schemas of other subjects this one references.")
	a.Describe(&s.Normalize, "Ask the registry to normalise the schema on register and lookup.")
	a.SetDefault(&s.Normalize, false)
	a.Describe(&s.DeletionMode, "On delete: soft (default) soft-deletes the versions this resource registered, hard also purges them, "+
		"retain leaves them. Versions registered by others are never deleted, so a subject they keep alive survives.")
	a.SetDefault(&s.DeletionMode, DeletionSoft)
}

// Annotate documents the outputs.
func (s *SchemaState) Annotate(a infer.Annotator) {
	a.Describe(&s.SchemaID, "The registry's global id of the schema.")
	a.Describe(&s.Version, "The subject version this schema is registered as.")
	a.Describe(&s.RegistrySchema, "The schema text as the registry stores it.")
	a.Describe(&s.LatestVersion, "The subject's newest version when last read.")
	a.Describe(&s.RegisteredVersions, "The subject versions this resource registered; destroy deletes only these.")
	a.Describe(&s.ContractMismatch, "Set when the registry's text for schemaId has a different Avro Parsing Canonical Form than the file, naming the first differing field.")
}

func (a SchemaArgs) typeName() string {
	if a.SchemaType == nil || *a.SchemaType == "" {
		return "AVRO"
	}
	return strings.ToUpper(*a.SchemaType)
}

func (a SchemaArgs) srType() (sr.SchemaType, error) {
	switch a.typeName() {
	case "AVRO":
		return sr.TypeAvro, nil
	case "JSON":
		return sr.TypeJSON, nil
	case "PROTOBUF":
		return sr.TypeProtobuf, nil
	}
	return 0, fmt.Errorf("schemaType %q is not supported: use AVRO, JSON or PROTOBUF", a.typeName())
}

func (a SchemaArgs) normalized() bool { return a.Normalize != nil && *a.Normalize }

func (a SchemaArgs) deletionMode() string {
	if a.DeletionMode == nil || *a.DeletionMode == "" {
		return DeletionSoft
	}
	return *a.DeletionMode
}

// srSchema is the registry's form of the inputs.
func (a SchemaArgs) srSchema() (sr.Schema, error) {
	t, err := a.srType()
	if err != nil {
		return sr.Schema{}, err
	}
	s := sr.Schema{Schema: a.Schema, Type: t}
	for _, r := range a.References {
		s.References = append(s.References, sr.SchemaReference{Name: r.Name, Subject: r.Subject, Version: r.Version})
	}
	return s, nil
}

func sameReferences(a, b []SchemaReference) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
