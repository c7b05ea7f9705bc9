package monitoring

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/marketbus/market-bus/dashboards/promql"
)

// Expr is the Prometheus alerting expression: the query compared with the
// threshold. The query is parenthesised so the comparison applies to the
// whole of it (`a or b > 1` would compare only b). A rule's Unknown query is
// joined with `or` after the comparison: its series fire as they are.
func (r Rule) Expr() string {
	e := fmt.Sprintf("(%s) %s %s", r.Query, r.Op, formatFloat(r.Threshold))
	if r.Unknown != "" {
		e += fmt.Sprintf(" or (%s)", r.Unknown)
	}
	return e
}

var alertName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidateRules checks a table before it is rendered: names are unique and
// valid, every field a renderer needs is set, and every metric the queries
// select is a known Redpanda series (promql.Check). Each error names the rule
// and, for query errors, the expression.
func ValidateRules(rules []Rule) error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range rules {
		where := fmt.Sprintf("alert %d (%q)", i, r.Name)
		if !alertName.MatchString(r.Name) {
			errs = append(errs, fmt.Errorf("%s: name must match %s", where, alertName))
		}
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("%s: duplicate name", where))
		}
		seen[r.Name] = true
		if strings.TrimSpace(r.Query) == "" {
			errs = append(errs, fmt.Errorf("%s: empty query", where))
		} else if err := promql.Check(r.Query); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if r.Unknown != "" {
			if err := promql.Check(r.Unknown); err != nil {
				errs = append(errs, fmt.Errorf("%s: unknown query: %w", where, err))
			}
			// The sentinel must sit outside what the query can measure.
			if r.Op != Above || r.Threshold < 0 {
				errs = append(errs, fmt.Errorf("%s: an Unknown query needs comparison %q and a threshold of at least 0, not %q %v",
					where, Above, r.Op, r.Threshold))
			}
		}
		if r.Op != Above && r.Op != Below {
			errs = append(errs, fmt.Errorf("%s: comparison %q must be %q or %q", where, r.Op, Above, Below))
		}
		if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
			errs = append(errs, fmt.Errorf("%s: threshold %v is not a finite number", where, r.Threshold))
		}
		if r.For < 0 || r.For%time.Second != 0 {
			errs = append(errs, fmt.Errorf("%s: for %s must be a non-negative whole number of seconds", where, r.For))
		}
		if r.Severity != SeverityCritical && r.Severity != SeverityHigh {
			errs = append(errs, fmt.Errorf("%s: unknown severity %q", where, r.Severity))
		}
		for _, f := range [][2]string{{"summary", r.Summary}, {"description", r.Description}, {"runbook", r.Runbook}, {"runbook URL", r.RunbookURL}} {
			if strings.TrimSpace(f[1]) == "" {
				errs = append(errs, fmt.Errorf("%s: empty %s", where, f[0]))
			}
		}
	}
	return errors.Join(errs...)
}

// annotations are the annotations both renderers attach.
func (r Rule) annotations() map[string]string {
	return map[string]string{
		"summary":     r.Summary,
		"description": r.Description,
		"runbook":     r.Runbook,
		"runbook_url": r.RunbookURL,
	}
}

func (r Rule) labels() map[string]string {
	return map[string]string{"severity": string(r.Severity)}
}

// promDuration formats d as a Prometheus duration (1m, 90s → 1m30s, 1h).
func promDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		sfx  string
	}{{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.sfx)
			d -= n * u.unit
		}
	}
	return b.String()
}

// formatFloat renders a threshold as a PromQL number: plain digits, never
// exponent notation, so the rules file reads like the options.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// humanize and humanize1024 format numbers for annotation text the way
// Prometheus' template functions of the same names do (10000 → 10k,
// 1073741824 → 1Gi), so static text matches the {{ $value }} next to it.
func humanize(v float64) string {
	return withPrefix(v, 1000, []string{"", "k", "M", "G", "T", "P", "E"})
}

func humanize1024(v float64) string {
	return withPrefix(v, 1024, []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"})
}

func withPrefix(v, base float64, prefixes []string) string {
	i := 0
	for math.Abs(v) >= base && i < len(prefixes)-1 {
		v /= base
		i++
	}
	return fmt.Sprintf("%.4g%s", v, prefixes[i])
}
