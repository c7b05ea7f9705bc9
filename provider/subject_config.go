package provider

import (
	"context"
	"fmt"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/sr"
)

// SubjectConfig is a subject's compatibility level, kept apart from Schema so one owner
// sets the rule and another registers schemas without fighting over it.
type SubjectConfig struct{}

// SubjectConfigArgs are the inputs of a SubjectConfig.
type SubjectConfigArgs struct {
	Subject       string `pulumi:"subject"`
	Compatibility string `pulumi:"compatibility"`
}

// SubjectConfigState is the recorded subject config.
type SubjectConfigState struct {
	SubjectConfigArgs
}

// Annotate documents the resource.
func (s *SubjectConfig) Annotate(a infer.Annotator) {
	a.Describe(s, "The compatibility level of one Schema Registry subject. Deleting it resets the subject to the global level.")
}

// Annotate documents the inputs.
func (s *SubjectConfigArgs) Annotate(a infer.Annotator) {
	a.Describe(&s.Subject, "The subject. Changing it replaces the resource.")
	a.Describe(&s.Compatibility, "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE.")
}

func parseLevel(s string) (sr.CompatibilityLevel, error) {
	var l sr.CompatibilityLevel
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("compatibility %q is not a level: use BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE", s)
	}
	return l, nil
}

// Check validates the level offline.
func (SubjectConfig) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[SubjectConfigArgs], error) {
	args, failures, err := infer.DefaultCheck[SubjectConfigArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[SubjectConfigArgs]{Inputs: args, Failures: failures}, err
	}
	if strings.TrimSpace(args.Subject) == "" {
		failures = append(failures, p.CheckFailure{Property: "subject", Reason: "subject is empty: use <topic>-value or <topic>-key"})
	}
	if _, err := parseLevel(args.Compatibility); err != nil {
		failures = append(failures, p.CheckFailure{Property: "compatibility", Reason: err.Error()})
	}
	args.Compatibility = strings.ToUpper(args.Compatibility)
	return infer.CheckResponse[SubjectConfigArgs]{Inputs: args, Failures: failures}, nil
}

// Diff replaces on a new subject and updates a new level in place.
func (SubjectConfig) Diff(_ context.Context, req infer.DiffRequest[SubjectConfigArgs, SubjectConfigState]) (infer.DiffResponse, error) {
	d := map[string]p.PropertyDiff{}
	if req.Inputs.Subject != req.State.Subject {
		d["subject"] = p.PropertyDiff{Kind: p.UpdateReplace}
	}
	if !strings.EqualFold(req.Inputs.Compatibility, req.State.Compatibility) {
		d["compatibility"] = p.PropertyDiff{Kind: p.Update}
	}
	return infer.DiffResponse{DeleteBeforeReplace: true, HasChanges: len(d) > 0, DetailedDiff: d}, nil
}

func setLevel(ctx context.Context, in SubjectConfigArgs) error {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return err
	}
	l, err := parseLevel(in.Compatibility)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	return retryRegistry(ctx, func() error {
		res := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: l}, in.Subject)
		if len(res) != 1 {
			return fmt.Errorf("setting compatibility of subject %q: no answer", in.Subject)
		}
		if res[0].Err != nil {
			return registryError(fmt.Sprintf("setting compatibility of subject %q", in.Subject), res[0].Err)
		}
		return nil
	})
}

// Create sets the level.
func (SubjectConfig) Create(ctx context.Context, req infer.CreateRequest[SubjectConfigArgs]) (infer.CreateResponse[SubjectConfigState], error) {
	out := SubjectConfigState{req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[SubjectConfigState]{ID: req.Inputs.Subject, Output: out}, nil
	}
	if err := setLevel(ctx, req.Inputs); err != nil {
		return infer.CreateResponse[SubjectConfigState]{}, err
	}
	return infer.CreateResponse[SubjectConfigState]{ID: req.Inputs.Subject, Output: out}, nil
}

// Update sets the new level.
func (SubjectConfig) Update(ctx context.Context, req infer.UpdateRequest[SubjectConfigArgs, SubjectConfigState]) (infer.UpdateResponse[SubjectConfigState], error) {
	if !req.DryRun {
		if err := setLevel(ctx, req.Inputs); err != nil {
			return infer.UpdateResponse[SubjectConfigState]{}, err
		}
	}
	return infer.UpdateResponse[SubjectConfigState]{Output: SubjectConfigState{req.Inputs}}, nil
}

// Read reports the subject's own level; a subject without one no longer has this resource.
func (SubjectConfig) Read(ctx context.Context, req infer.ReadRequest[SubjectConfigArgs, SubjectConfigState]) (infer.ReadResponse[SubjectConfigArgs, SubjectConfigState], error) {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return infer.ReadResponse[SubjectConfigArgs, SubjectConfigState]{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	res := cl.Compatibility(ctx, req.ID)
	if len(res) != 1 || isNotFound(res[0].Err) {
		return infer.ReadResponse[SubjectConfigArgs, SubjectConfigState]{}, nil
	}
	if res[0].Err != nil {
		return infer.ReadResponse[SubjectConfigArgs, SubjectConfigState]{}, registryError(fmt.Sprintf("reading compatibility of subject %q", req.ID), res[0].Err)
	}
	in := SubjectConfigArgs{Subject: req.ID, Compatibility: res[0].Level.String()}
	return infer.ReadResponse[SubjectConfigArgs, SubjectConfigState]{ID: req.ID, Inputs: in, State: SubjectConfigState{in}}, nil
}

// Delete resets the subject to the global level.
func (SubjectConfig) Delete(ctx context.Context, req infer.DeleteRequest[SubjectConfigState]) (infer.DeleteResponse, error) {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return infer.DeleteResponse{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout())
	defer cancel()
	res := cl.ResetCompatibility(ctx, req.State.Subject)
	if len(res) == 1 && res[0].Err != nil && !isNotFound(res[0].Err) {
		return infer.DeleteResponse{}, registryError(fmt.Sprintf("resetting compatibility of subject %q", req.State.Subject), res[0].Err)
	}
	return infer.DeleteResponse{}, nil
}
