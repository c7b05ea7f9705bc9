package monitoring

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbus/market-bus/dashboards"
	"github.com/marketbus/market-bus/dashboards/promql"
)

// allowNoPromtool is the escape hatch for machines that cannot install
// Debian's prometheus package; everywhere else a missing promtool fails.
const allowNoPromtool = "MARKETBUS_ALLOW_NO_PROMTOOL"

// promtool returns the promtool binary, failing the test (not skipping it)
// when it is missing, so a CI without it cannot pass silently.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err == nil {
		return path
	}
	if os.Getenv(allowNoPromtool) == "1" {
		t.Skipf("promtool not on PATH and %s=1: skipping", allowNoPromtool)
	}
	t.Fatalf("promtool not on PATH: run scripts/install-promtool (Debian package prometheus), "+
		"or set %s=1 to skip the promtool tests", allowNoPromtool)
	return ""
}

// runPromtool runs promtool in dir and returns its combined output as the
// error text when it fails.
func runPromtool(bin, dir string, args ...string) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("promtool %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// checkedExpr is one expression to put through `promtool check rules`.
type checkedExpr struct {
	name string // alert name, or a description of the dashboard query
	expr string
}

// promtoolCheckExprs writes the expressions into one scratch rules file
// (as recording rules, which only need a valid expression) and runs
// `promtool check rules`. On failure it checks each expression alone, so the
// error names every bad expression with promtool's own message.
func promtoolCheckExprs(bin, dir string, exprs []checkedExpr) error {
	write := func(name string, items []checkedExpr) (string, error) {
		g := promGroup{Name: "scratch"}
		for i, e := range items {
			g.Rules = append(g.Rules, promRule{Record: fmt.Sprintf("scratch:expr_%d", i), Expr: e.expr})
		}
		b, err := marshalYAML(promRuleFile{Groups: []promGroup{g}})
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, name)
		return path, os.WriteFile(path, b, 0o644)
	}
	path, err := write("all.rules.yml", exprs)
	if err != nil {
		return err
	}
	if runPromtool(bin, dir, "check", "rules", path) == nil {
		return nil
	}
	var errs []error
	for i, e := range exprs {
		one, err := write(fmt.Sprintf("expr_%d.rules.yml", i), []checkedExpr{e})
		if err != nil {
			return err
		}
		if err := runPromtool(bin, dir, "check", "rules", one); err != nil {
			errs = append(errs, fmt.Errorf("%s: expression %q rejected: %w", e.name, e.expr, err))
		}
	}
	if len(errs) == 0 {
		return errors.New("promtool rejected the combined file but no single expression")
	}
	return errors.Join(errs...)
}

func TestPromtoolCheckRules(t *testing.T) {
	bin := promtool(t)
	dir := t.TempDir()
	b, err := PrometheusRules(defaultRules(t), "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "redpanda.rules.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runPromtool(bin, dir, "check", "rules", path); err != nil {
		t.Fatal(err)
	}
}

// TestPromtoolCheckConfig checks the full prometheus.yml, including that the
// rule file it names loads.
func TestPromtoolCheckConfig(t *testing.T) {
	bin := promtool(t)
	dir := t.TempDir()
	rules, err := PrometheusRules(defaultRules(t), "")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := PrometheusConfig(ScrapeOptions{
		Targets:   []string{"redpanda-0:9644", "redpanda-1:9644", "redpanda-2:9644"},
		Cluster:   "dev",
		RuleFiles: []string{"redpanda.rules.yml"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"redpanda.rules.yml": rules, "prometheus.yml": cfg} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := runPromtool(bin, dir, "check", "config", "prometheus.yml"); err != nil {
		t.Fatal(err)
	}
}

// TestPromtoolDashboardQueries puts every dashboard panel and variable query,
// with template variables substituted, through promtool's parser.
func TestPromtoolDashboardQueries(t *testing.T) {
	bin := promtool(t)
	var exprs []checkedExpr
	for _, def := range dashboards.Definitions() {
		d, err := def.Build(dashboards.Options{DatasourceUID: "prometheus-dev", Stack: "dev"})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range dashboards.Queries(d) {
			concrete, err := promql.Substitute(q.Expr, promql.SampleVars())
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			exprs = append(exprs, checkedExpr{name: fmt.Sprintf("%s / %s / %s", q.Dashboard, q.Panel, q.RefID), expr: concrete})
		}
	}
	if len(exprs) < 30 {
		t.Fatalf("only %d dashboard queries found", len(exprs))
	}
	if err := promtoolCheckExprs(bin, t.TempDir(), exprs); err != nil {
		t.Fatal(err)
	}
}

// TestPromtoolCatchesTypos shows a syntax error that the metric-name check
// cannot see (it only follows selectors) is caught by promtool, and that the
// error names the alert, the expression and promtool's reason.
func TestPromtoolCatchesTypos(t *testing.T) {
	bin := promtool(t)
	good := defaultRules(t)
	bad := Rule{Name: "RedpandaTypo", Query: `rate(redpanda_rpc_request_errors_total{job="redpanda"}[5m]) by (cluster)`}
	if err := promql.Check(bad.Query); err != nil {
		t.Fatalf("the metric-name check was meant to pass this one: %v", err)
	}
	var exprs []checkedExpr
	for _, r := range append(good, bad) {
		exprs = append(exprs, checkedExpr{name: r.Name, expr: r.Query})
	}
	err := promtoolCheckExprs(bin, t.TempDir(), exprs)
	if err == nil {
		t.Fatal("promtool accepted a bad expression")
	}
	for _, want := range []string{"RedpandaTypo", fmt.Sprintf("%q", bad.Query), "unexpected <by>"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	for _, r := range good {
		if strings.Contains(err.Error(), r.Name+":") {
			t.Errorf("error blames the good rule %s:\n%v", r.Name, err)
		}
	}
}
