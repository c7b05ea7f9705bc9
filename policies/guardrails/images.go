package guardrails

import (
	"github.com/marketbus/market-bus/imageref"

	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// unpinned says why ref does not pin one image build, or "" when it does. A digest pins by
// content and wins over any tag; a bare image ID (sha256:<hex>, what a docker Container gets
// from its RemoteImage) is pinned too.
func unpinned(ref string, forbiddenTags []string) string {
	if imageref.IsDigest(ref) {
		return ""
	}
	r := imageref.Parse(ref)
	switch {
	case r.Repository == "":
		return "has no repository"
	case r.Digest != "":
		if !imageref.IsDigest(r.Digest) {
			return fmt.Sprintf("has a malformed digest %q (want sha256: and 64 lowercase hex digits)", r.Digest)
		}
		return ""
	case r.Tag == "":
		return "has no tag, so the registry's latest is pulled, which moves"
	case containsFold(forbiddenTags, r.Tag):
		return fmt.Sprintf("uses the moving tag %q", r.Tag)
	}
	return ""
}

// imagePinned: a redeploy must run the image that was reviewed, not whatever a tag points at today.
func imagePinned() definition {
	forbidden := listSetting("forbiddenTags", "Tags that move and so never pin an image.", []string{"latest"})
	return definition{
		name: "image-pinned",
		description: "Images are pinned: a release tag or a digest, never latest or no tag " +
			"(docker RemoteImage and Container, Kubernetes StatefulSet, Deployment and DaemonSet containers).",
		types:    []string{typeRemoteImage, typeContainer, typeStatefulSet, typeDeployment, typeDaemonSet},
		settings: []setting{forbidden},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			tags := forbidden.list(cfg)
			hint := "; rule: pin a release tag (redpandadata/redpanda:v25.2.1) or a digest (repo@sha256:<64 hex>)"
			switch r.Type {
			case typeRemoteImage, typeContainer:
				key := "image"
				if r.Type == typeRemoteImage {
					key = "name"
				}
				ref, ok := str(r.Properties.Get(key))
				if !ok || ref == "" {
					return nil
				}
				if why := unpinned(ref, tags); why != "" {
					return []string{fmt.Sprintf("%s: %s %q is not pinned: it %s%s", label(r), key, ref, why, hint)}
				}
				return nil
			}
			var out []string
			for _, c := range containersOf(r) {
				if c.image == "" {
					continue
				}
				if why := unpinned(c.image, tags); why != "" {
					out = append(out, fmt.Sprintf("%s container %q: image %q is not pinned: it %s%s", label(r), c.name, c.image, why, hint))
				}
			}
			return out
		},
	}
}
