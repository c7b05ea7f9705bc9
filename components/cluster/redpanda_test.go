package cluster

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TestGoldenDocker3 pins the flags and bootstrap YAML of every broker of
// the dev topology. Update with: go test ./components/cluster/ -run TestGolden -update
func TestGoldenDocker3(t *testing.T) {
	brokers, err := RenderCluster(devArgs().withDefaults().Topology())
	if err != nil {
		t.Fatal(err)
	}
	if len(brokers) != 3 {
		t.Fatalf("got %d brokers, want 3", len(brokers))
	}
	for _, b := range brokers {
		golden(t, fmt.Sprintf("docker3-broker-%d.flags", b.Index), []byte(strings.Join(b.Args, "\n")+"\n"))
		golden(t, fmt.Sprintf("docker3-broker-%d.bootstrap.yaml", b.Index), []byte(b.BootstrapYAML))
	}
	profile, err := RenderRpkProfile("market-bus-dev", "", brokers)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "docker3-rpk-profile.yaml", []byte(profile))
}

func TestRenderBrokerDockerAddresses(t *testing.T) {
	brokers, err := RenderCluster(devArgs().withDefaults().Topology())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i                             int
		host                          string
		kafka, schema, proxy, adminHP int
	}{
		{0, "redpanda-0", 19092, 18081, 18082, 19644},
		{1, "redpanda-1", 29092, 28081, 28082, 29644},
		{2, "redpanda-2", 39092, 38081, 38082, 39644},
	}
	wantSeeds := []Endpoint{{"redpanda-0", 33145}, {"redpanda-1", 33145}, {"redpanda-2", 33145}}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			b := brokers[tt.i]
			wantKafka := []Listener{
				{"internal", Endpoint{"0.0.0.0", 9092}, Endpoint{tt.host, 9092}, ""},
				{"external", Endpoint{"0.0.0.0", tt.kafka}, Endpoint{"localhost", tt.kafka}, ""},
			}
			if !reflect.DeepEqual(b.Kafka, wantKafka) {
				t.Errorf("kafka listeners = %+v, want %+v", b.Kafka, wantKafka)
			}
			wantPub := []PortMapping{
				{"kafka", tt.kafka, tt.kafka},
				{"schema-registry", tt.schema, tt.schema},
				{"http-proxy", tt.proxy, tt.proxy},
				{"admin", tt.adminHP, 9644},
			}
			if !reflect.DeepEqual(b.Published, wantPub) {
				t.Errorf("published = %+v, want %+v", b.Published, wantPub)
			}
			if !reflect.DeepEqual(b.Seeds, wantSeeds) {
				t.Errorf("seeds = %v, want every broker %v", b.Seeds, wantSeeds)
			}
			if got, want := b.RPC, (Listener{Bind: Endpoint{"0.0.0.0", 33145}, Advertise: Endpoint{tt.host, 33145}}); got != want {
				t.Errorf("rpc = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRedpandaMemoryMiB(t *testing.T) {
	tests := []struct {
		name    string
		r       Resources
		want    int64
		wantErr string
	}{
		{"chart example 10Gi", Resources{CPUCores: 2, MemoryLimitBytes: 10 * gib}, 9216, ""},
		{"research prod 3Gi", Resources{CPUCores: 1, MemoryLimitBytes: 3 * gib}, 2764, ""},
		{"floor 2Gi", Resources{CPUCores: 1, MemoryLimitBytes: 2 * gib}, 1843, ""},
		{"override", Resources{CPUCores: 1, MemoryLimitBytes: 4 * gib, RedpandaMemoryBytes: 3 * gib}, 3072, ""},
		{"override at 90%", Resources{CPUCores: 1, MemoryLimitBytes: 10 * gib, RedpandaMemoryBytes: 9216 * mib}, 9216, ""},
		{"below 2GiB per core", Resources{CPUCores: 2, MemoryLimitBytes: 3 * gib}, 0, "below the 2 GiB per core"},
		{"override does not fit", Resources{CPUCores: 1, MemoryLimitBytes: 4 * gib, RedpandaMemoryBytes: 4 * gib}, 0, "--memory=4096M does not fit"},
		{"no cores", Resources{CPUCores: 0, MemoryLimitBytes: 4 * gib}, 0, "needs at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RedpandaMemoryMiB(tt.r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("--memory = %dM, want %dM", got, tt.want)
			}
		})
	}
}

func TestStorageMinFreeBytes(t *testing.T) {
	tests := []struct {
		disk, want int64
	}{
		{50 * gib, 2*gib + gib/2}, // the prod PVC: 2.5 GiB
		{20 * gib, gib},           // the chart's default PVC
		{200 * gib, 5 * gib},      // capped
		{1000, 50},
	}
	for _, tt := range tests {
		if got := StorageMinFreeBytes(tt.disk); got != tt.want {
			t.Errorf("StorageMinFreeBytes(%d) = %d, want %d", tt.disk, got, tt.want)
		}
	}
}

// TestBootstrapConfig: .bootstrap.yaml keeps only what must hold from the
// cluster's first second; everything else is a ClusterProperties entry.
func TestBootstrapConfig(t *testing.T) {
	base := devArgs().withDefaults().Topology()
	tests := []struct {
		name   string
		mutate func(*Topology)
		want   map[string]any
	}{
		{"no SASL", func(*Topology) {}, map[string]any{"auto_create_topics_enabled": false}},
		{"SASL and an authenticated admin API", func(t *Topology) {
			t.SASL.Enabled, t.SASL.Superuser, t.Auth.Admin = true, "admin", AuthHTTPBasic
		}, map[string]any{
			"auto_create_topics_enabled": false,
			"enable_sasl":                true,
			"kafka_enable_authorization": true,
			"superusers":                 []string{"admin"},
			"sasl_mechanisms":            []string{"SCRAM"},
			"admin_api_require_auth":     true,
		}},
		{"extra config and disk stay out", func(t *Topology) {
			t.ExtraClusterConfig = map[string]any{"log_retention_ms": 3600000}
			t.Resources.DiskSizeBytes = 50 * gib
		}, map[string]any{"auto_create_topics_enabled": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := base
			tt.mutate(&topo)
			if got := BootstrapConfig(topo); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bootstrap = %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestClusterProperties(t *testing.T) {
	base := devArgs().withDefaults().Topology()
	tests := []struct {
		name   string
		mutate func(*Topology)
		want   map[string]any
	}{
		{"three brokers, disk unknown", func(*Topology) {}, map[string]any{
			"enable_consumer_group_metrics":              []string{"group", "partition", "consumer_lag"},
			"consumer_group_lag_collection_interval_sec": 60,
			"default_topic_replications":                 3,
		}},
		{"one broker, 50Gi disk", func(t *Topology) { t.Brokers = 1; t.Resources.DiskSizeBytes = 50 * gib }, map[string]any{
			"enable_consumer_group_metrics":              []string{"group", "partition", "consumer_lag"},
			"consumer_group_lag_collection_interval_sec": 60,
			"storage_min_free_bytes":                     int64(2*gib + gib/2),
		}},
		{"extra config wins", func(t *Topology) {
			t.ExtraClusterConfig = map[string]any{"default_topic_replications": 1, "log_retention_ms": 3600000}
		}, map[string]any{
			"enable_consumer_group_metrics":              []string{"group", "partition", "consumer_lag"},
			"consumer_group_lag_collection_interval_sec": 60,
			"default_topic_replications":                 1,
			"log_retention_ms":                           3600000,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := base
			tt.mutate(&topo)
			if got := ClusterProperties(topo); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("properties = %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestStartArgsModes(t *testing.T) {
	tests := []struct {
		name         string
		dev, overpro bool
		want, absent []string
	}{
		{"docker default", false, true, []string{"--overprovisioned"}, []string{"--mode", "dev-container"}},
		{"dev-container implies overprovisioned", true, true, []string{"--mode", "dev-container"}, []string{"--overprovisioned"}},
		{"dedicated cores", false, false, nil, []string{"--mode", "--overprovisioned"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topo := devArgs().withDefaults().Topology()
			topo.DevContainerMode, topo.Overprovisioned = tt.dev, tt.overpro
			b, err := RenderBroker(topo, 0)
			if err != nil {
				t.Fatal(err)
			}
			joined := " " + strings.Join(b.Args, " ") + " "
			for _, w := range tt.want {
				if !strings.Contains(joined, " "+w+" ") {
					t.Errorf("args lack %q: %v", w, b.Args)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(joined, " "+a+" ") {
					t.Errorf("args have %q: %v", a, b.Args)
				}
			}
		})
	}
}

// TestKubernetesFlagsDifferOnlyInAddresses proves the renderer serves both
// backends: the same flags in the same order, values differing only where
// an address or port differs.
func TestKubernetesFlagsDifferOnlyInAddresses(t *testing.T) {
	// The same settings on both: TLS pinned off and the disk size known,
	// where Kubernetes would otherwise default to TLS on and a 50Gi PVC
	// (TestGoldenFlagsDifferOnlyInAddresses compares the defaults).
	k := devArgs()
	k.Mode = ModeKubernetes
	k.TLS = pulumi.BoolRef(false)
	k.StorageSize = MustQuantity(DefaultKubernetesStorage)
	k.Namespace, k.ExternalDomain = "marketbus", "bus.example.com"
	k8s, err := RenderBroker(k.withDefaults().Topology(), 1)
	if err != nil {
		t.Fatal(err)
	}
	d := devArgs()
	d.StorageSize = MustQuantity(DefaultKubernetesStorage)
	dock, err := RenderBroker(d.withDefaults().Topology(), 1)
	if err != nil {
		t.Fatal(err)
	}
	flags := func(args []string) []string {
		var out []string
		for _, a := range args {
			if strings.HasPrefix(a, "--") && a != "--overprovisioned" {
				out = append(out, a)
			}
		}
		return out
	}
	if f, g := flags(k8s.Args), flags(dock.Args); !reflect.DeepEqual(f, g) {
		t.Errorf("flag sequence differs:\nk8s    %v\ndocker %v", f, g)
	}
	fqdn := "redpanda-1.redpanda.marketbus.svc.cluster.local."
	want := map[string]string{
		"--kafka-addr":           "internal://0.0.0.0:9093,external://0.0.0.0:9094",
		"--advertise-kafka-addr": "internal://" + fqdn + ":9093,external://redpanda-1.bus.example.com:31092",
		"--advertise-rpc-addr":   fqdn + ":33145",
		"--seeds": "redpanda-0.redpanda.marketbus.svc.cluster.local.:33145," + fqdn + ":33145," +
			"redpanda-2.redpanda.marketbus.svc.cluster.local.:33145",
	}
	for i := 0; i < len(k8s.Args)-1; i++ {
		if w, ok := want[k8s.Args[i]]; ok && k8s.Args[i+1] != w {
			t.Errorf("%s %s, want %s", k8s.Args[i], k8s.Args[i+1], w)
		}
	}
	if k8s.BootstrapYAML != dock.BootstrapYAML {
		t.Errorf("bootstrap differs between backends:\n%s\n%s", k8s.BootstrapYAML, dock.BootstrapYAML)
	}
}

func TestRenderBrokerRefuses(t *testing.T) {
	topo := devArgs().withDefaults().Topology()
	tests := []struct {
		name    string
		mutate  func(*Topology)
		i       int
		wantErr string
	}{
		{"index past the end", func(*Topology) {}, 3, "index 3 outside 0..2"},
		{"negative index", func(*Topology) {}, -1, "index -1 outside 0..2"},
		{"no addressing", func(t *Topology) { t.Addressing = nil }, 0, "no addressing"},
		{"memory", func(t *Topology) { t.Resources.MemoryLimitBytes = gib }, 0, "memory = 1073741824 (1024 MiB)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := topo
			tt.mutate(&tp)
			_, err := RenderBroker(tp, tt.i)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestClusterEndpoints(t *testing.T) {
	brokers, err := RenderCluster(devArgs().withDefaults().Topology())
	if err != nil {
		t.Fatal(err)
	}
	want := Endpoints{
		InternalBootstrap:      []string{"redpanda-0:9092", "redpanda-1:9092", "redpanda-2:9092"},
		ExternalBootstrap:      []string{"localhost:19092", "localhost:29092", "localhost:39092"},
		SchemaRegistryInternal: []string{"http://redpanda-0:8081", "http://redpanda-1:8081", "http://redpanda-2:8081"},
		SchemaRegistryExternal: []string{"http://localhost:18081", "http://localhost:28081", "http://localhost:38081"},
		AdminInternal:          []string{"http://redpanda-0:9644", "http://redpanda-1:9644", "http://redpanda-2:9644"},
		AdminExternal:          []string{"http://localhost:19644", "http://localhost:29644", "http://localhost:39644"},
		MetricsInternal:        []string{"redpanda-0:9644", "redpanda-1:9644", "redpanda-2:9644"},
		MetricsExternal:        []string{"localhost:19644", "localhost:29644", "localhost:39644"},
	}
	if got := ClusterEndpoints(brokers); !reflect.DeepEqual(got, want) {
		t.Errorf("endpoints = %+v\nwant %+v", got, want)
	}
}

// TestArgsHaveNoWhitespace keeps every argument one word, so the command
// means the same whether or not the image's entrypoint splits words.
func TestArgsHaveNoWhitespace(t *testing.T) {
	k := devArgs()
	k.Mode = ModeKubernetes
	k.Namespace, k.ExternalDomain = "marketbus", "bus.example.com"
	for _, a := range []Args{devArgs(), k} {
		brokers, err := RenderCluster(a.withDefaults().Topology())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range brokers {
			for _, arg := range b.Args {
				if strings.ContainsAny(arg, " \t\n") {
					t.Errorf("%s broker %d: argument %q contains whitespace", a.Mode, b.Index, arg)
				}
			}
		}
	}
}
