package main

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// statefulSetType is the brokers' StatefulSet on Kubernetes.
const statefulSetType = "kubernetes:apps/v1:StatefulSet"

// refusedReplace explains a planned replacement of the brokers' StatefulSet, or is "" when
// the preview plans none. The Kubernetes provider replaces a StatefulSet whose volume claim
// templates, selector, serviceName, podManagementPolicy or revisionHistoryLimit change, and
// with a fixed name it deletes the old one first: every broker pod goes at once, and the
// cluster with them. No such plan may reach `up`.
func refusedReplace(stack string, steps []step) string {
	for _, s := range steps {
		if s.Type != statefulSetType {
			continue
		}
		switch apitype.OpType(s.Op) {
		case apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced:
		default:
			continue
		}
		what := s.URN
		if len(s.Diff) > 0 {
			what += " (changed: " + strings.Join(s.Diff, ", ") + ")"
		}
		return fmt.Sprintf("the preview of stack %q replaces the brokers' StatefulSet %s: Kubernetes cannot change its volume claim template, "+
			"selector, serviceName, podManagementPolicy or revisionHistoryLimit in place, and a replacement deletes every broker pod at once, "+
			"so busctl refuses it and nothing was changed. The usual cause is a changed market-bus:cluster.storageSize or cluster.storageClass: "+
			"put the old value back. To grow the brokers' disks, expand each PVC instead "+
			"(kubectl -n NAMESPACE patch pvc datadir-redpanda-N -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"60Gi\"}}}}', "+
			"on a StorageClass with allowVolumeExpansion) and keep storageSize at the template's value", stack, what)
	}
	return ""
}
