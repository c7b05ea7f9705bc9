package cluster

import (
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RackEnv is the broker container's variable holding its node's zone.
const RackEnv = "REDPANDA_RACK"

// rackEnv reads the pod's copy of its node's zone label through the downward API.
func rackEnv() corev1.EnvVarArgs {
	return corev1.EnvVarArgs{
		Name: pulumi.String(RackEnv),
		ValueFrom: &corev1.EnvVarSourceArgs{FieldRef: &corev1.ObjectFieldSelectorArgs{
			FieldPath: pulumi.String("metadata.labels['" + ZoneLabel + "']"),
		}},
	}
}

// rackStart is what the entrypoint adds before exec with rack awareness on:
// the zone becomes --set redpanda.rack. A pod without the label (a cluster
// older than 1.35, or nodes without zones) starts without a rack and says
// so, rather than not starting: ClusterHealth then warns about replicas
// sharing a rack.
const rackStart = `if [ -n "${` + RackEnv + `:-}" ]; then
  args+=(--set "redpanda.rack=${` + RackEnv + `}")
else
  echo "rack awareness is on but the pod has no ` + ZoneLabel + ` label: starting without a rack" >&2
fi
`

// renderEntrypoint is RenderEntrypoint, with the rack step when the brokers
// take their racks from their nodes' zones.
func renderEntrypoint(t Topology) string {
	e := RenderEntrypoint()
	if !t.RackFromZone {
		return e
	}
	const exec = `exec rpk "${args[@]}"`
	return strings.Replace(e, exec, rackStart+exec, 1)
}
