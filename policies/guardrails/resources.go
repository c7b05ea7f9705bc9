package guardrails

import (
	"github.com/marketbus/market-bus/imageref"

	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Resource type tokens the pack looks at.
const (
	typeTopic          = "marketbus:index:Topic"
	typeSchema         = "marketbus:index:Schema"
	typeSubjectConfig  = "marketbus:index:SubjectConfig"
	typeLatencyGate    = "marketbus:index:LatencyGate"
	typeMarketbusProv  = "pulumi:providers:marketbus"
	typeContainer      = "docker:index/container:Container"
	typeRemoteImage    = "docker:index/remoteImage:RemoteImage"
	typeDockerVolume   = "docker:index/volume:Volume"
	typeStatefulSet    = "kubernetes:apps/v1:StatefulSet"
	typeDeployment     = "kubernetes:apps/v1:Deployment"
	typeDaemonSet      = "kubernetes:apps/v1:DaemonSet"
	typePDB            = "kubernetes:policy/v1:PodDisruptionBudget"
	typeK8sSecret      = "kubernetes:core/v1:Secret"
	typeRuleGroup      = "grafana:alerting/ruleGroup:RuleGroup"
	typeRuleGroupAlias = "grafana:index/ruleGroup:RuleGroup"
	typeDataSource     = "grafana:oss/dataSource:DataSource"
	typeDataSourceOld  = "grafana:index/dataSource:DataSource"
	typeGrafanaProv    = "pulumi:providers:grafana"
	typeGrafanaProvIdx = "grafana:index:Provider"
)

// kindOf is the word violation messages use for a resource type.
func kindOf(typ string) string {
	switch typ {
	case typeTopic:
		return "topic"
	case typeSchema:
		return "schema"
	case typeSubjectConfig:
		return "subject config"
	case typeLatencyGate:
		return "latency gate"
	case typeContainer:
		return "container"
	case typeRemoteImage:
		return "image"
	case typeDockerVolume:
		return "volume"
	case typeStatefulSet:
		return "statefulset"
	case typeDeployment:
		return "deployment"
	case typeDaemonSet:
		return "daemonset"
	case typePDB:
		return "poddisruptionbudget"
	case typeK8sSecret:
		return "secret"
	case typeRuleGroup, typeRuleGroupAlias:
		return "rule group"
	case typeDataSource, typeDataSourceOld:
		return "data source"
	}
	if strings.HasPrefix(typ, "pulumi:providers:") {
		return "provider"
	}
	return typ
}

// label names a resource in a violation message: its kind and the name users know it by
// (a topic's name or a subject input, else the Pulumi resource name), e.g. `topic "fx"`.
func label(r policyx.AnalyzerResource) string {
	name := r.Name
	key := map[string]string{typeTopic: "name", typeSchema: "subject", typeSubjectConfig: "subject"}[r.Type]
	if s, ok := str(r.Properties.Get(key)); ok && key != "" && s != "" {
		name = s
	}
	return fmt.Sprintf("%s %q", kindOf(r.Type), name)
}

// podContainer is one container of a workload's pod template.
type podContainer struct {
	name  string
	image string
	// init is true for an init container.
	init  bool
	props property.Map
}

// stringList returns the known strings of one of the container's list inputs.
func (c podContainer) stringList(key string) []string { return strs(c.props.Get(key)) }

// isRedpandaWorkload reports whether a Kubernetes workload or Docker container runs
// Redpanda brokers: its name, an app.kubernetes.io/name label, or a broker container says so.
func isRedpandaWorkload(r policyx.AnalyzerResource) bool {
	if strings.Contains(strings.ToLower(r.Name), "redpanda") {
		return true
	}
	if s, ok := str(at(r.Properties, "metadata", "name")); ok && strings.Contains(strings.ToLower(s), "redpanda") {
		return true
	}
	labelSets := []map[string]string{
		stringMap(at(r.Properties, "metadata", "labels")),
		stringMap(at(r.Properties, "spec", "template", "metadata", "labels")),
		labelList(r.Properties.Get("labels")),
	}
	for _, l := range labelSets {
		if strings.EqualFold(l["app.kubernetes.io/name"], "redpanda") {
			return true
		}
	}
	if r.Type == typeContainer {
		return isBrokerContainer(r)
	}
	for _, c := range containersOf(r) {
		if !c.init && isBrokerPodContainer(c) {
			return true
		}
	}
	return false
}

// isBrokerContainer reports whether a Docker container runs a Redpanda broker: its command
// starts Redpanda, or it has no command (the image's default starts the broker) and its
// image or its labels say Redpanda broker. Redpanda Console and rpk helper containers are
// not brokers.
func isBrokerContainer(r policyx.AnalyzerResource) bool {
	argv := strs(r.Properties.Get("command"))
	if isRedpandaCommand(argv) {
		return true
	}
	if len(argv) > 0 {
		return false
	}
	l := labelList(r.Properties.Get("labels"))
	return isRedpandaImage(stringOr(r.Properties.Get("image"))) ||
		(strings.EqualFold(l["app.kubernetes.io/name"], "redpanda") && strings.EqualFold(l["app.kubernetes.io/component"], "broker"))
}

// isBrokerPodContainer reports whether a pod container runs a Redpanda broker: its command
// and args start Redpanda, or it has none and runs the Redpanda image.
func isBrokerPodContainer(c podContainer) bool {
	argv := append(c.stringList("command"), c.stringList("args")...)
	return isRedpandaCommand(argv) || (len(argv) == 0 && isRedpandaImage(c.image))
}

// isRedpandaImage reports whether ref is a Redpanda broker image (…/redpanda[:tag][@digest]),
// not Console or another Redpanda product.
func isRedpandaImage(ref string) bool {
	repo := imageref.Parse(ref).Repository
	return repo == "redpanda" || strings.HasSuffix(repo, "/redpanda")
}

// isRedpandaCommand reports whether a command line starts Redpanda ("redpanda start" or
// "rpk redpanda start"), also when it is one shell string.
func isRedpandaCommand(argv []string) bool {
	tokens := fields(argv)
	for i := 0; i+1 < len(tokens); i++ {
		if strings.HasSuffix(tokens[i], "redpanda") && tokens[i+1] == "start" {
			return true
		}
	}
	return false
}

// fields splits every argument on white space, so `sh -c "redpanda start --smp 1"` reads
// like the exec form.
func fields(argv []string) []string {
	var out []string
	for _, a := range argv {
		out = append(out, strings.Fields(a)...)
	}
	return out
}

// stringOr returns a known string or "".
func stringOr(v property.Value) string {
	s, _ := str(v)
	return s
}

// containersOf lists the init containers and containers of a workload's pod template.
func containersOf(r policyx.AnalyzerResource) []podContainer {
	var out []podContainer
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range items(at(r.Properties, "spec", "template", "spec", key)) {
			if !c.IsMap() {
				continue
			}
			m := c.AsMap()
			out = append(out, podContainer{
				name: stringOr(m.Get("name")), image: stringOr(m.Get("image")), init: key == "initContainers", props: m,
			})
		}
	}
	return out
}
