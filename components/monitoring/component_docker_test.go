package monitoring

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/dashboards"
)

const (
	devPassword = "s3cret-admin"
	devWebhook  = "https://hooks.example.test/services/T000/B000/token123"
	devNetwork  = "market-bus-dev-redpanda"
	promImage   = "prom/prometheus:v3.5.0"
	gfImage     = "grafana/grafana:12.1.1"
)

var devTargets = []string{"redpanda-0:9644", "redpanda-1:9644", "redpanda-2:9644"}

// dockerArgs is the dev stack's shape. Password and webhook are plain
// strings on purpose: the component must make them secret itself.
func dockerArgs() Args {
	return Args{
		Config:         Config{PrometheusImage: promImage, GrafanaImage: gfImage},
		Stack:          "dev",
		Backend:        BackendDocker,
		MetricsTargets: pulumi.ToStringArray(devTargets),
		Docker: DockerArgs{
			NetworkName:          pulumi.String(devNetwork),
			GrafanaAdminPassword: pulumi.String(devPassword),
		},
		ContactPoint: ContactPointArgs{WebhookURL: pulumi.String(devWebhook)},
	}
}

func runDocker(t *testing.T, mutate func(*Args)) (*monitoringMocks, outputs) {
	t.Helper()
	mocks, out, err := runMonitoring(t, "dev", func() Args {
		a := dockerArgs()
		if mutate != nil {
			mutate(&a)
		}
		return a
	})
	if err != nil {
		t.Fatal(err)
	}
	return mocks, out
}

// uploads returns a container's uploaded files by path.
func uploads(c call) map[string]string {
	out := map[string]string{}
	list, _ := c.in("uploads").([]any)
	for _, u := range list {
		m := u.(map[string]any)
		out[m["file"].(string)] = m["content"].(string)
	}
	return out
}

// uploadIsSecret reports whether the content of the upload at path is marked secret, on
// its own or as part of a secret uploads list.
func uploadIsSecret(c call, path string) bool {
	v := c.Inputs["uploads"]
	if v.IsSecret() {
		return true
	}
	if !v.IsArray() {
		return false
	}
	for _, u := range v.ArrayValue() {
		if u.IsSecret() {
			u = u.SecretValue().Element
		}
		if !u.IsObject() {
			continue
		}
		obj := u.ObjectValue()
		if plain(obj["file"]) == path {
			return u.IsSecret() || obj["content"].IsSecret()
		}
	}
	return false
}

func TestDockerContainers(t *testing.T) {
	mocks, out := runDocker(t, nil)
	rules := defaultRules(t)

	images := mocks.ofType(typeRemoteImage)
	assertEqual(t, "images", []any{images[0].in("name"), images[1].in("name")}, []string{gfImage, promImage})

	tests := []struct {
		name, image, health string
		internal, external  float64
		alias               string
	}{
		{"mon-prometheus", promImage, "http://localhost:9090/-/ready", 9090, 9090, "prometheus"},
		{"mon-grafana", gfImage, "http://localhost:3000/api/health", 3000, 3000, "grafana"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mocks.one(t, typeContainer, tc.name)
			if got := c.str(t, "image"); got != "id-of-"+tc.image {
				t.Errorf("image = %s, want the ID of %s", got, tc.image)
			}
			assertEqual(t, "ports", c.in("ports"), []any{map[string]any{
				"internal": tc.internal, "external": tc.external, "ip": "127.0.0.1", "protocol": "tcp"}})
			assertEqual(t, "networksAdvanced", c.in("networksAdvanced"), []any{map[string]any{
				"name": devNetwork, "aliases": []any{tc.alias}}})
			hc, _ := c.in("healthcheck").(map[string]any)
			tests, _ := json.Marshal(hc["tests"])
			assertContains(t, "healthcheck", string(tests), tc.health)
			if c.in("wait") != true {
				t.Error("wait is not set: dependants would not wait for a healthy container")
			}
		})
	}

	prom := mocks.one(t, typeContainer, "mon-prometheus")
	files := uploads(prom)
	cfg := files[promConfigPath]
	assertContains(t, "prometheus.yml", cfg, append(slices.Clone(devTargets),
		"metrics_path: /public_metrics", "cluster: dev", "- "+promRulesPath)...)
	for _, r := range rules {
		assertContains(t, "rules upload", files[promRulesPath], "alert: "+r.Name)
	}
	if cfg != out.ScrapeConfigYAML {
		t.Error("ScrapeConfigYAML output differs from the uploaded prometheus.yml")
	}
	if files[promRulesPath] != out.RulesYAML {
		t.Error("RulesYAML output differs from the uploaded rules file")
	}

	// The admin password is a file (a secret in the state), never an environment variable:
	// `docker inspect` shows the environment to anyone who can reach the socket.
	grafana := mocks.one(t, typeContainer, "mon-grafana")
	envs, _ := grafana.in("envs").([]any)
	envText := strings.Join(toStrings(envs), "\n")
	assertContains(t, "grafana envs", envText,
		"GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password", "GF_SECURITY_ADMIN_USER=admin", "GF_SERVER_ROOT_URL=http://localhost:3000/")
	if strings.Contains(envText, devPassword) {
		t.Errorf("the grafana environment holds the admin password:\n%s", envText)
	}
	if got := uploads(grafana)["/run/secrets/grafana_admin_password"]; got != devPassword {
		t.Errorf("grafana password file = %q, want the admin password", got)
	}
	if !uploadIsSecret(grafana, "/run/secrets/grafana_admin_password") {
		t.Error("the grafana password file is not a secret: the admin password would sit in plain state")
	}

	assertEqual(t, "outputs", []string{out.GrafanaURL, out.PrometheusURL}, []string{"http://localhost:3000", "http://localhost:9090"})
}

func toStrings(v []any) []string {
	out := make([]string, len(v))
	for i, e := range v {
		out[i], _ = e.(string)
	}
	return out
}

func TestDockerGrafanaProvider(t *testing.T) {
	mocks, _ := runDocker(t, nil)
	p := mocks.one(t, typeGrafanaProv, "mon-grafana-provider")
	if got := p.str(t, "url"); got != "http://localhost:3000" {
		t.Errorf("provider url = %s", got)
	}
	if !p.secret("auth") {
		t.Error("provider auth is not secret")
	}
	if got := p.str(t, "auth"); got != "admin:"+devPassword {
		t.Errorf("provider auth = %q, want admin:<password>", got)
	}
	if want := urn("dev", typeContainer, "mon-grafana"); !slices.Contains(p.rpc.GetDependencies(), want) {
		t.Errorf("provider dependencies %v lack the grafana container %s", p.rpc.GetDependencies(), want)
	}
	// A replaced Grafana container has an empty database: every object must
	// be recreated in it, deleted first because its UID is fixed.
	for _, typ := range []string{typeFolder, typeDataSource, typeDashboard, typeRuleGroup, typeContactPoint} {
		for _, c := range mocks.ofType(typ) {
			if !slices.Contains(c.rpc.GetReplaceWith(), urn("dev", typeContainer, "mon-grafana")) || !c.rpc.GetDeleteBeforeReplace() {
				t.Errorf("%s: replaceWith %v, deleteBeforeReplace %v", c.Name, c.rpc.GetReplaceWith(), c.rpc.GetDeleteBeforeReplace())
			}
		}
	}
	// Every Grafana object pins the real plugin, so a user's engine fetches it.
	for _, typ := range []string{typeGrafanaProv, typeFolder, typeDashboard, typeRuleGroup} {
		c := mocks.ofType(typ)[0]
		if c.rpc.GetVersion() != "2.38.0" || c.rpc.GetPluginDownloadURL() != "github://api.github.com/pulumiverse" {
			t.Errorf("%s: version %q, plugin URL %q", typ, c.rpc.GetVersion(), c.rpc.GetPluginDownloadURL())
		}
	}
}

func TestDockerGrafanaObjects(t *testing.T) {
	mocks, out := runDocker(t, nil)

	folder := mocks.one(t, typeFolder, "mon-folder")
	assertEqual(t, "folder", []any{folder.in("uid"), folder.in("title")}, []string{"market-bus-dev", "Market bus (dev)"})

	ds := mocks.one(t, typeDataSource, "mon-datasource")
	assertEqual(t, "datasource", []any{ds.in("uid"), ds.in("type"), ds.in("url"), ds.in("isDefault")},
		[]any{"prometheus-dev", "prometheus", "http://prometheus:9090", true})

	wantTitles := map[string]string{
		"mon-dashboard-kafka-overview": "Kafka Overview (dev)",
		"mon-dashboard-topic-metrics":  "Topic Metrics (dev)",
		"mon-dashboard-consumer-lag":   "Consumer Lag (dev)",
	}
	dashes := mocks.ofType(typeDashboard)
	if len(dashes) != len(wantTitles) {
		t.Fatalf("%d dashboards, want %d", len(dashes), len(wantTitles))
	}
	for _, d := range dashes {
		var model struct {
			Title string `json:"title"`
		}
		cfg := d.str(t, "configJson")
		if err := json.Unmarshal([]byte(cfg), &model); err != nil {
			t.Fatalf("%s configJson: %v", d.Name, err)
		}
		if model.Title != wantTitles[d.Name] {
			t.Errorf("%s title = %q, want %q", d.Name, model.Title, wantTitles[d.Name])
		}
		assertContains(t, d.Name, cfg, `"prometheus-dev"`)
		assertEqual(t, d.Name+" folder/overwrite", []any{d.in("folder"), d.in("overwrite")}, []any{"market-bus-dev", true})
	}
	assertEqual(t, "dashboard URLs", out.DashboardURLs, map[string]string{
		"kafka-overview": "http://grafana.test/d/mon-dashboard-kafka-overview",
		"topic-metrics":  "http://grafana.test/d/mon-dashboard-topic-metrics",
		"consumer-lag":   "http://grafana.test/d/mon-dashboard-consumer-lag",
	})
	assertEqual(t, "uid outputs", []string{out.FolderUID, out.DatasourceUID}, []string{"market-bus-dev", "prometheus-dev"})

	rg := mocks.one(t, typeRuleGroup, "mon-rules")
	assertEqual(t, "rule group", []any{rg.in("folderUid"), rg.in("intervalSeconds"), rg.in("name")},
		[]any{"market-bus-dev", 60, DefaultRuleGroup})
	if want := urn("dev", typeDataSource, "mon-datasource"); !slices.Contains(rg.rpc.GetDependencies(), want) {
		t.Errorf("rule group does not depend on the data source: %v", rg.rpc.GetDependencies())
	}
	got := groupRules(t, rg)
	for _, r := range defaultRules(t) {
		gr, ok := got[r.Name]
		if !ok {
			t.Errorf("rule group lacks %s", r.Name)
			continue
		}
		if gr.Labels["severity"] != string(r.Severity) || gr.Data[0].DatasourceUID != "prometheus-dev" {
			t.Errorf("%s: labels %v, datasource %s", r.Name, gr.Labels, gr.Data[0].DatasourceUID)
		}
	}

	cp := mocks.one(t, typeContactPoint, "mon-contact-point")
	webhooks := cp.Inputs["webhooks"].ArrayValue()
	if len(webhooks) != 1 || !webhooks[0].ObjectValue()["url"].IsSecret() {
		t.Fatalf("webhooks = %v, want one with a secret url", webhooks)
	}
	assertEqual(t, "contact point", []any{cp.in("name"), webhooks[0].ObjectValue()["url"].SecretValue().Element.StringValue()},
		[]string{"market-bus-dev", devWebhook})

	// Each rule notifies the contact point itself, re-sent by severity.
	var routed []string
	rules, _ := rg.in("rules").([]any)
	for _, r := range rules {
		rm := r.(map[string]any)
		ns, _ := rm["notificationSettings"].(map[string]any)
		if ns == nil {
			t.Errorf("%s has no notification settings", rm["name"])
			continue
		}
		routed = append(routed, fmt.Sprintf("%s -> %s every %s", rm["labels"].(map[string]any)["severity"], ns["contactPoint"], ns["repeatInterval"]))
		assertEqual(t, fmt.Sprintf("%s grouping", rm["name"]), []any{ns["groupBies"], ns["groupWait"], ns["groupInterval"]},
			[]any{[]string{"alertname", "grafana_folder", "cluster", "severity"}, "30s", "5m"})
	}
	slices.Sort(routed)
	routed = slices.Compact(routed)
	assertEqual(t, "routes", routed, []string{"critical -> market-bus-dev every 1h", "high -> market-bus-dev every 4h"})
	if deps := rg.rpc.GetDependencies(); !slices.Contains(deps, urn("dev", typeContactPoint, "mon-contact-point")) {
		t.Errorf("rule group dependencies %v lack the contact point it names", deps)
	}
	if n := len(mocks.ofType(typeNotification)); n != 0 {
		t.Errorf("%d notification policies: the organisation's routing tree is not ours to replace", n)
	}
}

// TestThresholdChangeReachesBothRenderings: one number in args moves the
// Prometheus rule (uploaded file) and the Grafana rule (RuleGroup input).
func TestThresholdChangeReachesBothRenderings(t *testing.T) {
	const alert = "RedpandaConsumerLagHigh"
	measure := func(th dashboards.Thresholds) (promExpr string, grafana float64) {
		mocks, _ := runDocker(t, func(a *Args) { a.Thresholds = th })
		var file struct {
			Groups []struct {
				Rules []struct{ Alert, Expr string } `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal([]byte(uploads(mocks.one(t, typeContainer, "mon-prometheus"))[promRulesPath]), &file); err != nil {
			t.Fatal(err)
		}
		for _, r := range file.Groups[0].Rules {
			if r.Alert == alert {
				promExpr = r.Expr
			}
		}
		v, err := GrafanaThreshold(groupRules(t, mocks.one(t, typeRuleGroup, "mon-rules"))[alert])
		if err != nil {
			t.Fatal(err)
		}
		return promExpr, v
	}
	defExpr, defGrafana := measure(dashboards.Thresholds{})
	newExpr, newGrafana := measure(dashboards.Thresholds{ConsumerLagRecords: 2500})
	if !strings.HasSuffix(defExpr, ") > 10000") || defGrafana != 10000 {
		t.Errorf("defaults: prometheus %q, grafana %v; want 10000 in both", defExpr, defGrafana)
	}
	if !strings.HasSuffix(newExpr, ") > 2500") || newGrafana != 2500 {
		t.Errorf("after the change: prometheus %q, grafana %v; want 2500 in both", newExpr, newGrafana)
	}
}

// TestSecretsStayMarked checks what a caller's secret password becomes:
// still secret wherever it lands.
func TestSecretsStayMarked(t *testing.T) {
	mocks, _ := runDocker(t, func(a *Args) {
		a.Docker.GrafanaAdminPassword = pulumi.ToSecret(pulumi.String(devPassword)).(pulumi.StringOutput)
	})
	if !mocks.one(t, typeGrafanaProv, "mon-grafana-provider").secret("auth") {
		t.Error("mon-grafana-provider.auth is not secret")
	}
	if !uploadIsSecret(mocks.one(t, typeContainer, "mon-grafana"), secretFilePath) {
		t.Errorf("mon-grafana's upload %s is not secret", secretFilePath)
	}
	// The password must not leak into any other input in plain text.
	for _, typ := range []string{typeContainer, typeFolder, typeDataSource, typeDashboard, typeRuleGroup} {
		for _, c := range mocks.ofType(typ) {
			for k, v := range c.Inputs {
				if !v.ContainsSecrets() && strings.Contains(toJSON(plain(v)), devPassword) {
					t.Errorf("%s.%s holds the password in plain text", c.Name, k)
				}
			}
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
