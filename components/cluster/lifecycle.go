package cluster

import (
	"fmt"
	"strings"
)

// The Kubernetes pods run small bash scripts around `rpk redpanda start`.
// They are rendered here, as plain strings, from the same BrokerConfig as
// the flags, so the ports and schemes they use cannot drift from what the
// broker listens on. The Redpanda image ships bash, curl, grep and timeout.

// StartDir is where the pods mount the rendered start files: the per-broker
// flag lists and the scripts below.
const StartDir = "/etc/redpanda-start"

// Start file names inside StartDir (and keys of the ConfigMap).
const (
	EntrypointFile = "entrypoint.sh"
	PreStopFile    = "prestop.sh"
	PostStartFile  = "poststart.sh"
	// BootstrapFile is the ConfigMap key of the bootstrap cluster config.
	BootstrapFile = ".bootstrap.yaml"
)

// ArgsFile is the name of broker i's flag list, one argument per line.
func ArgsFile(i int) string { return fmt.Sprintf("broker-%d.args", i) }

// RenderArgsFile renders b's start arguments as ArgsFile holds them. Every
// argument is one line; TestArgsHaveNoWhitespace keeps newlines out of them.
func RenderArgsFile(b BrokerConfig) string { return strings.Join(b.Args, "\n") + "\n" }

// readyCheck asks the broker's own admin API whether it is ready, the
// chart's startup probe. The endpoint answers 200 while booting too, with
// {"status":"booting"}, so curl -f alone would pass early: the body must say
// ready (the chart greps it the same way). Per-broker readiness, never
// cluster health, so one sick broker does not mark the others unready.
//
// With TLS the probe dials localhost, which the certificate does not name,
// so it skips verification (-k, as the chart's probe does): on loopback there
// is no one in the middle, and a DNS lookup of the pod's own name could fail
// while the pod is not yet published.
func readyCheck(b BrokerConfig) string {
	return fmt.Sprintf("curl -sf%s %s%s | grep -q ready", insecureFlag(b), localAdmin(b), ReadyPath)
}

// localAdmin is the broker's admin API as the pod itself reaches it.
func localAdmin(b BrokerConfig) string {
	return fmt.Sprintf("%s://localhost:%d", b.TLS.scheme(), b.Ports.Admin.Internal)
}

// insecureFlag is curl's -k, as a short flag to append to others.
func insecureFlag(b BrokerConfig) string {
	if b.TLS.Enabled {
		return "k"
	}
	return ""
}

// RenderEntrypoint is the container's command. The renderer renders per
// broker index, while a StatefulSet has one pod template, so every
// broker's exact flags go into the ConfigMap (ArgsFile) and the pod picks
// its own by ordinal, the suffix of its hostname (redpanda-2 → 2).
//
// This beats env substitution ($(POD_NAME) in the args): the flags each
// pod runs with are exactly the renderer's output, visible in one object
// and pinned by golden files, with no second templating language whose
// escaping (the JSON in --set values) could differ from the renderer's.
func RenderEntrypoint() string {
	return `#!/bin/bash
# Start this pod's broker with the flags rendered for its ordinal.
set -euo pipefail
ordinal="${HOSTNAME##*-}"
args_file="` + StartDir + `/broker-${ordinal}.args"
if [ ! -r "$args_file" ]; then
  echo "no start flags for pod ${HOSTNAME} in ${args_file}: the StatefulSet has more replicas than the rendered brokers" >&2
  exit 1
fi
# One argument per line: no word splitting, no globbing of the JSON values.
mapfile -t args < "$args_file"
exec rpk "${args[@]}"
`
}

// nodeIDFunc reads this broker's node ID from its admin API; Redpanda
// assigns IDs itself, so the pod ordinal is not the node ID.
func nodeIDFunc(b BrokerConfig) string {
	return fmt.Sprintf(`admin=%q
curl_() { curl -s%s -m 5 "$@"; }
node_id() { curl_ -f "$admin/v1/node_config" | grep -o '"node_id": *[0-9]*' | grep -o '[0-9]*$'; }
`, localAdmin(b), insecureFlag(b))
}

// RenderPreStop puts the broker into maintenance mode and waits until its
// leadership has drained, as the chart's preStop hook does, so a rolling
// restart moves partition leaders away before the broker stops instead of
// letting clients time out on a dead leader. Only one broker can be in
// maintenance at a time: a 400 means another is draining, so it waits its
// turn, which serializes the drains of a roll. Kubernetes kills the hook
// when its time (half the grace period, enforced by the caller's timeout)
// is up.
func RenderPreStop(b BrokerConfig) string {
	return "#!/bin/bash\n# preStop: drain this broker's leadership before it stops.\nset -u\n" + nodeIDFunc(b) + `id=""
for _ in $(seq 1 20); do
  id=$(node_id) && [ -n "$id" ] && break
  id=""
  sleep 0.5
done
if [ -z "$id" ]; then
  echo "preStop: no node id from the admin API; stopping without a drain"
  exit 0
fi
echo "preStop: putting node ${id} into maintenance mode"
status=""
# 404: the node is no longer a member, so there is nothing to drain.
until [ "$status" = 200 ] || [ "$status" = 404 ]; do
  status=$(curl_ -o /dev/null -w '%{http_code}' -X PUT "$admin/v1/brokers/${id}/maintenance")
  sleep 0.5
done
[ "$status" = 200 ] || exit 0
# Right after the PUT the drain may not have begun: "draining": false
# means done only after "draining": true has been seen.
seen=no
while :; do
  res=$(curl_ "$admin/v1/maintenance")
  if echo "$res" | grep -q '"finished": *true'; then break; fi
  if echo "$res" | grep -q '"draining": *true'; then seen=yes
  elif [ "$seen" = yes ] && echo "$res" | grep -q '"draining": *false'; then break; fi
  sleep 0.5
done
echo "preStop: node ${id} drained"
`
}

// RenderPostStart takes the broker out of maintenance mode once it is back.
// Maintenance mode survives a restart: without this, every broker the
// preStop hook drained would never lead a partition again.
func RenderPostStart(b BrokerConfig) string {
	return "#!/bin/bash\n# postStart: leave the maintenance mode preStop entered.\nset -u\n" + nodeIDFunc(b) + `id=""
until [ -n "$id" ]; do
  id=$(node_id) || id=""
  sleep 1
done
status=""
# 400: not in maintenance mode (a first start); 404: not a member.
until [ "$status" = 200 ] || [ "$status" = 400 ] || [ "$status" = 404 ]; do
  status=$(curl_ -o /dev/null -w '%{http_code}' -X DELETE "$admin/v1/brokers/${id}/maintenance")
  sleep 1
done
echo "postStart: node ${id} is out of maintenance mode (HTTP ${status})"
`
}

// hookCommand runs a start file as a lifecycle hook: bounded by timeout so
// it leaves the broker the other half of the grace period, copied to the
// container's log (hook output is otherwise invisible), and always
// successful, because a failed postStart kills the container. tee, not a
// redirection: if the log cannot be opened, a failed redirection would skip
// the script, while tee still lets it run.
func hookCommand(file string, timeoutSeconds int) []string {
	return []string{"/bin/bash", "-c",
		fmt.Sprintf("timeout %d /bin/bash %s/%s 2>&1 | tee /proc/1/fd/1; true", timeoutSeconds, StartDir, file)}
}
