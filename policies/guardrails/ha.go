package guardrails

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// brokerHighAvailability: with 3 brokers and replication factor 3, a node drain or a node
// loss may take one broker away, never two.
func brokerHighAvailability() definition {
	return definition{
		name: "broker-high-availability",
		description: "On production, every Redpanda StatefulSet has a PodDisruptionBudget with maxUnavailable 1 " +
			"and required (hard) pod anti-affinity, so no drain or node loss takes two brokers.",
		prodOnly:   true,
		checkStack: checkHighAvailability,
	}
}

// checkHighAvailability is the stack validation of broker-high-availability.
func checkHighAvailability(o Options, rs []policyx.AnalyzerResource) []finding {
	var pdbs []policyx.AnalyzerResource
	for _, r := range rs {
		if r.Type == typePDB {
			pdbs = append(pdbs, r)
		}
	}
	var out []finding
	for _, r := range rs {
		if r.Type != typeStatefulSet || !isRedpandaWorkload(r) {
			continue
		}
		anti := at(r.Properties, "spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution")
		if !anti.IsComputed() && len(items(anti)) == 0 {
			out = append(out, finding{r.URN, fmt.Sprintf(
				"%s: spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution is empty; "+
					"rule: on stack %s two brokers must never share a node (required anti-affinity on kubernetes.io/hostname; preferred is not enough)",
				label(r), o.Stack)})
		}
		out = append(out, checkPDB(o, r, pdbs)...)
	}
	return out
}

// checkPDB finds the budgets that select the StatefulSet's pods and checks maxUnavailable.
func checkPDB(o Options, sts policyx.AnalyzerResource, pdbs []policyx.AnalyzerResource) []finding {
	podLabels := stringMap(at(sts.Properties, "spec", "template", "metadata", "labels"))
	if len(podLabels) == 0 {
		podLabels = stringMap(at(sts.Properties, "spec", "selector", "matchLabels"))
	}
	var matching []policyx.AnalyzerResource
	for _, p := range pdbs {
		if sameNamespace(sts, p) && selects(at(p.Properties, "spec", "selector"), podLabels) {
			matching = append(matching, p)
		}
	}
	if len(matching) == 0 {
		return []finding{{sts.URN, fmt.Sprintf(
			"%s: no PodDisruptionBudget selects its pods; rule: on stack %s brokers need a PodDisruptionBudget with maxUnavailable 1",
			label(sts), o.Stack)}}
	}
	// One matching budget with maxUnavailable 1 is enough; otherwise each is reported.
	var out []finding
	for _, p := range matching {
		mu := at(p.Properties, "spec", "maxUnavailable")
		if mu.IsComputed() {
			return nil
		}
		if n, ok := num(mu); ok && n == 1 {
			return nil
		}
		var got string
		switch {
		case !mu.IsNull():
			got = fmt.Sprintf("maxUnavailable %s", valueText(mu))
		case !at(p.Properties, "spec", "minAvailable").IsNull():
			got = fmt.Sprintf("minAvailable %s and no maxUnavailable", valueText(at(p.Properties, "spec", "minAvailable")))
		default:
			got = "no maxUnavailable"
		}
		out = append(out, finding{p.URN, fmt.Sprintf("%s (for %s): %s; rule: on stack %s brokers need maxUnavailable 1",
			label(p), label(sts), got, o.Stack)})
	}
	return out
}

// sameNamespace compares metadata.namespace; an unknown namespace could be any.
func sameNamespace(a, b policyx.AnalyzerResource) bool {
	na, nb := at(a.Properties, "metadata", "namespace"), at(b.Properties, "metadata", "namespace")
	if na.IsComputed() || nb.IsComputed() {
		return true
	}
	return stringOr(na) == stringOr(nb)
}

// selects reports whether a PodDisruptionBudget's label selector matches labels. Only
// matchLabels is evaluated: an unknown selector, or one with matchExpressions, is taken to
// match. As in policy/v1, a null selector selects nothing and an empty one every pod.
func selects(selector property.Value, labels map[string]string) bool {
	switch {
	case selector.IsComputed():
		return true
	case !selector.IsMap():
		return false
	}
	ml := at(selector.AsMap(), "matchLabels")
	if ml.IsComputed() || !at(selector.AsMap(), "matchExpressions").IsNull() {
		return true
	}
	for k, v := range stringMap(ml) {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// valueText prints a known scalar for a message.
func valueText(v property.Value) string {
	switch {
	case v.IsString():
		return fmt.Sprintf("%q", v.AsString())
	case v.IsNumber():
		return fmtNum(v.AsNumber())
	case v.IsBool():
		return fmt.Sprint(v.AsBool())
	}
	return "(unknown)"
}
