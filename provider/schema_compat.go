package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/twmb/franz-go/pkg/sr"
)

// previewCompatibility asks the registry whether the new schema may follow the subject's
// latest version under the subject's compatibility level, so an incompatible change fails
// at preview with the registry's reasons. It never runs on delete. When the subject is
// new there is nothing to check; when a referenced subject or version does not exist yet
// (it may be created in the same update) the check is skipped with a warning; when the
// registry cannot be reached an offline Avro BACKWARD check stands in.
func previewCompatibility(ctx context.Context, in SchemaArgs, oldText string) error {
	cl, cfg, err := registryFrom(ctx)
	if err != nil {
		return err
	}
	s, err := in.srSchema()
	if err != nil {
		return err
	}
	log := p.GetLogger(ctx)
	cctx, cancel := context.WithTimeout(ctx, min(cfg.timeout(), 10*time.Second))
	defer cancel()

	versions, err := cl.SubjectVersions(cctx, in.Subject)
	switch {
	case isNotFound(err):
		return nil // a new subject: its first version has nothing to be compatible with
	case err != nil && !unreachable(err):
		return cfg.refused(fmt.Sprintf("checking subject %q at the schema registry", in.Subject), err)
	case err != nil:
		log.Warningf("schema registry not reachable during preview (%v); checking Avro BACKWARD compatibility offline only", err)
		if oldText == "" || in.typeName() != "AVRO" {
			return nil
		}
		if err := avroBackwardIncompatibility(oldText, in.Schema); err != nil {
			return incompatibleError(in, nil, err)
		}
		return nil
	case len(versions) == 0:
		return nil
	}

	res, err := cl.CheckCompatibility(sr.WithParams(cctx, sr.Verbose), in.Subject, -1, s)
	if err == nil && !res.Is {
		res.Messages = append([]string{verdictPrefix(in.Subject)}, res.Messages...)
	}
	if err != nil {
		if isNotFound(err) && len(in.References) > 0 {
			log.Warningf("compatibility of subject %q not checked at preview: a referenced schema does not exist yet (%v)", in.Subject, err)
			return nil
		}
		return registryError(fmt.Sprintf("checking compatibility of subject %q", in.Subject), err)
	}
	if res.Is {
		return nil
	}
	if oldText == "" {
		if latest, err := cl.SchemaByVersion(cctx, in.Subject, -1); err == nil {
			oldText = latest.Schema.Schema
		}
	}
	var offline error
	if in.typeName() == "AVRO" && oldText != "" {
		offline = avroBackwardIncompatibility(oldText, in.Schema)
	}
	level := "the subject's level"
	if cr := cl.Compatibility(cctx, in.Subject); len(cr) == 1 && cr[0].Err == nil {
		level = cr[0].Level.String()
	} else if cr := cl.Compatibility(sr.WithParams(cctx, sr.DefaultToGlobal), in.Subject); len(cr) == 1 && cr[0].Err == nil {
		level = cr[0].Level.String() + " (global)"
	}
	return incompatibleError(in, append(res.Messages, "compatibility level "+level), offline)
}

// incompatibleError explains a refused schema change and what to do instead.
func incompatibleError(in SchemaArgs, registryMessages []string, detail error) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the new schema of subject %q is not compatible with its latest version", in.Subject)
	var msgs []string
	for _, m := range registryMessages {
		if m = strings.TrimSpace(m); m != "" {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) > 0 {
		fmt.Fprintf(&b, "; the registry says: %s", strings.Join(msgs, "; "))
	}
	if detail != nil {
		fmt.Fprintf(&b, "; %v", detail)
	}
	b.WriteString(". Make the change compatible (for example give a new field a default, keep removed fields optional) " +
		"or, if consumers are ready, change the subject's compatibility with a SubjectConfig resource")
	return fmt.Errorf("%s", b.String())
}

// verdictPrefix names the registry endpoint whose verdict follows, so a user can ask it again.
func verdictPrefix(subject string) string {
	return fmt.Sprintf("POST /compatibility/subjects/%s/versions/latest answers is_compatible=false", subject)
}

// registryVerdict asks the registry's own compatibility endpoint about a schema it refused
// to register, for the error: the registration's 409 carries no reasons on every registry.
func registryVerdict(ctx context.Context, cl *sr.Client, in SchemaArgs, s sr.Schema) []string {
	res, err := cl.CheckCompatibility(sr.WithParams(ctx, sr.Verbose), in.Subject, -1, s)
	if err != nil {
		return []string{fmt.Sprintf("the compatibility endpoint did not answer: %v", err)}
	}
	if res.Is {
		return []string{fmt.Sprintf("POST /compatibility/subjects/%s/versions/latest answers is_compatible=true (the registry refused the registration for another reason)", in.Subject)}
	}
	return append([]string{verdictPrefix(in.Subject)}, res.Messages...)
}
