package monitoring

import (
	"testing"
)

// TestKubernetesCustomResourcesAreVersioned: the ServiceMonitor and PrometheusRule ask for
// the Kubernetes SDK's plugin version, as the typed objects do; unversioned, they got a
// second default provider that every later preview planned to delete.
func TestKubernetesCustomResourcesAreVersioned(t *testing.T) {
	mocks, _ := runKubernetes(t, nil)
	for _, c := range []call{mocks.one(t, typeServiceMonitor, "mon-servicemonitor"), mocks.one(t, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "mon-prometheusrule")} {
		if v := c.rpc.GetVersion(); v == "" {
			t.Errorf("%s %s asks for no plugin version", c.Type, c.Name)
		}
	}
}
