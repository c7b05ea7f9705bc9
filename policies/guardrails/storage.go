package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// brokerStorage: a prod broker's disk holds days of market data for every partition it leads.
func brokerStorage() definition {
	minGiB := intSetting("minStorageGiB", "Smallest storage request of a Redpanda volumeClaimTemplate on prod, in GiB.", 50, 1)
	return definition{
		name:        "broker-storage",
		description: "On production, every volumeClaimTemplate of a Redpanda StatefulSet requests at least 50 GiB.",
		prodOnly:    true,
		types:       []string{typeStatefulSet},
		settings:    []setting{minGiB},
		check: func(o Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			if !isRedpandaWorkload(r) {
				return nil
			}
			floor := minGiB.number(cfg)
			templates := at(r.Properties, "spec", "volumeClaimTemplates")
			if templates.IsComputed() {
				return nil
			}
			if len(items(templates)) == 0 {
				return []string{fmt.Sprintf("%s: no volumeClaimTemplates, so brokers keep their data on the node's ephemeral disk; rule: on stack %s each broker needs a persistent volume of at least %s GiB",
					label(r), o.Stack, fmtNum(floor))}
			}
			var out []string
			for i, t := range items(templates) {
				if !t.IsMap() {
					continue
				}
				name := stringOr(at(t.AsMap(), "metadata", "name"))
				if name == "" {
					name = fmt.Sprintf("#%d", i)
				}
				req := at(t.AsMap(), "spec", "resources", "requests", "storage")
				if req.IsComputed() {
					continue
				}
				q := stringOr(req)
				bytes, ok := parseQuantity(q)
				switch {
				case req.IsNull():
					out = append(out, fmt.Sprintf("%s volumeClaimTemplate %q: no storage request; rule: at least %s GiB on stack %s",
						label(r), name, fmtNum(floor), o.Stack))
				case !ok:
					out = append(out, fmt.Sprintf("%s volumeClaimTemplate %q: storage request %q is not a quantity; rule: at least %s GiB",
						label(r), name, q, fmtNum(floor)))
				case bytes < floor*gib:
					out = append(out, fmt.Sprintf("%s volumeClaimTemplate %q: storage request %q (%s GiB) is below the minimum %s GiB on stack %s",
						label(r), name, q, fmtNum(float64(int64(bytes/gib*10))/10), fmtNum(floor), o.Stack))
				}
			}
			return out
		},
	}
}

// volumeRetention: deleting a StatefulSet, or the stack, must not delete broker data.
//
// Docker volumes are not checked, and cannot be: the dev stack keeps them with the
// retainOnDelete resource option, and the analyzer protocol of Pulumi v3.274.1 does not send
// that option to policy packs (AnalyzerResourceOptions carries protect, ignoreChanges,
// deleteBeforeReplace, additionalSecretOutputs, aliases, customTimeouts and parent only), so
// policyx's AnalyzerResource.Options never has it. Reporting every Docker volume as
// "maybe deleted" would be noise; components/cluster's own tests pin retainOnDelete instead.
func volumeRetention() definition {
	return definition{
		name: "volume-retention",
		description: "StatefulSets keep their PVCs when deleted (persistentVolumeClaimRetentionPolicy.whenDeleted Retain, " +
			"the Kubernetes default); Docker volumes' retainOnDelete is invisible to policies.",
		types: []string{typeStatefulSet},
		check: func(_ Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			if len(items(at(r.Properties, "spec", "volumeClaimTemplates"))) == 0 {
				return nil
			}
			v := at(r.Properties, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted")
			s, ok := str(v)
			if !ok || strings.EqualFold(s, "Retain") {
				// Unset means Retain, the Kubernetes default.
				return nil
			}
			return []string{fmt.Sprintf("%s: persistentVolumeClaimRetentionPolicy.whenDeleted %q deletes the broker volumes with the StatefulSet; rule: whenDeleted must be \"Retain\"",
				label(r), s)}
		},
	}
}
