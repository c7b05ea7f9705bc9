package cluster

import (
	"reflect"
	"strings"
	"testing"
)

// TestDockerRackFlags: a configured rack per broker becomes that broker's --set redpanda.rack
// (RenderDocker is exactly what the Docker backend creates) and turns on rack awareness.
func TestDockerRackFlags(t *testing.T) {
	a := devArgs()
	a.Racks = []string{"zone-a", "zone-b", "zone-c"}
	dc, _, err := RenderDocker("market-bus", "dev", "redpanda", a)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range dc.Containers {
		cmd := strings.Join(c.Command, " ")
		want := "--set redpanda.rack=" + a.Racks[i]
		if !strings.HasSuffix(cmd, want) {
			t.Errorf("broker %d command ends %q, want %q", i, cmd[max(0, len(cmd)-40):], want)
		}
	}
	if got := ClusterProperties(a.Topology())["enable_rack_awareness"]; got != true {
		t.Errorf("enable_rack_awareness = %v, want true", got)
	}
	if _, on := ClusterProperties(devArgs().Topology())["enable_rack_awareness"]; on {
		t.Error("rack awareness is on without racks")
	}
}

func TestRackValidation(t *testing.T) {
	cases := []struct {
		name  string
		setup func(*Args)
		want  string
	}{
		{"too few racks", func(a *Args) { a.Racks = []string{"a", "b"} }, "2 racks for 3 brokers"},
		{"blank rack", func(a *Args) { a.Racks = []string{"a", "", "c"} }, "broker 1's rack is empty"},
		{"racks on kubernetes", func(a *Args) { *a = prodArgs(); a.Racks = []string{"a", "b", "c"} }, "RackAwareness"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := devArgs()
			tc.setup(&a)
			err := Validate(a)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "racks") {
				t.Errorf("Validate = %v, want racks and %q", err, tc.want)
			}
		})
	}
}

// TestKubernetesRackFromZone: with RackAwareness each pod reads its node's zone label through
// the downward API and the entrypoint passes it as redpanda.rack; without, neither is
// rendered and the pod template is what it was.
func TestKubernetesRackFromZone(t *testing.T) {
	on := prodArgs()
	on.RackAwareness = true
	withRack, _ := deployProd(t, on)
	without, _ := deployProd(t, prodArgs())
	envOf := func(m *recordingMocks) []any {
		c := dig(t, mustGet(t, m, "bus-statefulset").Inputs, "spec", "template", "spec", "containers", 0).(map[string]any)
		env, _ := c["env"].([]any)
		return env
	}
	wantEnv := map[string]any{"name": RackEnv, "valueFrom": map[string]any{"fieldRef": map[string]any{
		"fieldPath": "metadata.labels['topology.kubernetes.io/zone']"}}}
	found := false
	for _, e := range envOf(withRack) {
		if reflect.DeepEqual(e, wantEnv) {
			found = true
		}
	}
	if !found {
		t.Errorf("broker env %v lacks %v", envOf(withRack), wantEnv)
	}
	for _, e := range envOf(without) {
		if e.(map[string]any)["name"] == RackEnv {
			t.Errorf("rack env rendered without RackAwareness")
		}
	}
	entry := dig(t, mustGet(t, withRack, "bus-config").Inputs, "data", EntrypointFile).(string)
	if !strings.Contains(entry, `args+=(--set "redpanda.rack=${REDPANDA_RACK}")`) || strings.Index(entry, "redpanda.rack") > strings.Index(entry, "exec rpk") {
		t.Errorf("entrypoint does not pass the zone as the rack before exec:\n%s", entry)
	}
	if got := dig(t, mustGet(t, without, "bus-config").Inputs, "data", EntrypointFile); got != RenderEntrypoint() {
		t.Errorf("entrypoint changed without RackAwareness:\n%v", got)
	}
	if got := ClusterProperties(on.Topology())["enable_rack_awareness"]; got != true {
		t.Errorf("enable_rack_awareness = %v, want true", got)
	}
}
