package cluster

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ComposeFile is the model of a Compose file (the Compose specification's
// top-level elements this project uses). Services are written from the
// same DockerContainer values the Docker backend creates, by AddContainer.
type ComposeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]ComposeService `yaml:"services"`
	Networks map[string]ComposeNetwork `yaml:"networks,omitempty"`
	Volumes  map[string]ComposeVolume  `yaml:"volumes,omitempty"`
	Configs  map[string]ComposeConfig  `yaml:"configs,omitempty"`
	Secrets  map[string]ComposeSecret  `yaml:"secrets,omitempty"`
}

// ComposeService is one service.
type ComposeService struct {
	Image           string                      `yaml:"image"`
	ContainerName   string                      `yaml:"container_name,omitempty"`
	Hostname        string                      `yaml:"hostname,omitempty"`
	Entrypoint      []string                    `yaml:"entrypoint,omitempty"`
	Command         []string                    `yaml:"command,omitempty"`
	Environment     []string                    `yaml:"environment,omitempty"`
	Networks        map[string]ComposeAttach    `yaml:"networks,omitempty"`
	Ports           []ComposePort               `yaml:"ports,omitempty"`
	Volumes         []ComposeMount              `yaml:"volumes,omitempty"`
	Configs         []ComposeFileRef            `yaml:"configs,omitempty"`
	Secrets         []ComposeFileRef            `yaml:"secrets,omitempty"`
	MemLimit        string                      `yaml:"mem_limit,omitempty"`
	MemswapLimit    string                      `yaml:"memswap_limit,omitempty"`
	CPUs            string                      `yaml:"cpus,omitempty"`
	Healthcheck     *ComposeHealthcheck         `yaml:"healthcheck,omitempty"`
	DependsOn       map[string]ComposeDependsOn `yaml:"depends_on,omitempty"`
	Restart         string                      `yaml:"restart,omitempty"`
	StopGracePeriod string                      `yaml:"stop_grace_period,omitempty"`
	Labels          map[string]string           `yaml:"labels,omitempty"`
}

// ComposeAttach attaches a service to a network under aliases.
type ComposeAttach struct {
	Aliases []string `yaml:"aliases,omitempty"`
}

// ComposePort is the long port syntax.
type ComposePort struct {
	Target    int    `yaml:"target"`
	Published string `yaml:"published"`
	HostIP    string `yaml:"host_ip,omitempty"`
	Protocol  string `yaml:"protocol,omitempty"`
}

// ComposeMount is the long volume syntax for a named volume.
type ComposeMount struct {
	Type   string `yaml:"type"`
	Source string `yaml:"source"`
	Target string `yaml:"target"`
}

// ComposeFileRef mounts a top-level config or secret at Target.
type ComposeFileRef struct {
	Source string `yaml:"source"`
	Target string `yaml:"target"`
	Mode   string `yaml:"mode,omitempty"`
}

// ComposeHealthcheck is a service healthcheck.
type ComposeHealthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval,omitempty"`
	Timeout     string   `yaml:"timeout,omitempty"`
	Retries     int      `yaml:"retries,omitempty"`
	StartPeriod string   `yaml:"start_period,omitempty"`
}

// ComposeDependsOn is the long depends_on syntax.
type ComposeDependsOn struct {
	Condition string `yaml:"condition"`
}

// ComposeNetwork is a top-level network with a fixed name.
type ComposeNetwork struct {
	Name   string            `yaml:"name"`
	Driver string            `yaml:"driver,omitempty"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

// ComposeVolume is a top-level named volume with a fixed name.
type ComposeVolume struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

// ComposeConfig is a top-level config with inline content.
type ComposeConfig struct {
	Content string `yaml:"content"`
}

// ComposeSecret is a top-level secret read from the environment of
// `docker compose` (Environment) or from a file (File).
type ComposeSecret struct {
	Environment string `yaml:"environment,omitempty"`
	File        string `yaml:"file,omitempty"`
}

// Service states depends_on can wait for.
const (
	ComposeServiceHealthy = "service_healthy"
	// composeManagedBy replaces the managed-by label: Compose, not Pulumi,
	// owns what the file creates.
	composeManagedBy = "docker-compose"
	// composeNetworkKey is the network's key inside the file.
	composeNetworkKey = "redpanda"
)

// ComposeCluster starts a Compose file named project holding the rendered
// cluster: one service per broker (keyed by its hostname), its data volume
// and its bootstrap file, on the cluster's network.
func ComposeCluster(project string, d DockerCluster) (*ComposeFile, error) {
	f := &ComposeFile{
		Name:     project,
		Services: map[string]ComposeService{},
		Networks: map[string]ComposeNetwork{composeNetworkKey: {
			Name: d.Network.Name, Driver: d.Network.Driver, Labels: composeLabels(d.Network.Labels),
		}},
		Volumes: map[string]ComposeVolume{},
		Configs: map[string]ComposeConfig{},
	}
	for i, c := range d.Containers {
		v := d.Volumes[i]
		f.Volumes[v.Name] = ComposeVolume{Name: v.Name, Labels: composeLabels(v.Labels)}
		if c.Image == "" {
			c.Image = d.Image
		}
		if err := f.AddContainer(c.Hostname, c, nil); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// AddContainer writes c as service key on the cluster's network. Its files
// become configs with inline content, its named volumes must already be in
// f.Volumes, and a Secret environment entry is refused: the caller turns
// it into a secrets reference first (see ComposeSecret). dependsOn lists
// services that must be healthy before this one starts.
func (f *ComposeFile) AddContainer(key string, c DockerContainer, dependsOn []string) error {
	if _, dup := f.Services[key]; dup {
		return fmt.Errorf("compose: service %q twice", key)
	}
	s := ComposeService{
		Image:         c.Image,
		ContainerName: c.Name,
		Hostname:      c.Hostname,
		Entrypoint:    escapeAll(c.Entrypoint),
		Command:       escapeAll(c.Command),
		Networks:      map[string]ComposeAttach{composeNetworkKey: {Aliases: []string{c.Hostname}}},
		CPUs:          c.CPUs,
		Restart:       c.Restart,
		Labels:        composeLabels(c.Labels),
		Healthcheck: &ComposeHealthcheck{
			Test:        escapeAll(c.Healthcheck.Test),
			Interval:    c.Healthcheck.Interval,
			Timeout:     c.Healthcheck.Timeout,
			Retries:     c.Healthcheck.Retries,
			StartPeriod: c.Healthcheck.StartPeriod,
		},
	}
	if c.MemoryMiB > 0 {
		s.MemLimit = fmt.Sprintf("%dm", c.MemoryMiB)
	}
	if c.MemorySwapMiB > 0 {
		s.MemswapLimit = fmt.Sprintf("%dm", c.MemorySwapMiB)
	}
	if c.StopGraceSeconds > 0 {
		s.StopGracePeriod = fmt.Sprintf("%ds", c.StopGraceSeconds)
	}
	for _, e := range c.Env {
		if e.Secret {
			return fmt.Errorf("compose: service %q: %s is a secret: pass it as a secrets: reference, never a value", key, e.Name)
		}
		s.Environment = append(s.Environment, escape(e.Name+"="+e.Value))
	}
	for _, sec := range c.Secrets {
		s.Secrets = append(s.Secrets, ComposeFileRef{Source: sec.Name, Target: sec.Path(), Mode: "0400"})
		if f.Secrets == nil {
			f.Secrets = map[string]ComposeSecret{}
		}
		f.Secrets[sec.Name] = ComposeSecret{Environment: sec.ComposeEnv}
	}
	for _, p := range c.Ports {
		s.Ports = append(s.Ports, ComposePort{Target: p.ContainerPort, Published: fmt.Sprint(p.HostPort), HostIP: p.HostIP, Protocol: p.Protocol})
	}
	for _, m := range c.Mounts {
		if _, ok := f.Volumes[m.Volume]; !ok {
			return fmt.Errorf("compose: service %q mounts volume %q, which the file does not declare", key, m.Volume)
		}
		s.Volumes = append(s.Volumes, ComposeMount{Type: "volume", Source: m.Volume, Target: m.Target})
	}
	for _, file := range c.Files {
		if err := f.AddConfig(&s, key, file); err != nil {
			return err
		}
	}
	for _, dep := range dependsOn {
		if s.DependsOn == nil {
			s.DependsOn = map[string]ComposeDependsOn{}
		}
		s.DependsOn[dep] = ComposeDependsOn{Condition: ComposeServiceHealthy}
	}
	f.Services[key] = s
	return nil
}

// AddConfig declares file as a config named after the service and the
// file's path, and mounts it into s.
func (f *ComposeFile) AddConfig(s *ComposeService, service string, file DockerFile) error {
	name := service + "-" + configName.ReplaceAllString(strings.Trim(file.Path, "/."), "-")
	if _, dup := f.Configs[name]; dup {
		return fmt.Errorf("compose: service %q has two files named like %s", service, file.Path)
	}
	f.Configs[name] = ComposeConfig{Content: escape(file.Content)}
	s.Configs = append(s.Configs, ComposeFileRef{Source: name, Target: file.Path, Mode: file.Mode})
	return nil
}

// Marshal renders f as YAML after header, a comment block (each line gets
// "# "). Map keys come out sorted, so the file is stable across runs.
func (f *ComposeFile) Marshal(header string) ([]byte, error) {
	var buf bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		buf.WriteString(strings.TrimRight("# "+l, " ") + "\n")
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	return buf.Bytes(), nil
}

// ServiceKeys lists f's services in order.
func (f *ComposeFile) ServiceKeys() []string {
	keys := make([]string, 0, len(f.Services))
	for k := range f.Services {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// configName matches what a config name may not hold.
var configName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// composeLabels copies labels with managed-by saying Compose.
func composeLabels(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	if _, ok := out["app.kubernetes.io/managed-by"]; ok {
		out["app.kubernetes.io/managed-by"] = composeManagedBy
	}
	return out
}

// escape keeps Compose from interpolating a "$" that is part of a value
// (a rule's $labels, a dashboard's $__rate_interval): "$$" is a literal "$".
func escape(s string) string { return strings.ReplaceAll(s, "$", "$$") }

func escapeAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = escape(s)
	}
	return out
}
