package stacks

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestLoadRejectsBadNodePool: each bad node pool setting of a prod stack is refused before
// anything is registered, at its exact key under market-bus:nodePool.
func TestLoadRejectsBadNodePool(t *testing.T) {
	const eks = `"eks":{"clusterName":"c","subnetIds":["s"],"nodeRoleArn":"arn:aws:iam::1:role/n","instanceType":"m6i.8xlarge"}`
	cases := []struct {
		name, nodePool, field, value string
	}{
		{"below the floor", `{"mode":"eks","eks":{"clusterName":"c","subnetIds":["s"],"nodeRoleArn":"arn:aws:iam::1:role/n","instanceType":"t3.medium"}}`,
			"market-bus:nodePool.eks.instanceType", `"t3.medium"`},
		{"unknown mode", `{"mode":"gke"}`, "market-bus:nodePool.mode", `"gke"`},
		{"eks without its settings", `{"mode":"eks"}`, "market-bus:nodePool.eks", "<unset>"},
		{"no cluster name", `{"mode":"eks","eks":{"subnetIds":["s"],"nodeRoleArn":"arn:aws:iam::1:role/n","instanceType":"m6i.8xlarge"}}`,
			"market-bus:nodePool.eks.clusterName", `""`},
		{"small disk", `{"mode":"eks",` + strings.Replace(eks, "}", `,"diskSizeGiB":20}`, 1) + `}`, "market-bus:nodePool.eks.diskSizeGiB", "20"},
		{"bad taint effect", `{"taints":[{"key":"dedicated","value":"redpanda","effect":"NoSchedule"},{"key":"x","effect":"Never"}]}`,
			"market-bus:nodePool.taints[1].effect", `"Never"`},
		{"taint without a key", `{"taints":[{"value":"redpanda","effect":"NoSchedule"}]}`, "market-bus:nodePool.taints[0].key", `""`},
		{"unnamed label", `{"labels":{"":"redpanda"}}`, "market-bus:nodePool.labels", `""`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("prod", with(prodSource(`{"externalDomain":"b.example.com"}`), KeyNodePool, tc.nodePool))
			if err == nil {
				t.Fatal("accepted")
			}
			fields, refusals := refusedFields(t, err)
			if !reflect.DeepEqual(fields, []string{tc.field}) {
				t.Fatalf("refused %q, want exactly %s; error: %v", fields, tc.field, err)
			}
			if got := refusals[0].Value; got != tc.value {
				t.Errorf("value = %v, want %s", got, tc.value)
			}
		})
	}
	// A valid EKS pool loads, and the node pool is only checked where it is used.
	if _, err := Load("prod", with(prodSource(`{"externalDomain":"b.example.com"}`), KeyNodePool, `{"mode":"eks",`+eks+`}`)); err != nil {
		t.Errorf("a valid eks pool: %v", err)
	}
	if _, err := Load("dev", MapSource{KeyGrafanaAdminPassword: "pw", KeyNodePool: `{"mode":"gke"}`}); err != nil {
		t.Errorf("a docker stack has no node pool to check: %v", err)
	}
}

// TestNodePoolSelectsItsNodes: the brokers select and tolerate exactly the pool's labels
// and taints, the defaults included, so the pool and the pods cannot disagree.
func TestNodePoolSelectsItsNodes(t *testing.T) {
	for _, tc := range []struct {
		name, nodePool string
		selector       map[string]string
		tolerations    []string
	}{
		{"defaults", "", map[string]string{"marketbus.io/pool": "redpanda"}, []string{"dedicated=redpanda:NoSchedule"}},
		{"no taints", `{"taints":[]}`, map[string]string{"marketbus.io/pool": "redpanda"}, nil},
		{"own labels replace the default", `{"labels":{"node.platform/role":"kafka"}}`, map[string]string{"node.platform/role": "kafka"}, []string{"dedicated=redpanda:NoSchedule"}},
		{"own taint", `{"taints":[{"key":"workload","value":"kafka","effect":"NoExecute"}]}`,
			map[string]string{"marketbus.io/pool": "redpanda"}, []string{"workload=kafka:NoExecute"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := prodSource(`{"externalDomain":"b.example.com"}`)
			if tc.nodePool != "" {
				src[KeyNodePool] = tc.nodePool
			}
			t.Setenv("PULUMI_CONFIG_SECRET_KEYS", `["market-bus:saslPassword","market-bus:grafanaToken"]`)
			rec, err := runProgram(t, "prod", src)
			if err != nil {
				t.Fatalf("program: %v", err)
			}
			sts := findType(rec, "kubernetes:apps/v1:StatefulSet")
			if len(sts) != 1 {
				t.Fatalf("%d StatefulSets, want 1", len(sts))
			}
			pod := sts[0].Inputs["spec"].ObjectValue()["template"].ObjectValue()["spec"].ObjectValue()
			selector := map[string]string{}
			for k, v := range pod["nodeSelector"].ObjectValue() {
				selector[string(k)] = v.StringValue()
			}
			if !reflect.DeepEqual(selector, tc.selector) {
				t.Errorf("nodeSelector = %v, want %v", selector, tc.selector)
			}
			var tols []string
			if v := pod["tolerations"]; v.IsArray() {
				for _, tv := range v.ArrayValue() {
					tol := tv.ObjectValue()
					if tol["operator"].StringValue() != "Equal" {
						t.Errorf("toleration %v: want operator Equal", tol)
					}
					tols = append(tols, tol["key"].StringValue()+"="+tol["value"].StringValue()+":"+tol["effect"].StringValue())
				}
			}
			if !slices.Equal(tols, tc.tolerations) {
				t.Errorf("tolerations = %q, want %q", tols, tc.tolerations)
			}
			pools := findType(rec, "marketbus:cluster:NodePool")
			if len(pools) != 1 {
				t.Errorf("%d node pools, want 1", len(pools))
			}
		})
	}
}
