package nodepool

import (
	"fmt"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
)

// FieldError is one refused setting: the field, its value, what is wrong
// and how to fix it.
type FieldError = fielderr.Error

// Validate checks a before anything is created and reports every problem
// at once, after defaulting as the constructor does.
func Validate(a Args) error {
	return fielderr.Join(validate(a.withDefaults()))
}

// taintEffects maps Kubernetes taint effects to the EKS API's spelling.
var taintEffects = map[string]string{
	"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE",
}

func validate(a Args) []*FieldError {
	var errs []*FieldError
	add := func(e ...*FieldError) { errs = append(errs, e...) }
	switch a.Mode {
	case ModeExisting, ModeEKS:
	default:
		add(fielderr.New("Mode", fmt.Sprintf("%q", a.Mode), "unknown node pool mode", `use "existing" or "eks"`))
	}
	if a.Nodes < 1 {
		add(fielderr.New("Nodes", fmt.Sprint(a.Nodes), "a pool needs a node per broker",
			"set Nodes to the number of brokers (3)"))
	}
	for k := range a.Labels {
		if strings.TrimSpace(k) == "" {
			add(fielderr.New("Labels", fmt.Sprintf("%q", k), "a node label needs a name", "remove the empty key"))
		}
	}
	for i, t := range a.Taints {
		if _, ok := taintEffects[t.Effect]; !ok || t.Key == "" {
			add(fielderr.New(fmt.Sprintf("Taints[%d]", i), fmt.Sprintf("%+v", t), "a taint needs a key and an effect",
				"use a key and NoSchedule, PreferNoSchedule or NoExecute"))
		}
	}
	if a.Mode == ModeEKS {
		add(validateEKS(a.EKS)...)
	}
	return errs
}

// validateEKS checks the managed node group's settings, the instance type
// against the checked table and the node floor.
func validateEKS(e EKSArgs) []*FieldError {
	var errs []*FieldError
	for _, f := range []struct {
		field string
		unset bool
	}{
		{"EKS.ClusterName", e.ClusterName == nil},
		{"EKS.SubnetIDs", e.SubnetIDs == nil},
		{"EKS.NodeRoleARN", e.NodeRoleARN == nil},
	} {
		if f.unset {
			errs = append(errs, fielderr.New(f.field, "<nil>", "an EKS node group needs it", "pass it from the EKS cluster's stack"))
		}
	}
	eligible := suggestions(3)
	if t, ok := LookupInstanceType(e.InstanceType); !ok {
		errs = append(errs, fielderr.New("EKS.InstanceType", fmt.Sprintf("%q", e.InstanceType),
			"not in the checked instance table, so its memory and network cannot be verified",
			fmt.Sprintf("use a checked type that meets the floor (e.g. %s), or add the type with its published figures", eligible)))
	} else if why := t.belowFloor(); why != "" {
		errs = append(errs, fielderr.New("EKS.InstanceType", fmt.Sprintf("%q", e.InstanceType), why,
			fmt.Sprintf("use a type with at least %d GiB and a sustained %d Gbps, e.g. %s", MinMemoryGiB, MinNetworkGbps, eligible)))
	}
	if e.DiskSizeGiB < DefaultDiskSizeGiB {
		errs = append(errs, fielderr.New("EKS.DiskSizeGiB", fmt.Sprint(e.DiskSizeGiB),
			fmt.Sprintf("below the %d GiB node disk floor", DefaultDiskSizeGiB),
			fmt.Sprintf("set it to %d or more, or 0 for the default", DefaultDiskSizeGiB)))
	}
	return errs
}
