package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/imageref"
)

// loadShippedCompose loads docker-compose.kafka.yml with the Compose
// specification's own loader: schema validation, interpolation,
// normalisation and the consistency checks, as `docker compose` does.
func loadShippedCompose(t *testing.T) *types.Project {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(root, composeFileName)}},
		Environment: types.Mapping{"GRAFANA_ADMIN_PASSWORD": "from-the-shell"},
	}
	p, err := loader.LoadWithContext(context.Background(), details)
	if err != nil {
		t.Fatalf("compose-go refuses %s: %v", composeFileName, err)
	}
	return p
}

// devContainers runs the dev stack's program (Pulumi.dev.yaml) under mocks
// and returns the Docker containers it registers, by container name, and
// the image of each RemoteImage.
func devContainers(t *testing.T) (map[string]resource.PropertyMap, map[string]bool) {
	containers, images, _ := devRun(t)
	return containers, images
}

// devRun is devContainers with the whole recording.
func devRun(t *testing.T) (map[string]resource.PropertyMap, map[string]bool, *recorder) {
	t.Helper()
	src, err := StackFileSource("..", filepath.Join("..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src[KeyGrafanaAdminPassword] = "admin-pw"
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:grafanaAdminPassword"]`)
	rec, err := runProgram(t, "dev", src)
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	containers := map[string]resource.PropertyMap{}
	for _, r := range findType(rec, "docker:index/container:Container") {
		containers[r.Inputs["name"].StringValue()] = r.Inputs
	}
	images := map[string]bool{}
	for _, r := range findType(rec, "docker:index/remoteImage:RemoteImage") {
		images[r.Inputs["name"].StringValue()] = true
	}
	return containers, images, rec
}

// arrayOf is v's elements; none when the input is absent.
func arrayOf(v resource.PropertyValue) []resource.PropertyValue {
	if !v.IsArray() {
		return nil
	}
	return v.ArrayValue()
}

func stringsOf(v resource.PropertyValue) []string {
	if v.IsSecret() {
		v = v.SecretValue().Element
	}
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		out = append(out, e.StringValue())
	}
	return out
}

// TestComposeFileLoadsAndMatchesTheDevStack loads the shipped file with
// compose-go and checks its model against the dev stack: 3 brokers with the
// pinned image, one named volume each, ready-probe healthchecks, and for
// every container the dev stack's program registers (mock monitor) the
// same command, ports, healthcheck, limits, environment and files.
func TestComposeFileLoadsAndMatchesTheDevStack(t *testing.T) {
	p := loadShippedCompose(t)
	spec, err := LoadStackFile("..", "dev", filepath.Join("..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "market-bus-dev" {
		t.Errorf("project name = %q", p.Name)
	}
	containers, images := devContainers(t)
	if len(p.Services) != len(containers) {
		t.Errorf("%d services, the dev stack has %d containers", len(p.Services), len(containers))
	}

	brokers := []string{"redpanda-0", "redpanda-1", "redpanda-2"}
	for _, name := range brokers {
		s, ok := p.Services[name]
		if !ok {
			t.Fatalf("no service %s; have %v", name, p.ServiceNames())
		}
		if s.Image != spec.Cluster.Image {
			t.Errorf("%s image = %q, want the pinned %q", name, s.Image, spec.Cluster.Image)
		}
		if len(s.Volumes) != 1 || s.Volumes[0].Type != types.VolumeTypeVolume || s.Volumes[0].Target != "/var/lib/redpanda/data" {
			t.Errorf("%s volumes = %+v, want one named volume on the data dir", name, s.Volumes)
		} else if v, ok := p.Volumes[s.Volumes[0].Source]; !ok || v.Name != "market-bus-dev-"+name+"-data" {
			t.Errorf("%s volume %q = %+v, want the dev stack's volume name", name, s.Volumes[0].Source, v)
		}
		hc := strings.Join(s.HealthCheck.Test, " ")
		if !strings.Contains(hc, "/v1/status/ready") {
			t.Errorf("%s healthcheck = %q, want the admin API's /v1/status/ready", name, hc)
		}
	}
	for _, tt := range []struct {
		service string
		after   []string
	}{{"prometheus", brokers}, {"grafana", []string{"prometheus"}}} {
		deps := p.Services[tt.service].DependsOn
		var got []string
		for dep, d := range deps {
			got = append(got, dep)
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s depends_on %s condition = %q, want %s", tt.service, dep, d.Condition, types.ServiceConditionHealthy)
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.after) {
			t.Errorf("%s depends_on %v, want %v", tt.service, got, tt.after)
		}
	}
	for name, s := range p.Services {
		if why := imageref.Parse(s.Image).Pinned(); why != "" || strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("%s image %q is not pinned: %s", name, s.Image, why)
		}
		if !images[s.Image] {
			t.Errorf("%s image %q is not an image the dev stack pulls %v", name, s.Image, images)
		}
		c, ok := containers[s.ContainerName]
		if !ok {
			t.Errorf("%s container_name %q is no container of the dev stack", name, s.ContainerName)
			continue
		}
		t.Run(name, func(t *testing.T) { compareContainer(t, p, s, c) })
	}
}

// compareContainer checks one Compose service against the inputs of the
// dev stack's container of the same name.
// devStandaloneBootstrap is the bootstrap file a Compose run of the dev stack needs: the
// formation keys plus the cluster properties its ClusterConfig writes on the Pulumi stack.
func devStandaloneBootstrap(t *testing.T) string {
	t.Helper()
	spec, err := LoadStackFile("..", "dev", filepath.Join("..", "Pulumi.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	args := clusterArgs(spec, nil)
	out, err := cluster.RenderStandaloneBootstrapYAML(args, spec.ClusterConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "enable_consumer_group_metrics:") || !strings.Contains(out, "consumer_lag") {
		t.Errorf("the Compose bootstrap file lacks the consumer-group metrics:\n%s", out)
	}
	return out
}

func compareContainer(t *testing.T, p *types.Project, s types.ServiceConfig, c resource.PropertyMap) {
	if got, want := []string(s.Command), stringsOf(c["command"]); !reflect.DeepEqual(got, want) && len(want) > 0 {
		t.Errorf("command:\n compose %q\n docker  %q", got, want)
	} else if len(want) == 0 && len(got) > 0 {
		t.Errorf("command %q, the dev stack keeps the image's", got)
	}
	if s.Hostname != c["hostname"].StringValue() {
		t.Errorf("hostname %q, dev stack %q", s.Hostname, c["hostname"].StringValue())
	}
	var ports []string
	for _, pt := range arrayOf(c["ports"]) {
		o := pt.ObjectValue()
		ports = append(ports, fmt.Sprintf("%s:%v->%v/%s", o["ip"].StringValue(), o["external"].NumberValue(), o["internal"].NumberValue(), o["protocol"].StringValue()))
	}
	var cports []string
	for _, pt := range s.Ports {
		cports = append(cports, fmt.Sprintf("%s:%s->%d/%s", pt.HostIP, pt.Published, pt.Target, pt.Protocol))
	}
	if !reflect.DeepEqual(cports, ports) {
		t.Errorf("ports:\n compose %q\n docker  %q", cports, ports)
	}
	hc := c["healthcheck"].ObjectValue()
	dur := func(v resource.PropertyValue) time.Duration {
		d, err := time.ParseDuration(v.StringValue())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	h := s.HealthCheck
	if !reflect.DeepEqual([]string(h.Test), stringsOf(hc["tests"])) || time.Duration(*h.Interval) != dur(hc["interval"]) ||
		time.Duration(*h.Timeout) != dur(hc["timeout"]) || time.Duration(*h.StartPeriod) != dur(hc["startPeriod"]) ||
		float64(*h.Retries) != hc["retries"].NumberValue() {
		t.Errorf("healthcheck %+v, dev stack %v", h, hc)
	}
	if m, ok := c["memory"]; ok {
		if int64(s.MemLimit) != int64(m.NumberValue())<<20 || int64(s.MemSwapLimit) != int64(c["memorySwap"].NumberValue())<<20 {
			t.Errorf("mem_limit %d / memswap_limit %d, dev stack %v MiB / %v MiB", s.MemLimit, s.MemSwapLimit, m.NumberValue(), c["memorySwap"].NumberValue())
		}
		if fmt.Sprint(s.CPUS) != c["cpus"].StringValue() {
			t.Errorf("cpus %v, dev stack %v", s.CPUS, c["cpus"].StringValue())
		}
	} else if s.MemLimit != 0 {
		t.Errorf("mem_limit %d, the dev stack sets none", s.MemLimit)
	}
	if st, ok := c["stopTimeout"]; ok && (s.StopGracePeriod == nil || time.Duration(*s.StopGracePeriod) != time.Duration(st.NumberValue())*time.Second) {
		t.Errorf("stop_grace_period %v, dev stack %v s", s.StopGracePeriod, st.NumberValue())
	}
	if s.Restart != c["restart"].StringValue() {
		t.Errorf("restart %q, dev stack %q", s.Restart, c["restart"].StringValue())
	}
	// Every file the dev stack uploads is a config with the same content
	// and mode; Compose may add more (Grafana's provisioning).
	mounted := map[string]types.ServiceConfigObjConfig{}
	for _, ref := range s.Configs {
		mounted[ref.Target] = ref
	}
	for _, u := range arrayOf(c["uploads"]) {
		o := u.ObjectValue()
		path := o["file"].StringValue()
		if slices.ContainsFunc(s.Secrets, func(r types.ServiceSecretConfig) bool { return r.Target == path }) {
			continue // the admin password: a Compose secret, checked with the environment below
		}
		ref, ok := mounted[path]
		if !ok {
			t.Errorf("no config mounted at %s", path)
			continue
		}
		want := o["content"].StringValue()
		if path == cluster.BootstrapPath {
			// Compose has no ClusterConfig: its bootstrap file adds the cluster properties.
			want = devStandaloneBootstrap(t)
		}
		if diff := composeStale([]byte(p.Configs[ref.Source].Content), []byte(want)); diff != "" {
			t.Errorf("config %s at %s differs from the uploaded file (compose, docker): %s", ref.Source, path, diff)
		}
		if ref.Mode == nil || fmt.Sprintf("0%o", int64(*ref.Mode)) != o["permissions"].StringValue() {
			t.Errorf("config at %s mode %v, dev stack %s", path, ref.Mode, o["permissions"].StringValue())
		}
	}
	// The environment is the dev stack's. Both read the admin password from a file: an
	// uploaded one on dev, a Compose secret here.
	if envs, ok := c["envs"]; ok {
		for _, kv := range stringsOf(envs) {
			k, v, _ := strings.Cut(kv, "=")
			if k == "GF_SECURITY_ADMIN_PASSWORD__FILE" {
				if _, leaked := s.Environment["GF_SECURITY_ADMIN_PASSWORD"]; leaked || len(s.Secrets) != 1 || s.Secrets[0].Target != v {
					t.Errorf("admin password: environment %v, secrets %+v: want %s naming the mounted secret", s.Environment, s.Secrets, k)
				} else if sec := p.Secrets[s.Secrets[0].Source]; sec.Environment != "GRAFANA_ADMIN_PASSWORD" || sec.File != "" {
					t.Errorf("secret %+v, want it read from $GRAFANA_ADMIN_PASSWORD", sec)
				}
			}
			if got := s.Environment[k]; got == nil || *got != v {
				t.Errorf("environment %s = %v, dev stack %q", k, got, v)
			}
		}
	}
	for _, l := range arrayOf(c["labels"]) {
		k, v := l.ObjectValue()["label"].StringValue(), l.ObjectValue()["value"].StringValue()
		if k == "app.kubernetes.io/managed-by" {
			v = "docker-compose"
		}
		if s.Labels[k] != v {
			t.Errorf("label %s = %q, dev stack %q", k, s.Labels[k], v)
		}
	}
}

// TestComposeProvisionsGrafanaLikeTheDevStack: the Compose Grafana gets, from
// provisioning files, the data source and the dashboards the dev stack's
// program creates through Grafana's API, byte for byte after Compose's
// interpolation (the dashboards are full of $__rate_interval).
func TestComposeProvisionsGrafanaLikeTheDevStack(t *testing.T) {
	p := loadShippedCompose(t)
	_, _, rec := devRun(t)
	content := map[string]string{}
	for _, ref := range p.Services["grafana"].Configs {
		content[ref.Target] = p.Configs[ref.Source].Content
	}
	dashboards := findType(rec, "grafana:oss/dashboard:Dashboard")
	if len(dashboards) == 0 {
		t.Fatal("the dev stack registers no dashboard")
	}
	for _, d := range dashboards {
		want := d.Inputs["configJson"].StringValue()
		found := false
		for path, got := range content {
			if strings.HasSuffix(path, ".json") && got == want {
				found = true
			}
		}
		if !found {
			t.Errorf("dashboard %s is not provisioned with the dev stack's JSON", d.Name)
		}
	}
	sources := findType(rec, "grafana:oss/dataSource:DataSource")
	if len(sources) != 1 {
		t.Fatalf("%d data sources in the dev stack", len(sources))
	}
	var prov struct {
		Datasources []struct {
			Name, Type, UID, URL, Access string
			IsDefault                    bool              `yaml:"isDefault"`
			JSONData                     map[string]string `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal([]byte(content["/etc/grafana/provisioning/datasources/market-bus.yaml"]), &prov); err != nil || len(prov.Datasources) != 1 {
		t.Fatalf("data source provisioning: %v %+v", err, prov)
	}
	got, in := prov.Datasources[0], sources[0].Inputs
	var jsonData map[string]string
	if err := json.Unmarshal([]byte(in["jsonDataEncoded"].StringValue()), &jsonData); err != nil {
		t.Fatal(err)
	}
	if got.Name != in["name"].StringValue() || got.Type != in["type"].StringValue() || got.UID != in["uid"].StringValue() ||
		got.URL != in["url"].StringValue() || got.Access != in["accessMode"].StringValue() || got.IsDefault != in["isDefault"].BoolValue() ||
		!reflect.DeepEqual(got.JSONData, jsonData) {
		t.Errorf("provisioned data source %+v, dev stack %v", got, in)
	}
}
