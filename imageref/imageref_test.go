package imageref

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		ref  string
		want Ref
	}{
		{"redpandadata/redpanda:v25.2.1", Ref{Repository: "redpandadata/redpanda", Tag: "v25.2.1"}},
		{"docker.redpanda.com/redpandadata/redpanda:v25.2.1", Ref{Repository: "docker.redpanda.com/redpandadata/redpanda", Tag: "v25.2.1"}},
		{"localhost:5000/redpanda", Ref{Repository: "localhost:5000/redpanda"}},
		{"redpanda@sha256:aa", Ref{Repository: "redpanda", Digest: "sha256:aa"}},
		{"redpanda:v1.2.3@sha256:aa", Ref{Repository: "redpanda", Tag: "v1.2.3", Digest: "sha256:aa"}},
	}
	for _, tt := range tests {
		if got := Parse(tt.ref); got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.ref, got, tt.want)
		}
	}
}

func TestPinned(t *testing.T) {
	digest := "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		ref, want string
	}{
		{"redpandadata/redpanda:v25.2.1", ""},
		{"redpandadata/redpanda@" + digest, ""},
		{"redpandadata/redpanda:latest", "uses the latest tag, which moves"},
		{"redpandadata/redpanda", "has no tag, so Docker pulls latest, which moves"},
		{"redpandadata/redpanda:v25", `has tag "v25", which is not a release version (vMAJOR.MINOR.PATCH)`},
		{"redpandadata/redpanda@sha256:xyz", `has a malformed digest "sha256:xyz" (want sha256: and 64 lowercase hex digits)`},
	}
	for _, tt := range tests {
		if got := Parse(tt.ref).Pinned(); got != tt.want {
			t.Errorf("Pinned(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if !IsDigest(digest) || IsDigest("sha256:xyz") {
		t.Error("IsDigest")
	}
}
