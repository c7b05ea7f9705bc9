package cluster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// composeOf renders devArgs as the Docker backend would for instance "bus"
// of stack dev, and as a Compose file, decoded back from its YAML.
func composeOf(t *testing.T, a Args) (DockerCluster, ComposeFile) {
	t.Helper()
	d, _, err := RenderDocker("market-bus", "dev", "bus", a)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ComposeCluster("market-bus-dev", d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Marshal("test")
	if err != nil {
		t.Fatal(err)
	}
	var back ComposeFile
	if err := yaml.Unmarshal(b, &back); err != nil {
		t.Fatalf("the Compose file is not YAML: %v\n%s", err, b)
	}
	return d, back
}

// TestComposeBrokerCommandsMatchDockerGolden: each broker's command in the
// Compose file is the command the mock test records for the dev stack's
// container, and the golden flags file pins (docker3-broker-N.flags).
func TestComposeBrokerCommandsMatchDockerGolden(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	_, f := composeOf(t, devArgs())
	for i := 0; i < 3; i++ {
		t.Run(fmt.Sprintf("broker-%d", i), func(t *testing.T) {
			s, ok := f.Services[fmt.Sprintf("redpanda-%d", i)]
			if !ok {
				t.Fatalf("no service redpanda-%d: %v", i, f.ServiceKeys())
			}
			golden := readGoldenLines(t, fmt.Sprintf("docker3-broker-%d.flags", i))
			if !reflect.DeepEqual(s.Command, golden) {
				t.Errorf("compose command differs from docker3-broker-%d.flags:\n got  %q\n want %q", i, s.Command, golden)
			}
			c, _ := m.byName(fmt.Sprintf("bus-broker-%d", i))
			if got := anyList(s.Command); !reflect.DeepEqual(c.Inputs["command"], got) {
				t.Errorf("compose command differs from the container's:\n compose %v\n docker  %v", got, c.Inputs["command"])
			}
		})
	}
}

// TestComposeBrokerMatchesContainer compares every other setting of a
// Compose broker with the container inputs the mock test records.
func TestComposeBrokerMatchesContainer(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	_, f := composeOf(t, devArgs())
	for i := 0; i < 3; i++ {
		s := f.Services[fmt.Sprintf("redpanda-%d", i)]
		c, _ := m.byName(fmt.Sprintf("bus-broker-%d", i))
		in := c.Inputs
		tests := []struct {
			field     string
			got, want any
		}{
			{"image", s.Image, "redpandadata/redpanda:v25.2.1"},
			{"container_name", s.ContainerName, in["name"]},
			{"hostname", s.Hostname, in["hostname"]},
			{"aliases", anyList(s.Networks["redpanda"].Aliases), in["networksAdvanced"].([]any)[0].(map[string]any)["aliases"]},
			{"network", f.Networks["redpanda"].Name, in["networksAdvanced"].([]any)[0].(map[string]any)["name"]},
			{"mem_limit", s.MemLimit, fmt.Sprintf("%vm", in["memory"])},
			{"memswap_limit", s.MemswapLimit, fmt.Sprintf("%vm", in["memorySwap"])},
			{"cpus", s.CPUs, in["cpus"]},
			{"restart", s.Restart, in["restart"]},
			{"stop_grace_period", s.StopGracePeriod, fmt.Sprintf("%vs", in["stopTimeout"])},
			{"healthcheck.test", anyList(s.Healthcheck.Test), in["healthcheck"].(map[string]any)["tests"]},
			{"healthcheck.interval", s.Healthcheck.Interval, in["healthcheck"].(map[string]any)["interval"]},
			{"healthcheck.start_period", s.Healthcheck.StartPeriod, in["healthcheck"].(map[string]any)["startPeriod"]},
			{"healthcheck.retries", float64(s.Healthcheck.Retries), in["healthcheck"].(map[string]any)["retries"]},
			{"volume", s.Volumes[0].Source, in["volumes"].([]any)[0].(map[string]any)["volumeName"]},
			{"volume target", s.Volumes[0].Target, in["volumes"].([]any)[0].(map[string]any)["containerPath"]},
			{"bootstrap path", s.Configs[0].Target, in["uploads"].([]any)[0].(map[string]any)["file"]},
			{"bootstrap content", f.Configs[s.Configs[0].Source].Content, in["uploads"].([]any)[0].(map[string]any)["content"]},
			{"bootstrap mode", s.Configs[0].Mode, in["uploads"].([]any)[0].(map[string]any)["permissions"]},
		}
		for _, tt := range tests {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("broker %d %s: compose %#v, container %#v", i, tt.field, tt.got, tt.want)
			}
		}
		var ports []any
		for _, p := range s.Ports {
			ports = append(ports, map[string]any{"internal": float64(p.Target), "external": float64(mustAtoi(t, p.Published)), "ip": p.HostIP, "protocol": p.Protocol})
		}
		if !reflect.DeepEqual(ports, in["ports"]) {
			t.Errorf("broker %d ports: compose %v, container %v", i, ports, in["ports"])
		}
		if s.Labels["app.kubernetes.io/managed-by"] != "docker-compose" || s.Labels["marketbus/broker-index"] != fmt.Sprint(i) {
			t.Errorf("broker %d labels = %v", i, s.Labels)
		}
		if f.Volumes[s.Volumes[0].Source].Name != s.Volumes[0].Source {
			t.Errorf("broker %d volume %q has name %q", i, s.Volumes[0].Source, f.Volumes[s.Volumes[0].Source].Name)
		}
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return n
}

// TestComposePortsFollowTheRenderer: where the renderer binds the host
// ports, the Compose file binds them too.
func TestComposePortsFollowTheRenderer(t *testing.T) {
	tests := []struct {
		externalHost string
		wantIP       string
	}{
		{"localhost", "127.0.0.1"},
		{"127.0.0.1", "127.0.0.1"},
		{"bus.example.internal", "0.0.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.externalHost, func(t *testing.T) {
			a := devArgs()
			a.ExternalHost = tt.externalHost
			if !isLoopback(tt.externalHost) {
				withSASL(&a) // a LAN host needs authentication
			}
			d, f := composeOf(t, a)
			for _, c := range d.Containers {
				for j, p := range f.Services[c.Hostname].Ports {
					if p.HostIP != tt.wantIP || p.HostIP != c.Ports[j].HostIP {
						t.Errorf("%s port %d host_ip = %q, renderer %q, want %q", c.Hostname, p.Target, p.HostIP, c.Ports[j].HostIP, tt.wantIP)
					}
				}
			}
		})
	}
}

// TestComposeEscapesDollars: Compose interpolates "$"; a value that holds
// one is written as "$$" so the container sees the rendered value.
func TestComposeEscapesDollars(t *testing.T) {
	f := &ComposeFile{Name: "x", Services: map[string]ComposeService{}, Volumes: map[string]ComposeVolume{}, Configs: map[string]ComposeConfig{}}
	err := f.AddContainer("svc", DockerContainer{
		Name: "svc", Hostname: "svc", Image: "busybox:1.36",
		Command: []string{"echo", "$HOME"},
		Env:     []DockerEnv{{Name: "A", Value: "${B}"}},
		Files:   []DockerFile{{Path: "/etc/x.yml", Content: "summary: {{ $labels.instance }}", Mode: "0644"}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Services["svc"]
	if s.Command[1] != "$$HOME" || s.Environment[0] != "A=$${B}" || f.Configs["svc-etc-x-yml"].Content != "summary: {{ $$labels.instance }}" {
		t.Errorf("not escaped: command %q env %q config %q", s.Command, s.Environment, f.Configs)
	}
}

// TestComposeRefusesSecretValues: a Secret env entry has no value to write;
// the writer refuses it rather than write an empty password.
func TestComposeRefusesSecretValues(t *testing.T) {
	f := &ComposeFile{Name: "x", Services: map[string]ComposeService{}, Configs: map[string]ComposeConfig{}}
	err := f.AddContainer("svc", DockerContainer{Name: "svc", Image: "busybox:1.36", Env: []DockerEnv{{Name: "PASSWORD", Secret: true}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "PASSWORD is a secret") {
		t.Errorf("error = %v, want a refusal naming PASSWORD", err)
	}
}

// TestRenderDockerRefusesInvalidArgs: the renderer validates like the
// constructor, so no tool writes a cluster `up` would refuse.
func TestRenderDockerRefusesInvalidArgs(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Args)
		want   string
	}{
		{"kubernetes backend", func(a *Args) { a.Mode = ModeKubernetes }, "only \"docker\""},
		{"latest image", func(a *Args) { a.Image = "redpandadata/redpanda:latest" }, "image = "},
		{"too little memory", func(a *Args) { a.Memory = bytesOf(gib) }, "memory = "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := devArgs()
			tt.mutate(&a)
			_, _, err := RenderDocker("market-bus", "dev", "bus", a)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one naming %s", err, tt.want)
			}
		})
	}
}
