package stacks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/marketbus/market-bus/stackenv"
)

// stackFileSource reads a shipped stack file's config the way the engine hands it to the
// program: keys without the project prefix, structured values as JSON.
func stackFileSource(t *testing.T, name string) MapSource {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	src := MapSource{}
	for k, v := range f.Config {
		k = strings.TrimPrefix(k, Project+":")
		if s, ok := v.(string); ok {
			src[k] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		src[k] = string(b)
	}
	return src
}

// TestLoadEnvironment: the environment is read from market-bus:environment; prod, dev and
// local have defaults, any other stack must declare it.
func TestLoadEnvironment(t *testing.T) {
	prod := func(env string) MapSource {
		src := prodSource(`{"externalDomain":"bus.example.com"}`)
		if env != "" {
			src[KeyEnvironment] = env
		}
		return src
	}
	local := func(env string) MapSource {
		src := MapSource{KeyCluster: `{"mode":"external","bootstrapServers":["127.0.0.1:19092"],"schemaRegistryUrl":"http://127.0.0.1:18081"}`}
		if env != "" {
			src[KeyEnvironment] = env
		}
		return src
	}
	cases := []struct {
		stack string
		src   MapSource
		want  string
	}{
		{"prod", prod(""), stackenv.Production},
		{"local", MapSource{}, stackenv.Development},
		{"dev", MapSource{KeyGrafanaAdminPassword: "pw"}, stackenv.Development},
		{"local", MapSource{KeyEnvironment: "staging"}, stackenv.Staging},
		{"prod", with(prod(""), KeyEnvironment, "staging"), stackenv.Staging},
		{"scratch", local("development"), stackenv.Development},
		{"qa-eu", local("staging"), stackenv.Staging},
	}
	for _, tc := range cases {
		t.Run(tc.stack+"/"+tc.src[KeyEnvironment], func(t *testing.T) {
			spec, err := Load(tc.stack, tc.src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if spec.Environment != tc.want || spec.IsProduction() != (tc.want == stackenv.Production) {
				t.Errorf("environment %q (production %v), want %q", spec.Environment, spec.IsProduction(), tc.want)
			}
		})
	}
}

// TestLoadRejectsBadEnvironment: a missing or misspelt environment names the key, the value
// and the fix.
func TestLoadRejectsBadEnvironment(t *testing.T) {
	cluster := `{"mode":"external","bootstrapServers":["127.0.0.1:19092"],"schemaRegistryUrl":"http://127.0.0.1:18081"}`
	cases := []struct {
		name, stack string
		src         MapSource
		want        []string
	}{
		{"unknown stack without environment", "prod-eu", MapSource{KeyCluster: cluster},
			[]string{`market-bus:environment = "": not set, and stack "prod-eu"`, "Pulumi.prod-eu.yaml", "production, staging or development"}},
		{"capitalised", "local", MapSource{KeyEnvironment: "Production"},
			[]string{`market-bus:environment = "Production": not an environment`, "lower case"}},
		{"abbreviated", "prod-eu", MapSource{KeyCluster: cluster, KeyEnvironment: "prod"},
			[]string{`market-bus:environment = "prod"`, "use production, staging or development"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.stack, tc.src)
			if err == nil {
				t.Fatal("accepted")
			}
			wantKeys(t, err, Key(KeyEnvironment))
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\n does not mention %q", err, w)
				}
			}
		})
	}
}

// prodEU is the shipped prod stack file under another name: only its declared environment
// says it is production.
func prodEU(t *testing.T) MapSource {
	t.Helper()
	src := stackFileSource(t, "Pulumi.prod.yaml")
	if src[KeyEnvironment] != stackenv.Production {
		t.Fatalf("Pulumi.prod.yaml declares environment %q, want production", src[KeyEnvironment])
	}
	src[KeySASLPassword], src[KeyGrafanaToken] = "s3cret", "glsa_token"
	return src
}

// TestProdEUGetsTheProductionGuards: a stack named prod-eu that declares production is
// refused what prod is refused (plaintext, too few brokers, a small disk, plaintext to an
// external cluster), and the same config declaring development is not.
func TestProdEUGetsTheProductionGuards(t *testing.T) {
	spec, err := Load("prod-eu", prodEU(t))
	if err != nil {
		t.Fatalf("prod-eu with the prod stack file: %v", err)
	}
	if !spec.IsProduction() {
		t.Fatalf("prod-eu declaring production: IsProduction false")
	}
	// tls: false is explicit: a production stack otherwise takes prod's default, TLS on.
	external := `{"mode":"external","brokers":3,"tls":false,"bootstrapServers":["k1.example.com:9092"],"schemaRegistryUrl":"https://sr.example.com"}`
	cases := []struct {
		name    string
		cluster func(map[string]any)
		raw     string
		keys    []string
		want    string
	}{
		{"tls off", func(c map[string]any) { c["tls"] = false }, "", k("cluster.tls"), "a Production cluster would serve every listener in plaintext"},
		{"one broker", func(c map[string]any) { c["brokers"] = 1 }, "", k("cluster.brokers", "topics[0].replicationFactor", "topics[1].replicationFactor"),
			"a Production cluster needs at least 3 brokers"},
		{"20 GiB disk", func(c map[string]any) { c["storageSize"] = "20Gi" }, "", k("cluster.storageSize"), "below the 50 GiB floor"},
		{"external without tls", nil, external, k("cluster.tls"), "market-bus:cluster.tls = false: the stack's environment is production"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := prodEU(t)
			raw := tc.raw
			if tc.cluster != nil {
				var c map[string]any
				if err := json.Unmarshal([]byte(src[KeyCluster]), &c); err != nil {
					t.Fatal(err)
				}
				tc.cluster(c)
				b, _ := json.Marshal(c)
				raw = string(b)
			}
			src[KeyCluster] = raw
			_, err := Load("prod-eu", src)
			wantKeys(t, err, tc.keys...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("production: %v, want %q", err, tc.want)
			}
			src[KeyEnvironment] = stackenv.Development
			if _, err := Load("prod-eu", src); err != nil && strings.Contains(err.Error(), tc.want) {
				t.Errorf("development refused what only production refuses: %v", err)
			}
		})
	}
}

// TestProgramProdEU runs the program of a prod-eu stack declaring production under mocks:
// the provider dials with TLS and SASL, topics are protected from deletion by default.
func TestProgramProdEU(t *testing.T) {
	t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
	rec, err := runProgram(t, "prod-eu", prodEU(t))
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	prov := rec.reg["pulumi:providers:marketbus::marketbus"].Inputs
	if !prov["tls"].ObjectValue()["enabled"].BoolValue() || !prov["sasl"].ObjectValue()["password"].IsSecret() {
		t.Errorf("prod-eu provider tls/sasl = %v / %v, want TLS and a secret SASL password", prov["tls"], prov["sasl"])
	}
	topics := findType(rec, "marketbus:index:Topic")
	if len(topics) == 0 {
		t.Fatal("no topics registered")
	}
	for _, r := range topics {
		if r.Name != "gate-topic" && !r.Inputs["deletionProtection"].BoolValue() {
			t.Errorf("prod-eu topic %s is not protected from deletion", r.Name)
		}
	}
}
