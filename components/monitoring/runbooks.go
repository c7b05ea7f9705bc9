package monitoring

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// RunbookMarkdown renders the runbook page the alerts' runbook_url links
// point to (RUNBOOKS.md in this directory; a test keeps it current). Each
// alert gets a section whose GitHub anchor is its lowercased name.
func RunbookMarkdown(rules []Rule) []byte {
	var b bytes.Buffer
	b.WriteString("# Redpanda alert runbooks\n\n")
	b.WriteString("Generated from the alert table in `alerts.go` by `go test ./components/monitoring -update`; do not edit by hand.\n")
	b.WriteString("Thresholds shown are the defaults; a stack may override them.\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s\n\n", r.Name)
		fmt.Fprintf(&b, "- Severity: %s; fires after %s\n", r.Severity, promDuration(r.For))
		fmt.Fprintf(&b, "- Condition: `%s`\n", strings.ReplaceAll(r.Expr(), "`", "'"))
		fmt.Fprintf(&b, "- Meaning: %s\n\n", placeholders(r.Description))
		fmt.Fprintf(&b, "%s\n", r.Runbook)
	}
	return b.Bytes()
}

// templateAction matches {{ $value … }} and {{ $labels.x }} actions.
var templateAction = regexp.MustCompile(`\{\{\s*\$(value|labels\.(\w+))[^}]*\}\}`)

// unknownBranch matches the {{ if lt $value 0.0 }}…{{ else }}…{{ end }} of
// rules with an Unknown query.
var unknownBranch = regexp.MustCompile(`\{\{\s*if lt \$value 0\.0\s*\}\}(.*?)\{\{\s*else\s*\}\}(.*?)\{\{\s*end\s*\}\}`)

// placeholders turns alert templates into readable <value>/<label> markers
// for the static runbook page.
func placeholders(s string) string {
	s = unknownBranch.ReplaceAllString(s, "$2 When the count itself is missing: $1")
	return templateAction.ReplaceAllStringFunc(s, func(m string) string {
		sub := templateAction.FindStringSubmatch(m)
		if sub[2] != "" {
			return "<" + sub[2] + ">"
		}
		return "<value>"
	})
}
