package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// alertAnnotations: whoever is paged at night reads the summary and follows the runbook.
func alertAnnotations() definition {
	required := listSetting("requiredAnnotations", "Annotations every alert rule must set, non-empty.", []string{"summary"})
	runbook := listSetting("runbookAnnotations", "Annotation keys that link a runbook; a rule must set one of them.", []string{"runbook_url", "runbook"})
	return definition{
		name:        "alert-annotations",
		description: "Every alert rule of a Grafana RuleGroup has a summary annotation and a runbook annotation (runbook_url).",
		types:       []string{typeRuleGroup, typeRuleGroupAlias},
		settings:    []setting{required, runbook},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			var out []string
			for i, rule := range items(r.Properties.Get("rules")) {
				if !rule.IsMap() {
					continue
				}
				name := stringOr(rule.AsMap().Get("name"))
				if name == "" {
					name = fmt.Sprintf("#%d", i)
				}
				ann := rule.AsMap().Get("annotations")
				if ann.IsComputed() {
					continue
				}
				// An annotation still unknown during a preview counts as set.
				has := func(key string) bool {
					v := at(mapOf(ann), key)
					return v.IsComputed() || strings.TrimSpace(stringOr(v)) != ""
				}
				for _, key := range required.list(cfg) {
					if !has(key) {
						out = append(out, fmt.Sprintf("%s rule %q: annotation %q is missing or empty; rule: every alert says what is wrong in one line",
							label(r), name, key))
					}
				}
				keys := runbook.list(cfg)
				found := false
				for _, key := range keys {
					found = found || has(key)
				}
				if !found && len(keys) > 0 {
					out = append(out, fmt.Sprintf("%s rule %q: no runbook annotation (%s); rule: every alert links the runbook that resolves it",
						label(r), name, strings.Join(keys, " or ")))
				}
			}
			return out
		},
	}
}
