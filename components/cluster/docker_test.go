package cluster

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

const (
	componentURN = "urn:pulumi:dev::market-bus::marketbus:cluster:RedpandaCluster::bus"
	// childURN prefixes the URNs of the component's children.
	childURN = "urn:pulumi:dev::market-bus::marketbus:cluster:RedpandaCluster$"
)

func TestDockerResourcesGolden(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(m.sorted(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// Every input and option of every resource: a flag, port, mount or
	// option that moves fails here even where no assertion below looks.
	golden(t, "docker3-resources.json", append(got, '\n'))
}

func TestDockerResourceSet(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range m.sorted() {
		got = append(got, r.Type+" "+r.Name)
	}
	want := []string{
		"docker:index/container:Container bus-broker-0",
		"docker:index/container:Container bus-broker-1",
		"docker:index/container:Container bus-broker-2",
		"docker:index/network:Network bus-network",
		"docker:index/remoteImage:RemoteImage bus-image",
		"docker:index/volume:Volume bus-data-0",
		"docker:index/volume:Volume bus-data-1",
		"docker:index/volume:Volume bus-data-2",
		"marketbus:cluster:RedpandaCluster bus",
		"test:index:Consumer consumer",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources:\n got  %q\n want %q", got, want)
	}
	// The hook cannot tell who called it: once for the root stack, once
	// for the component.
	if m.outputsCalled != 2 {
		t.Errorf("RegisterResourceOutputs called %d times, want 2 (stack and component)", m.outputsCalled)
	}
	for _, r := range m.sorted() {
		if r.Custom && r.Type != "test:index:Consumer" && r.Parent != componentURN {
			t.Errorf("%s parent = %q, want the component", r.Name, r.Parent)
		}
	}
}

func TestDockerNetworkAndImage(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	nw, _ := m.byName("bus-network")
	wantNW := map[string]any{
		"name":   "market-bus-dev-redpanda",
		"driver": "bridge",
		"labels": labelList(ClusterLabels("bus", "dev")),
	}
	assertInputs(t, nw, wantNW)
	if !nw.DeleteBeforeReplace {
		t.Error("network: a fixed-name network must be deleted before it is replaced")
	}
	img, _ := m.byName("bus-image")
	assertInputs(t, img, map[string]any{"name": "redpandadata/redpanda:v25.2.1", "keepLocally": true})
}

func TestDockerVolumesRetainOnDelete(t *testing.T) {
	tests := []struct {
		name   string
		optOut bool
		retain bool
	}{
		{"retained by default", false, true},
		{"opt-out deletes", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := devArgs()
			a.RetainVolumes = ptr(!tt.optOut)
			m, _, err := deploy(t, a)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				v, ok := m.byName(fmt.Sprintf("bus-data-%d", i))
				if !ok {
					t.Fatalf("volume %d missing", i)
				}
				if v.RetainOnDelete != tt.retain {
					t.Errorf("volume %d retainOnDelete = %v, want %v", i, v.RetainOnDelete, tt.retain)
				}
				assertInputs(t, v, map[string]any{
					"name":   fmt.Sprintf("market-bus-dev-redpanda-%d-data", i),
					"labels": labelList(BrokerLabels("bus", "dev", i)),
				})
			}
		})
	}
}

func TestDockerContainers(t *testing.T) {
	m, _, err := deploy(t, devArgs())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i                             int
		kafka, schema, proxy, adminHP float64
	}{
		{0, 19092, 18081, 18082, 19644},
		{1, 29092, 28081, 28082, 29644},
		{2, 39092, 38081, 38082, 39644},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("broker-%d", tt.i), func(t *testing.T) {
			c, ok := m.byName(fmt.Sprintf("bus-broker-%d", tt.i))
			if !ok {
				t.Fatal("container missing")
			}
			host := fmt.Sprintf("redpanda-%d", tt.i)
			port := func(internal, external float64) map[string]any {
				return map[string]any{"internal": internal, "external": external, "ip": "127.0.0.1", "protocol": "tcp"}
			}
			assertInputs(t, c, map[string]any{
				"name":     fmt.Sprintf("market-bus-dev-redpanda-%d", tt.i),
				"image":    fakeImageID,
				"hostname": host,
				"command":  anyList(readGoldenLines(t, fmt.Sprintf("docker3-broker-%d.flags", tt.i))),
				"networksAdvanced": []any{map[string]any{
					"name": "market-bus-dev-redpanda", "aliases": []any{host},
				}},
				// Sorted by container port, the order the provider reads back.
				"ports": []any{
					port(9644, tt.adminHP), port(tt.schema, tt.schema), port(tt.proxy, tt.proxy), port(tt.kafka, tt.kafka),
				},
				"volumes": []any{map[string]any{
					"volumeName":    fmt.Sprintf("market-bus-dev-redpanda-%d-data", tt.i),
					"containerPath": "/var/lib/redpanda/data",
				}},
				"uploads": []any{map[string]any{
					"file":        "/etc/redpanda/.bootstrap.yaml",
					"content":     readGolden(t, fmt.Sprintf("docker3-broker-%d.bootstrap.yaml", tt.i)),
					"permissions": "0644",
				}},
				"memory":     2048.0,
				"memorySwap": 2048.0,
				"cpus":       "1",
				"healthcheck": map[string]any{
					"tests":       []any{"CMD-SHELL", "curl -sf http://localhost:9644/v1/status/ready | grep -q ready"},
					"interval":    "10s",
					"timeout":     "5s",
					"retries":     3.0,
					"startPeriod": "120s",
				},
				"wait":                true,
				"waitTimeout":         300.0,
				"restart":             "unless-stopped",
				"stopTimeout":         60.0,
				"destroyGraceSeconds": 60.0,
				"labels": []any{
					label("app.kubernetes.io/component", "broker"),
					label("app.kubernetes.io/instance", "bus"),
					label("app.kubernetes.io/managed-by", "pulumi"),
					label("app.kubernetes.io/name", "redpanda"),
					label("app.kubernetes.io/part-of", "market-bus"),
					label("marketbus/broker-index", fmt.Sprint(tt.i)),
					label("marketbus/stack", "dev"),
				},
			})
			if _, ok := c.Inputs["envs"]; ok {
				t.Errorf("envs = %v, want none: every setting is a flag or the bootstrap file", c.Inputs["envs"])
			}
			if !c.DeleteBeforeReplace {
				t.Error("a container with a fixed name and host ports must be deleted before it is replaced")
			}
			wantDeps := []string{
				childURN + "docker:index/network:Network::bus-network",
				childURN + "docker:index/remoteImage:RemoteImage::bus-image",
				childURN + fmt.Sprintf("docker:index/volume:Volume::bus-data-%d", tt.i),
			}
			if !reflect.DeepEqual(c.Dependencies, wantDeps) {
				t.Errorf("dependencies = %q, want only network, image and its own volume %q", c.Dependencies, wantDeps)
			}
		})
	}
	// The broker-1 command spelled out, so a reader sees the contract
	// without opening testdata.
	c, _ := m.byName("bus-broker-1")
	want := []string{
		"redpanda", "start",
		"--kafka-addr", "internal://0.0.0.0:9092,external://0.0.0.0:29092",
		"--advertise-kafka-addr", "internal://redpanda-1:9092,external://localhost:29092",
		"--pandaproxy-addr", "internal://0.0.0.0:8082,external://0.0.0.0:28082",
		"--advertise-pandaproxy-addr", "internal://redpanda-1:8082,external://localhost:28082",
		"--schema-registry-addr", "internal://0.0.0.0:8081,external://0.0.0.0:28081",
		"--rpc-addr", "0.0.0.0:33145",
		"--advertise-rpc-addr", "redpanda-1:33145",
		"--seeds", "redpanda-0:33145,redpanda-1:33145,redpanda-2:33145",
		"--smp", "1",
		"--memory", "1843M",
		"--reserve-memory", "0M",
		"--overprovisioned",
		"--default-log-level=info",
		"--set", "redpanda.empty_seed_starts_cluster=false",
		"--set", `pandaproxy_client.brokers=[{"address":"redpanda-0","port":9092},{"address":"redpanda-1","port":9092},{"address":"redpanda-2","port":9092}]`,
		"--set", `schema_registry_client.brokers=[{"address":"redpanda-0","port":9092},{"address":"redpanda-1","port":9092},{"address":"redpanda-2","port":9092}]`,
	}
	if got := c.Inputs["command"]; !reflect.DeepEqual(got, anyList(want)) {
		t.Errorf("broker-1 command:\n got  %v\n want %v", got, want)
	}
	wantBootstrap := `auto_create_topics_enabled: false
`
	if got := c.Inputs["uploads"].([]any)[0].(map[string]any)["content"]; got != wantBootstrap {
		t.Errorf("bootstrap:\n%v\nwant\n%v", got, wantBootstrap)
	}
}
