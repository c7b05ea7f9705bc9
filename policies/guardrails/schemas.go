package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// schemaCompatibility: on prod a subject never turns compatibility checks off.
func schemaCompatibility() definition {
	forbidden := listSetting("forbiddenLevels", "Compatibility levels a subject may not use on prod.", []string{"NONE"})
	return definition{
		name:        "schema-compatibility",
		description: "On production, SubjectConfig compatibility is not NONE, so a schema change cannot break consumers.",
		prodOnly:    true,
		types:       []string{typeSubjectConfig},
		settings:    []setting{forbidden},
		check: func(o Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			level, ok := str(r.Properties.Get("compatibility"))
			if !ok || !containsFold(forbidden.list(cfg), level) {
				return nil
			}
			return []string{fmt.Sprintf("%s: compatibility %s is not allowed on stack %s; rule: schema changes must be checked (use BACKWARD, BACKWARD_TRANSITIVE, FORWARD or FULL)",
				label(r), level, o.Stack)}
		},
	}
}

// schemaHardDelete: on production a destroy (or a removed Schema) never purges versions.
// A soft delete can be undone by registering the schema again with the same id; a hard
// delete cannot, and consumers still holding records with those ids can no longer decode
// them.
func schemaHardDelete() definition {
	return definition{
		name: "schema-hard-delete",
		description: "On production, a Schema does not use deletionMode hard: a destroy must not purge schema versions " +
			"that stored records still reference (use soft, the default, or retain).",
		prodOnly: true,
		types:    []string{typeSchema},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			mode, ok := str(r.Properties.Get("deletionMode"))
			if !ok || !strings.EqualFold(mode, "hard") {
				return nil
			}
			return []string{fmt.Sprintf("%s: deletionMode hard on stack %s (environment production); rule: a destroy would permanently purge "+
				"the versions this resource registered, and records that carry their ids could no longer be decoded; "+
				"use deletionMode: soft (recoverable) or retain", label(r), o.Stack)}
		},
	}
}

// TopicNameStrategy subject suffixes.
const (
	suffixValue = "-value"
	suffixKey   = "-key"
)

// schemaSubjectTopic: a schema registered for a topic the stack does not own is a typo or
// an orphan, and producers of the real topic would never see it.
func schemaSubjectTopic() definition {
	return definition{
		name: "schema-subject-topic",
		description: "Every schema subject (Schema and SubjectConfig) names a Topic of the stack by TopicNameStrategy: " +
			"<topic>-value or <topic>-key.",
		checkStack: func(_ Options, rs []policyx.AnalyzerResource) []finding {
			topics := map[string]bool{}
			for _, r := range rs {
				if r.Type != typeTopic {
					continue
				}
				name, ok := str(r.Properties.Get("name"))
				if !ok {
					// A topic name still unknown could be any subject's topic: judge nothing.
					return nil
				}
				topics[name] = true
			}
			var out []finding
			for _, r := range rs {
				if r.Type != typeSchema && r.Type != typeSubjectConfig {
					continue
				}
				subject, ok := str(r.Properties.Get("subject"))
				if !ok || subject == "" {
					continue
				}
				topic, suffix, ok := topicOfSubject(subject)
				switch {
				case !ok:
					out = append(out, finding{r.URN, fmt.Sprintf(
						"%s: subject %q does not end in %q or %q; rule: subjects follow TopicNameStrategy (<topic>-value, <topic>-key)",
						label(r), subject, suffixValue, suffixKey)})
				case !topics[topic]:
					out = append(out, finding{r.URN, fmt.Sprintf(
						"%s: subject %q maps to topic %q (TopicNameStrategy, %s), but no Topic resource of the stack is named %q",
						label(r), subject, topic, suffix, topic)})
				}
			}
			return out
		},
	}
}

// topicOfSubject splits a TopicNameStrategy subject into its topic and suffix.
func topicOfSubject(subject string) (topic, suffix string, ok bool) {
	for _, s := range []string{suffixValue, suffixKey} {
		if t, found := strings.CutSuffix(subject, s); found && t != "" {
			return t, s, true
		}
	}
	return "", "", false
}
