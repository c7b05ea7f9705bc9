package guardrails

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
	"k8s.io/apimachinery/pkg/api/resource"
)

const (
	mib = 1 << 20
	gib = 1 << 30
)

// parseQuantity converts a Kubernetes quantity ("4Gi", "2e9", "512M") to bytes with the
// grammar the API server, the cluster component and the stack file all use.
func parseQuantity(q string) (float64, bool) {
	v, err := resource.ParseQuantity(strings.TrimSpace(q))
	if err != nil {
		return 0, false
	}
	return v.AsApproximateFloat64(), true
}

// smpOf finds Redpanda's --smp (cores) in a command line: "--smp N" or "--smp=N".
// found is false when the flag is absent; value is "" when it has none.
func smpOf(argv []string) (value string, found bool) {
	tokens := fields(argv)
	for i, t := range tokens {
		if v, ok := strings.CutPrefix(t, "--smp="); ok {
			value, found = v, true
		} else if t == "--smp" {
			value, found = "", true
			if i+1 < len(tokens) {
				value = tokens[i+1]
			}
		}
	}
	return value, found
}

// brokerMemoryPerCore: Seastar gives each core its own memory; below 2 GiB a core thrashes.
func brokerMemoryPerCore() definition {
	minPerCore := intSetting("minMemoryMiBPerCore", "Least container memory per Redpanda core (--smp), in MiB.", 2048, 1)
	return definition{
		name: "broker-memory-per-core",
		description: "Redpanda brokers get at least 2 GiB of memory per core: docker memory (MiB) or the Kubernetes " +
			"memory limit, divided by --smp.",
		types:    []string{typeContainer, typeStatefulSet, typeDeployment, typeDaemonSet},
		settings: []setting{minPerCore},
		check: func(_ Options, r policyx.AnalyzerResource, cfg map[string]any) []string {
			floor := minPerCore.number(cfg)
			if r.Type == typeContainer {
				if !isBrokerContainer(r) {
					return nil
				}
				mem := r.Properties.Get("memory")
				if mem.IsComputed() {
					return nil
				}
				memMiB, ok := num(mem)
				if !ok || memMiB <= 0 {
					memMiB = 0
				}
				return memoryViolation(label(r), "memory", fmt.Sprintf("%s MiB", fmtNum(memMiB)), memMiB,
					strs(r.Properties.Get("command")), floor)
			}
			var out []string
			for _, c := range containersOf(r) {
				if c.init || !isBrokerPodContainer(c) {
					continue
				}
				limit := at(c.props, "resources", "limits", "memory")
				if limit.IsComputed() {
					continue
				}
				q := stringOr(limit)
				if limit.IsNumber() {
					q = fmtNum(limit.AsNumber())
				}
				bytes, _ := parseQuantity(q)
				what := fmt.Sprintf("%q (%s MiB)", q, fmtNum(float64(int64(bytes/mib))))
				argv := append(c.stringList("command"), c.stringList("args")...)
				subject := fmt.Sprintf("%s container %q", label(r), c.name)
				out = append(out, memoryViolation(subject, "resources.limits.memory", what, bytes/mib, argv, floor)...)
			}
			return out
		},
	}
}

// memoryViolation checks memMiB (0 when unset) against floor MiB per --smp core.
func memoryViolation(subject, key, what string, memMiB float64, argv []string, floor float64) []string {
	rule := fmt.Sprintf("the minimum %s MiB per core (Redpanda needs 2 GiB per core)", fmtNum(floor))
	smp, found := smpOf(argv)
	if !found {
		return []string{fmt.Sprintf("%s: the command has no --smp, so Redpanda takes every core of the host and %s cannot be checked; rule: set --smp N and give it %s",
			subject, key, rule)}
	}
	cores, err := strconv.Atoi(smp)
	if err != nil || cores < 1 {
		return []string{fmt.Sprintf("%s: --smp %q is not a whole number of cores >= 1", subject, smp)}
	}
	if memMiB <= 0 {
		return []string{fmt.Sprintf("%s: %s is not set, so Redpanda's memory is unbounded; rule: set it to at least %s MiB for --smp %d (%s)",
			subject, key, fmtNum(floor*float64(cores)), cores, rule)}
	}
	if per := memMiB / float64(cores); per < floor {
		return []string{fmt.Sprintf("%s: %s %s for --smp %d is %s MiB per core, below %s",
			subject, key, what, cores, fmtNum(float64(int64(per))), rule)}
	}
	return nil
}
