package promql

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tokIdent  tokenKind = iota // metric, label, function or keyword name
	tokString                  // "…", '…' or `…`
	tokNumber                  // 1, 0.99, 1e3, 5m (durations outside [] too: offset 1d)
	tokRange                   // a whole […] range or subquery, contents unchecked
	tokPunct                   // one operator or bracket character
)

type token struct {
	kind tokenKind
	text string
	pos  int // byte offset in the expression, for error messages
}

// lex splits a PromQL expression into tokens. It knows just enough of the
// grammar to find metric names: strings, ranges and numbers are opaque, and
// anything it does not recognise is an error rather than a silent skip.
func lex(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#': // comment to end of line
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case isIdentStart(c):
			j := i + 1
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			toks = append(toks, token{tokIdent, expr[i:j], i})
			i = j
		case isDigit(c) || (c == '.' && i+1 < len(expr) && isDigit(expr[i+1])):
			j := i + 1
			for j < len(expr) {
				d := expr[j]
				if isIdentChar(d) || d == '.' {
					j++
					continue
				}
				// Exponent sign: 1e+09, 2.5E-3.
				if (d == '+' || d == '-') && (expr[j-1] == 'e' || expr[j-1] == 'E') && !strings.ContainsAny(expr[i:j], "xX") {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{tokNumber, expr[i:j], i})
			i = j
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for ; j < len(expr) && expr[j] != c; j++ {
				if expr[j] == '\\' && c != '`' {
					j++
				}
			}
			if j >= len(expr) {
				return nil, fmt.Errorf("unterminated string at position %d", i)
			}
			toks = append(toks, token{tokString, expr[i : j+1], i})
			i = j + 1
		case c == '[':
			j := strings.IndexByte(expr[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("unterminated range at position %d", i)
			}
			if strings.ContainsAny(expr[i+1:i+j], "[\"'`(){}") {
				return nil, fmt.Errorf("malformed range %q at position %d", expr[i:i+j+1], i)
			}
			toks = append(toks, token{tokRange, expr[i : i+j+1], i})
			i += j + 1
		case strings.IndexByte("(){},=!~<>+-*/%^@", c) >= 0:
			toks = append(toks, token{tokPunct, string(c), i})
			i++
		default:
			return nil, fmt.Errorf("unexpected character %q at position %d", c, i)
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Keywords that take a parenthesised label list: the list holds label names,
// never metric names.
func isLabelListKeyword(s string) bool {
	switch s {
	case "by", "without", "on", "ignoring", "group_left", "group_right":
		return true
	}
	return false
}

// Keywords and literals that are neither metrics nor functions.
func isPlainKeyword(s string) bool {
	switch s {
	case "and", "or", "unless", "offset", "bool", "atan2", "inf", "nan":
		return true
	}
	return false
}

// Aggregation operators, which may be followed by by/without before "(".
func isAggregation(s string) bool {
	switch s {
	case "sum", "avg", "count", "min", "max", "stddev", "stdvar", "topk", "bottomk",
		"quantile", "count_values", "group", "limitk", "limit_ratio":
		return true
	}
	return false
}

// PromQL functions (Prometheus 2.x and 3.x). A call to anything else is a
// typo, and the lexer says so instead of mistaking it for a metric.
func isFunction(s string) bool {
	switch s {
	case "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan",
		"atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos",
		"cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year",
		"days_in_month", "deg", "delta", "deriv", "exp", "floor", "histogram_avg",
		"histogram_count", "histogram_fraction", "histogram_quantile", "histogram_stddev",
		"histogram_stdvar", "histogram_sum", "holt_winters", "double_exponential_smoothing",
		"hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
		"ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time", "minute",
		"month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad",
		"rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label",
		"sort_by_label_desc", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
		"sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year", "start", "end":
		return true
	}
	return false
}

// MetricNames returns the metric names an expression selects, in order of
// first appearance. Template variables must already be substituted (see
// Substitute). It fails on syntax it cannot follow, on calls to unknown
// functions, and on selectors whose name is a regular expression, because a
// name it cannot read is a name it cannot check.
func MetricNames(expr string) ([]string, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	var (
		names []string
		seen  = map[string]bool{}
		depth int
	)
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func() *token {
			if i+1 < len(toks) {
				return &toks[i+1]
			}
			return nil
		}
		switch t.kind {
		case tokPunct:
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
				if depth < 0 {
					return nil, fmt.Errorf("unbalanced ')' at position %d", t.pos)
				}
			case "{": // a selector without a leading name: {__name__="…"}
				name, end, err := matchers(toks, i)
				if err != nil {
					return nil, err
				}
				if name == "" {
					return nil, fmt.Errorf("selector at position %d has no metric name", t.pos)
				}
				add(name)
				i = end
			case "}":
				return nil, fmt.Errorf("unbalanced '}' at position %d", t.pos)
			}
		case tokIdent:
			lower := strings.ToLower(t.text)
			n := next()
			switch {
			case isLabelListKeyword(lower):
				if n != nil && n.kind == tokPunct && n.text == "(" {
					end, err := skipLabelList(toks, i+1)
					if err != nil {
						return nil, err
					}
					i = end
				}
			case isPlainKeyword(lower):
			case isAggregation(lower) && n != nil && n.kind == tokIdent && isLabelListKeyword(strings.ToLower(n.text)):
			case n != nil && n.kind == tokPunct && n.text == "(":
				if !isFunction(t.text) && !isAggregation(lower) {
					return nil, fmt.Errorf("unknown function %q at position %d", t.text, t.pos)
				}
			default:
				add(t.text)
				if n != nil && n.kind == tokPunct && n.text == "{" {
					name, end, err := matchers(toks, i+1)
					if err != nil {
						return nil, err
					}
					if name != "" && name != t.text {
						return nil, fmt.Errorf("metric %q also has __name__=%q at position %d", t.text, name, t.pos)
					}
					i = end
				}
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '(': %d left open", depth)
	}
	return names, nil
}

// skipLabelList skips "( label, label … )" starting at the "(" at toks[open]
// and returns the index of the closing ")".
func skipLabelList(toks []token, open int) (int, error) {
	for j := open + 1; j < len(toks); j++ {
		switch {
		case toks[j].kind == tokPunct && toks[j].text == ")":
			return j, nil
		case toks[j].kind == tokIdent || toks[j].kind == tokString || (toks[j].kind == tokPunct && toks[j].text == ","):
		default:
			return 0, fmt.Errorf("unexpected %q in label list at position %d", toks[j].text, toks[j].pos)
		}
	}
	return 0, fmt.Errorf("unterminated label list at position %d", toks[open].pos)
}

// matchers reads "{ label op "value", … }" starting at the "{" at toks[open].
// It returns the value of an exact __name__ matcher (if any) and the index of
// the closing "}".
func matchers(toks []token, open int) (name string, end int, err error) {
	j := open + 1
	for j < len(toks) {
		if toks[j].kind == tokPunct && toks[j].text == "}" {
			return name, j, nil
		}
		if toks[j].kind != tokIdent && toks[j].kind != tokString {
			return "", 0, fmt.Errorf("expected a label name at position %d, got %q", toks[j].pos, toks[j].text)
		}
		label := toks[j].text
		j++
		op := ""
		for j < len(toks) && toks[j].kind == tokPunct && strings.Contains("=!~", toks[j].text) {
			op += toks[j].text
			j++
		}
		if op != "=" && op != "!=" && op != "=~" && op != "!~" {
			return "", 0, fmt.Errorf("bad matcher operator %q after label %q", op, label)
		}
		if j >= len(toks) || toks[j].kind != tokString {
			return "", 0, fmt.Errorf("matcher %s%s needs a quoted value", label, op)
		}
		if label == "__name__" {
			if op != "=" {
				return "", 0, fmt.Errorf("__name__%s selects metrics by pattern; name them so they can be checked", op)
			}
			name = unquote(toks[j].text)
		}
		j++
		if j < len(toks) && toks[j].kind == tokPunct && toks[j].text == "," {
			j++
		}
	}
	return "", 0, fmt.Errorf("unterminated selector at position %d", toks[open].pos)
}

func unquote(s string) string {
	if len(s) >= 2 {
		return s[1 : len(s)-1]
	}
	return s
}
