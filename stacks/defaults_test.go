package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// pulumiYAMLProblems compares the defaults Pulumi.yaml declares (and states in the gate's
// description) with the table: users read the former, the engine hands the declared topics
// and schemas to every stack that leaves them out, and Load falls back to the table.
func pulumiYAMLProblems(d Defaults, pulumiYAML []byte) []string {
	var proj struct {
		Config map[string]struct {
			Description string `yaml:"description"`
			Default     any    `yaml:"default"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(pulumiYAML, &proj); err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for key, want := range map[string]any{KeyTopics: d.Topics, KeySchemas: d.Schemas} {
		b, err := json.Marshal(proj.Config[Key(key)].Default)
		if err != nil {
			return []string{err.Error()}
		}
		got := reflect.New(reflect.TypeOf(want))
		if err := decodeStrict(string(b), got.Interface()); err != nil {
			problems = append(problems, fmt.Sprintf("%s: the default in Pulumi.yaml cannot be read: %v", Key(key), err))
			continue
		}
		if !reflect.DeepEqual(got.Elem().Interface(), want) {
			problems = append(problems, fmt.Sprintf("%s: Pulumi.yaml declares %+v, the table (stacks/defaults.go) %+v", Key(key), got.Elem().Interface(), want))
		}
	}
	// The gate's declared default is {} (each field comes from the table per stack); its
	// description names the defaults every stack shares.
	prod := d.gateFor("prod")
	desc := strings.Join(strings.Fields(proj.Config[Key(KeyGate)].Description), " ")
	for _, phrase := range []string{
		fmt.Sprintf("maxAvgLatencyMs (default %g)", prod.MaxAvgLatencyMs),
		fmt.Sprintf("maxP99LatencyMs (default %g)", prod.MaxP99LatencyMs),
		fmt.Sprintf("minThroughputMsgPerSec (prod default %g)", prod.MinThroughputMsgPerSec),
		fmt.Sprintf("long; default %g)", prod.MaxWarmupSeconds),
		fmt.Sprintf("default %s:", prod.Topic),
		fmt.Sprintf("default %s)", prod.Subject),
	} {
		if !strings.Contains(desc, phrase) {
			problems = append(problems, fmt.Sprintf("%s: the description in Pulumi.yaml does not say %q", Key(KeyGate), phrase))
		}
	}
	return problems
}

// README sections generated from the table, between these markers.
const (
	readmeTopicsSection = "defaults:topics"
	readmeGateSection   = "defaults:gate"
)

// readmeProblems compares the README's defaults tables with what the table renders.
func readmeProblems(d Defaults, readme []byte) []string {
	var problems []string
	for name, want := range map[string]string{readmeTopicsSection: readmeTopicsTable(d), readmeGateSection: readmeGateTable(d)} {
		begin, end := "<!-- "+name+" -->\n", "<!-- /"+name+" -->"
		_, rest, ok1 := strings.Cut(string(readme), begin)
		got, _, ok2 := strings.Cut(rest, end)
		switch {
		case !ok1 || !ok2:
			problems = append(problems, fmt.Sprintf("README.md has no section %s…%s", strings.TrimSpace(begin), end))
		case got != want:
			problems = append(problems, fmt.Sprintf("README.md's %s table differs from stacks/defaults.go; replace it with:\n%s", name, want))
		}
	}
	return problems
}

func readmeTopicsTable(d Defaults) string {
	var b strings.Builder
	b.WriteString("| topic | partitions | replicationFactor | config |\n| --- | --- | --- | --- |\n")
	for _, t := range d.Topics {
		keys := make([]string, 0, len(t.Config))
		for k := range t.Config {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		cfg := make([]string, len(keys))
		for i, k := range keys {
			cfg[i] = fmt.Sprintf("`%s=%s`", k, t.Config[k])
		}
		fmt.Fprintf(&b, "| `%s` | %d | %d | %s |\n", t.Name, t.Partitions, t.ReplicationFactor, strings.Join(cfg, ", "))
	}
	return b.String()
}

func readmeGateTable(d Defaults) string {
	var b strings.Builder
	b.WriteString("| stack | load | thresholds |\n| --- | --- | --- |\n")
	for _, stack := range []string{"prod", "dev", "local"} {
		g := d.gateFor(stack)
		fmt.Fprintf(&b, "| %s | %s msg/s offered for %g s after a %g s warm-up, adaptive up to %g s (%d B, acks=%s, %g ms linger, %d producer(s), %d consumer(s), %d partitions) | avg ≤ %g ms, p99 ≤ %g ms, ≥ %s msg/s |\n",
			stack, thousands(g.Rate), g.DurationSeconds, g.WarmupSeconds, g.MaxWarmupSeconds, g.MessageSize, g.Acks, g.LingerMs,
			g.Producers, g.Consumers, g.Partitions, g.MaxAvgLatencyMs, g.MaxP99LatencyMs, thousands(int(g.MinThroughputMsgPerSec)))
	}
	return b.String()
}

// thousands writes n with comma separators, as the README does.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func readRepoFile(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestPulumiYAMLDefaultsMatchTheTable: users read the defaults in Pulumi.yaml, the program
// falls back to the table when a key is absent; they must be the same.
func TestPulumiYAMLDefaultsMatchTheTable(t *testing.T) {
	for _, p := range pulumiYAMLProblems(DefaultTable(), readRepoFile(t, "Pulumi.yaml")) {
		t.Error(p)
	}
}

// TestREADMEDefaultsMatchTheTable: the README's default topics and gate tables are what the
// table renders.
func TestREADMEDefaultsMatchTheTable(t *testing.T) {
	for _, p := range readmeProblems(DefaultTable(), readRepoFile(t, "README.md")) {
		t.Error(p)
	}
}

// TestOneTopicDefaultReachesEveryCheck: a topic default changed in the table shows in the
// Pulumi.yaml check, in the README check and in the Spec Load builds, so none of the three
// reads a copy of its own.
func TestOneTopicDefaultReachesEveryCheck(t *testing.T) {
	d := DefaultTable()
	d.Topics[0].Config["retention.ms"] = "259200000" // 3 days instead of 7
	pulumiYAML, readme := readRepoFile(t, "Pulumi.yaml"), readRepoFile(t, "README.md")

	if ps := pulumiYAMLProblems(d, pulumiYAML); len(ps) != 1 || !strings.HasPrefix(ps[0], Key(KeyTopics)+":") || !strings.Contains(ps[0], "259200000") {
		t.Errorf("the Pulumi.yaml check did not see the change to market-bus:topics: %q", ps)
	}
	if ps := readmeProblems(d, readme); len(ps) != 1 || !strings.Contains(ps[0], readmeTopicsSection) || !strings.Contains(ps[0], "`retention.ms=259200000`") {
		t.Errorf("the README check did not see the change to the topics table: %q", ps)
	}
	spec, err := loadWith("local", MapSource{}, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := spec.Topics[0].Config["retention.ms"]; got != "259200000" {
		t.Errorf("loaded market-telemetry retention.ms = %q, want the table's 259200000", got)
	}
	// The Spec owns its copy: changing it leaves the table as it was.
	spec.Topics[0].Config["retention.ms"] = "1"
	if d.Topics[0].Config["retention.ms"] != "259200000" {
		t.Error("the loaded Spec shares its topic config map with the table")
	}
	if fresh := DefaultTable(); fresh.Topics[0].Config["retention.ms"] != "604800000" {
		t.Error("changing one table changed the next DefaultTable()")
	}
}

// TestEveryGateDefaultReachesTheSpec: each stack's gate in the table is the one Load gives a
// stack that sets no market-bus:gate.
func TestEveryGateDefaultReachesTheSpec(t *testing.T) {
	d := DefaultTable()
	for _, stack := range []string{"local", "dev"} {
		g := d.Gate[stack]
		g.Rate, g.LingerMs = 12345, 7
		d.Gate[stack] = g
		src := MapSource{}
		if stack == "dev" {
			src[KeyGrafanaAdminPassword] = "admin-pw"
		}
		spec, err := loadWith(stack, src, d)
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		if spec.Gate.Rate != 12345 || spec.Gate.LingerMs != 7 {
			t.Errorf("%s: gate %+v does not carry the table's rate and linger", stack, spec.Gate)
		}
	}
}
