// Package imageref parses container image references and says whether one pins a single
// image build. The cluster and monitoring components refuse unpinned images with it, and the
// policy pack flags them, so all three read a reference the same way.
package imageref

import (
	"fmt"
	"regexp"
	"strings"
)

// versionTag matches release tags such as v25.2.1, 25.2.1 or v25.2.1-arm64.
// Shorter tags (v25, v25.2) are refused: registries move them like latest.
var versionTag = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+([-.+_][0-9A-Za-z.\-_+]*)?$`)

// sha256Digest is the only digest algorithm registries use in practice.
var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Ref is a parsed image reference.
type Ref struct {
	// Repository is everything before the tag or digest, registry included.
	Repository string
	// Tag is empty when the reference has none.
	Tag string
	// Digest is `sha256:<hex>`, empty when the reference has none.
	Digest string
}

// Parse splits ref into repository, tag and digest. A colon counts
// as a tag separator only after the last slash, so a registry port
// (localhost:5000/redpanda) is not mistaken for a tag.
func Parse(ref string) Ref {
	var r Ref
	rest := ref
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		r.Digest = rest[at+1:]
		rest = rest[:at]
	}
	slash := strings.LastIndex(rest, "/")
	if colon := strings.LastIndex(rest, ":"); colon > slash {
		r.Tag = rest[colon+1:]
		rest = rest[:colon]
	}
	r.Repository = rest
	return r
}

// Pinned reports why ref does not pin one image build, or "" when it does.
// A digest pins by content and wins over any tag; otherwise the tag must be
// a release version, never latest.
func (r Ref) Pinned() string {
	switch {
	case r.Repository == "":
		return "has no repository"
	case r.Digest != "":
		if !sha256Digest.MatchString(r.Digest) {
			return fmt.Sprintf("has a malformed digest %q (want sha256: and 64 lowercase hex digits)", r.Digest)
		}
		return ""
	case r.Tag == "":
		return "has no tag, so Docker pulls latest, which moves"
	case r.Tag == "latest":
		return "uses the latest tag, which moves"
	case !versionTag.MatchString(r.Tag):
		return fmt.Sprintf("has tag %q, which is not a release version (vMAJOR.MINOR.PATCH)", r.Tag)
	}
	return ""
}

// IsDigest reports whether s is a sha256 content digest (also the form of a Docker image ID).
func IsDigest(s string) bool { return sha256Digest.MatchString(s) }
