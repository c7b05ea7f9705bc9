package nodepool

import (
	"fmt"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// FieldError is one refused setting: the field, its value, what is wrong
// and how to fix it.
type FieldError = fielderr.Error

// Validate checks a pool's Config before anything is created and reports
// every problem at once, after defaulting as the constructor does. Each
// refusal's Field is the json path inside the config (mode,
// taints[0].effect, eks.instanceType).
func Validate(c Config) error {
	return fielderr.Join(c.WithDefaults().validate())
}

// taintEffects maps Kubernetes taint effects to the EKS API's spelling.
var taintEffects = map[string]string{
	"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE",
}

// validateArgs checks defaulted args: the config, then what the caller
// wires in (named by its Go field, since it is not the user's config).
func validateArgs(a Args) []*FieldError {
	errs := a.Config.validate()
	if a.Nodes < 1 {
		errs = append(errs, fielderr.New("Nodes", fmt.Sprint(a.Nodes), "a pool needs a node per broker",
			"set Nodes to the number of brokers (3)"))
	}
	return errs
}

// validate checks a defaulted config.
func (c Config) validate() []*FieldError {
	var errs []*FieldError
	add := func(e ...*FieldError) { errs = append(errs, e...) }
	switch c.Mode {
	case ModeExisting, ModeEKS:
	default:
		add(fielderr.New("mode", fmt.Sprintf("%q", c.Mode), "unknown node pool mode", `use "existing" or "eks"`))
	}
	for k := range c.Labels {
		if strings.TrimSpace(k) == "" {
			add(fielderr.New("labels", fmt.Sprintf("%q", k), "a node label needs a name", "remove the empty key"))
		}
	}
	for i, t := range c.Taints {
		if t.Key == "" {
			add(fielderr.New(fmt.Sprintf("taints[%d].key", i), `""`, "a taint needs a key",
				"name the taint, e.g. dedicated"))
		}
		if _, ok := taintEffects[t.Effect]; !ok {
			add(fielderr.New(fmt.Sprintf("taints[%d].effect", i), fmt.Sprintf("%q", t.Effect), "not a taint effect",
				"use NoSchedule, PreferNoSchedule or NoExecute"))
		}
	}
	if c.Mode == ModeEKS {
		if c.EKS == nil {
			add(fielderr.New("eks", "<unset>", "mode eks makes a managed node group and needs its settings",
				"set eks: {clusterName, subnetIds, nodeRoleArn, instanceType}"))
		} else {
			add(c.EKS.validate()...)
		}
	}
	return errs
}

// validate checks the managed node group's settings, the instance type
// against the checked table and the node floor.
func (e EKSConfig) validate() []*FieldError {
	var errs []*FieldError
	for _, f := range []struct {
		field string
		value string
		unset bool
	}{
		{"eks.clusterName", fmt.Sprintf("%q", e.ClusterName), e.ClusterName == ""},
		{"eks.subnetIds", fmt.Sprint(e.SubnetIDs), len(e.SubnetIDs) == 0},
		{"eks.nodeRoleArn", fmt.Sprintf("%q", e.NodeRoleARN), e.NodeRoleARN == ""},
	} {
		if f.unset {
			errs = append(errs, fielderr.New(f.field, f.value, "an EKS node group needs it", "copy it from the EKS cluster's stack"))
		}
	}
	for i, s := range e.SubnetIDs {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fielderr.New(fmt.Sprintf("eks.subnetIds[%d]", i), `""`, "an empty subnet ID", "remove it or give the subnet's ID (subnet-…)"))
		}
	}
	eligible := suggestions(3)
	if t, ok := LookupInstanceType(e.InstanceType); !ok {
		errs = append(errs, fielderr.New("eks.instanceType", fmt.Sprintf("%q", e.InstanceType),
			"not in the checked instance table, so its memory and network cannot be verified",
			fmt.Sprintf("use a checked type that meets the floor (e.g. %s), or add the type with its published figures", eligible)))
	} else if why := t.belowFloor(); why != "" {
		errs = append(errs, fielderr.New("eks.instanceType", fmt.Sprintf("%q", e.InstanceType), why,
			fmt.Sprintf("use a type with at least %d GiB and a sustained %d Gbps, e.g. %s", MinMemoryGiB, MinNetworkGbps, eligible)))
	}
	if e.DiskSizeGiB < DefaultDiskSizeGiB {
		errs = append(errs, fielderr.New("eks.diskSizeGiB", fmt.Sprint(e.DiskSizeGiB),
			fmt.Sprintf("below the %d GiB node disk floor", DefaultDiskSizeGiB),
			fmt.Sprintf("set it to %d or more, or leave it out for the default", DefaultDiskSizeGiB)))
	}
	return errs
}
