package provider

import (
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
)

// TestPreviewWithoutAClusterDegrades: on a first deploy the brokers do not exist yet; the
// preview of a topic must still succeed (its broker checks are skipped), not fail.
func TestPreviewWithoutAClusterDegrades(t *testing.T) {
	s := offlineServer(t)
	in := topicIn{name: "first-deploy", partitions: 12, rf: 3, config: map[string]string{"retention.ms": "604800000"}}
	inputs, fails := check(t, s, in)
	if len(fails) > 0 {
		t.Fatalf("check: %+v", fails)
	}
	resp, err := s.Create(p.CreateRequest{Urn: topicURN(in.name), Properties: inputs, DryRun: true})
	if err != nil {
		t.Fatalf("preview against an unreachable cluster failed: %v", err)
	}
	if resp.Properties.Get("partitions").AsNumber() != 12 {
		t.Errorf("planned outputs = %v", resp.Properties)
	}
	if _, err := s.Create(p.CreateRequest{Urn: topicURN(in.name), Properties: inputs}); err == nil {
		t.Error("a real create against an unreachable cluster succeeded")
	}
}
