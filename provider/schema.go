package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/sr"
)

// Check validates a schema offline: type, deletion mode, and for Avro and JSON that the text
// parses, so a broken schema fails at preview even before the registry is reachable.
func (Schema) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[SchemaArgs], error) {
	args, failures, err := infer.DefaultCheck[SchemaArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[SchemaArgs]{Inputs: args, Failures: failures}, err
	}
	return infer.CheckResponse[SchemaArgs]{Inputs: args, Failures: validateSchemaArgs(args)}, nil
}

func validateSchemaArgs(a SchemaArgs) []p.CheckFailure {
	var fs []p.CheckFailure
	fail := func(prop, format string, args ...any) {
		fs = append(fs, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(a.Subject) == "" {
		fail("subject", "subject is empty: use <topic>-value or <topic>-key")
	}
	if _, err := a.srType(); err != nil {
		fail("schemaType", "%v", err)
	}
	switch a.deletionMode() {
	case DeletionSoft, DeletionHard, DeletionRetain:
	default:
		fail("deletionMode", "deletionMode %q: use soft, hard or retain", a.deletionMode())
	}
	for i, r := range a.References {
		if r.Name == "" || r.Subject == "" || r.Version < 1 {
			fail("references", "references[%d] = %+v: name, subject and a version of 1 or more are required", i, r)
		}
	}
	switch {
	case strings.TrimSpace(a.Schema) == "":
		fail("schema", "schema is empty")
	case a.typeName() == "AVRO" && len(a.References) == 0:
		if _, err := parseAvro(a.Schema); err != nil {
			fail("schema", "%v", err)
		}
	case a.typeName() == "JSON" && !json.Valid([]byte(a.Schema)):
		fail("schema", "the schema is not valid JSON")
	}
	return fs
}

// Diff replaces on a new subject or type. A different text is no change when the registry
// maps it to the schema id already recorded (whitespace, key order, normalisation).
func (Schema) Diff(ctx context.Context, req infer.DiffRequest[SchemaArgs, SchemaState]) (infer.DiffResponse, error) {
	in, st := req.Inputs, req.State
	d := map[string]p.PropertyDiff{}
	if in.Subject != st.Subject {
		d["subject"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	if in.typeName() != st.typeName() {
		d["schemaType"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	if st.ContractMismatch != "" {
		d["schema"] = p.PropertyDiff{Kind: p.Update} // register again: up reports the mismatch again until fixed
	}
	if len(d) == 0 && (in.Schema != st.Schema || !sameReferences(in.References, st.References)) {
		if !sameReferences(in.References, st.References) || !sameJSON(in.Schema, st.Schema) && !sameSchemaInRegistry(ctx, in, st.SchemaID) {
			d["schema"] = p.PropertyDiff{Kind: p.Update}
		}
	}
	if in.normalized() != st.normalized() {
		d["normalize"] = p.PropertyDiff{Kind: p.Update}
	}
	if in.deletionMode() != st.deletionMode() {
		d["deletionMode"] = p.PropertyDiff{Kind: p.Update}
	}
	return infer.DiffResponse{DeleteBeforeReplace: true, HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

// sameJSON reports whether two schema texts are the same JSON document: whitespace and
// object key order never make a diff, even with no registry to ask. Arrays keep their order,
// so swapped record fields (a different binary encoding) are a change.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	cx, err1 := json.Marshal(x)
	cy, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && string(cx) == string(cy)
}

// sameSchemaInRegistry asks the registry whether text already is schema id under the
// subject: first as written, then normalised. Each lookup's id is compared on its own, so
// an older version with the same text never counts as ours.
func sameSchemaInRegistry(ctx context.Context, in SchemaArgs, id int) bool {
	cl, cfg, err := registryFrom(ctx)
	if err != nil || id == 0 {
		return false
	}
	s, err := in.srSchema()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	for _, c := range []context.Context{ctx, sr.WithParams(ctx, sr.Normalize)} {
		if got, err := cl.LookupSchema(c, in.Subject, s); err == nil && got.ID == id {
			// A registry that matches on a sorted canonical text would also match swapped
			// fields: the match counts only when the encodings agree.
			return contractMismatch(in, got.Schema.Schema) == nil
		}
	}
	return false
}

// Create registers the schema. During preview it checks compatibility with the subject's
// latest version when the subject already exists.
func (Schema) Create(ctx context.Context, req infer.CreateRequest[SchemaArgs]) (infer.CreateResponse[SchemaState], error) {
	in := req.Inputs
	state := SchemaState{SchemaArgs: in}
	if req.DryRun {
		return infer.CreateResponse[SchemaState]{ID: in.Subject, Output: state}, previewCompatibility(ctx, in, "")
	}
	out, err := register(ctx, in, SchemaState{})
	if err != nil && out.SchemaID == 0 {
		return infer.CreateResponse[SchemaState]{}, err
	}
	return infer.CreateResponse[SchemaState]{ID: in.Subject, Output: out}, err
}

// Update registers the changed schema as the subject's next version.
func (Schema) Update(ctx context.Context, req infer.UpdateRequest[SchemaArgs, SchemaState]) (infer.UpdateResponse[SchemaState], error) {
	in, st := req.Inputs, req.State
	unchanged := sameReferences(in.References, st.References) && (in.Schema == st.Schema || sameJSON(in.Schema, st.Schema))
	if req.DryRun {
		planned := st
		planned.SchemaArgs = in
		if unchanged {
			return infer.UpdateResponse[SchemaState]{Output: planned}, nil
		}
		return infer.UpdateResponse[SchemaState]{Output: planned}, previewCompatibility(ctx, in, st.Schema)
	}
	if st.ContractMismatch == "" && (unchanged || sameSchemaInRegistry(ctx, in, st.SchemaID)) {
		st.SchemaArgs.Normalize, st.SchemaArgs.DeletionMode = in.Normalize, in.DeletionMode
		return infer.UpdateResponse[SchemaState]{Output: st}, nil
	}
	out, err := register(ctx, in, st)
	if err != nil && out.SchemaID == 0 {
		return infer.UpdateResponse[SchemaState]{}, err
	}
	return infer.UpdateResponse[SchemaState]{Output: out}, err
}

// register creates (or finds) the schema under the subject, records whether this resource
// created the version, and checks that the text the registry serves for the id has the
// file's Parsing Canonical Form. A mismatch is returned as a ResourceInitFailedError with
// the state, so the registered version stays tracked (and deletable) and the next up
// retries; prev is the state being updated (zero on create).
func register(ctx context.Context, in SchemaArgs, prev SchemaState) (SchemaState, error) {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return SchemaState{}, err
	}
	s, err := in.srSchema()
	if err != nil {
		return SchemaState{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	rctx := ctx
	if in.normalized() {
		rctx = sr.WithParams(ctx, sr.Normalize)
	}
	// A version that exists before we register belongs to whoever registered it: destroy
	// must not take it away from them.
	existing, lookupErr := cl.LookupSchema(rctx, in.Subject, s)
	var created sr.SubjectSchema
	err = retryRegistry(ctx, func() error {
		created, err = cl.CreateSchema(rctx, in.Subject, s)
		if err == nil || registryCode(err) != 409 {
			return err
		}
		// A 409 after an attempt that failed with a 500 can mean that attempt did register:
		// the registry then holds exactly this schema, and that is success.
		if got, lerr := cl.LookupSchema(rctx, in.Subject, s); lerr == nil {
			created = got
			return nil
		}
		if subjectHasNoVersions(ctx, cl, in.Subject) {
			return racedRegistration{err}
		}
		return err
	})
	var raced racedRegistration
	if errors.As(err, &raced) {
		err = raced.err
	}
	if err != nil {
		if registryCode(err) == 409 {
			return SchemaState{}, incompatibleError(in, registryVerdict(ctx, cl, in, s), err)
		}
		return SchemaState{}, registryError(fmt.Sprintf("registering the schema of subject %q", in.Subject), err)
	}
	out := SchemaState{SchemaArgs: in, SchemaID: created.ID, Version: created.Version, RegistrySchema: created.Schema.Schema, LatestVersion: created.Version}
	out.RegisteredVersions = append([]int(nil), prev.RegisteredVersions...)
	ours := lookupErr != nil || existing.Version != created.Version || slices.Contains(prev.ownedVersions(), created.Version)
	if ours && !slices.Contains(out.RegisteredVersions, created.Version) {
		out.RegisteredVersions = append(out.RegisteredVersions, created.Version)
	}
	if !ours {
		p.GetLogger(ctx).Warningf("subject %q already had this schema as version %d (id %d), registered outside this stack: it is adopted, and destroy leaves it",
			in.Subject, created.Version, created.ID)
	}
	if latest, err := cl.SchemaByVersion(ctx, in.Subject, -1); err == nil {
		out.LatestVersion = latest.Version
	}
	text, err := registryTextByID(ctx, cl, created.ID)
	if err != nil {
		return out, fmt.Errorf("%s: %w", err, infer.ResourceInitFailedError{Reasons: []string{err.Error()}})
	}
	out.RegistrySchema = text
	if err := contractMismatch(in, text); err != nil {
		out.ContractMismatch = err.Error()
		return out, fmt.Errorf("subject %q version %d (schema id %d): %s: %w", in.Subject, created.Version, created.ID, err,
			infer.ResourceInitFailedError{Reasons: []string{err.Error()}})
	}
	return out, nil
}

// racedRegistration is a 409 for a subject that has no version: no schema to be
// incompatible with, so the conflict is the registry's own. Apicurio with its in-memory
// store answers "artifact already exists", or a 500 for a duplicate key after which the
// retry gets that 409, when two subjects are registered at the same moment, as one up
// registers every subject in parallel; the same request a moment later succeeds. It
// deliberately has no Unwrap, so the retry predicate does not see the 409 underneath.
type racedRegistration struct{ err error }

func (r racedRegistration) Error() string { return r.err.Error() }

// subjectHasNoVersions reports whether the registry answers that subject has no version
// (not found, or an empty list). Any other answer, including an error, is false: a real
// conflict must not be retried.
func subjectHasNoVersions(ctx context.Context, cl *sr.Client, subject string) bool {
	versions, err := cl.SubjectVersions(ctx, subject)
	if err != nil {
		return isNotFound(err)
	}
	return len(versions) == 0
}

// retryRegistry repeats a registry call on transport errors, 5xx answers and a
// racedRegistration, five times at most; the registry's other 4xx answers are final.
func retryRegistry(ctx context.Context, f func() error) error {
	return retryOn(ctx, 5, func(err error) bool {
		if errors.As(err, new(racedRegistration)) {
			return true
		}
		code := registryCode(err)
		return !(code >= 400 && code < 500) && !(code >= 40000 && code < 50000)
	}, f)
}

// Read refreshes the recorded version from the registry and reports a newer version
// registered outside this stack. With only an id ("subject" or "subject/version") it is an
// import.
func (Schema) Read(ctx context.Context, req infer.ReadRequest[SchemaArgs, SchemaState]) (infer.ReadResponse[SchemaArgs, SchemaState], error) {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, err
	}
	subject, version := parseSchemaID(req.ID)
	if req.State.Version > 0 {
		version = req.State.Version
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	got, err := cl.SchemaByVersion(ctx, subject, version)
	if isNotFound(err) {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, registryError(fmt.Sprintf("reading subject %q version %d", subject, version), err)
	}
	in := req.Inputs
	if in.Subject == "" {
		t := got.Schema.Type.String()
		in = SchemaArgs{Subject: subject, SchemaType: &t, Schema: got.Schema.Schema}
		for _, r := range got.Schema.References {
			in.References = append(in.References, SchemaReference{Name: r.Name, Subject: r.Subject, Version: r.Version})
		}
	}
	st := SchemaState{SchemaArgs: in, SchemaID: got.ID, Version: got.Version, RegistrySchema: got.Schema.Schema, LatestVersion: got.Version}
	if req.State.Subject != "" {
		st.SchemaArgs = req.State.SchemaArgs
		st.RegisteredVersions = req.State.RegisteredVersions
	}
	// Consumers resolve the id, not the version: check the text served for the id.
	text, err := registryTextByID(ctx, cl, got.ID)
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, err
	}
	st.RegistrySchema = text
	if err := contractMismatch(st.SchemaArgs, text); err != nil {
		st.ContractMismatch = err.Error()
		p.GetLogger(ctx).Warningf("drift: %v", err)
	}
	if latest, err := cl.SchemaByVersion(ctx, subject, -1); err == nil {
		st.LatestVersion = latest.Version
		if latest.Version > got.Version && latest.ID != got.ID {
			p.GetLogger(ctx).Warningf("subject %q has version %d (schema id %d) registered outside this stack; this stack manages version %d (id %d)",
				subject, latest.Version, latest.ID, got.Version, got.ID)
		}
	}
	return infer.ReadResponse[SchemaArgs, SchemaState]{ID: subject, Inputs: in, State: st}, nil
}

// parseSchemaID splits an import id "subject" or "subject/version" (-1: latest).
func parseSchemaID(id string) (string, int) {
	if i := strings.LastIndex(id, "/"); i > 0 {
		var v int
		if _, err := fmt.Sscanf(id[i+1:], "%d", &v); err == nil && v > 0 {
			return id[:i], v
		}
	}
	return id, -1
}

// Delete soft-deletes the versions this resource registered (hard: then purges them;
// retain: leaves them). Versions registered by others stay, and with them the subject.
func (Schema) Delete(ctx context.Context, req infer.DeleteRequest[SchemaState]) (infer.DeleteResponse, error) {
	mode := req.State.deletionMode()
	if mode == DeletionRetain {
		return infer.DeleteResponse{}, nil
	}
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	subject := req.State.Subject
	for _, v := range req.State.ownedVersions() {
		err := retryRegistry(ctx, func() error { return cl.DeleteSchema(ctx, subject, v, sr.SoftDelete) })
		switch code := registryCode(err); {
		case err == nil, code == 40406: // 40406: already soft-deleted
		case code == 404 || code == 40401 || code == 40402:
			continue // gone already, even from a hard delete
		case code == 42206:
			return infer.DeleteResponse{}, registryError(fmt.Sprintf("subject %q version %d is still referenced by other schemas: delete or repoint those first", subject, v), err)
		default:
			return infer.DeleteResponse{}, registryError(fmt.Sprintf("soft-deleting subject %q version %d", subject, v), err)
		}
		if mode != DeletionHard {
			continue
		}
		err = retryRegistry(ctx, func() error { return cl.DeleteSchema(ctx, subject, v, sr.HardDelete) })
		if code := registryCode(err); err != nil && code != 404 && code != 40401 && code != 40402 {
			return infer.DeleteResponse{}, registryError(fmt.Sprintf("hard-deleting subject %q version %d", subject, v), err)
		}
	}
	return infer.DeleteResponse{}, nil
}
