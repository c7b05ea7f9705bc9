package provider

import (
	"context"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

// TestBrokerSetPreviewRefusesBelowATopicRF: the preview of lowering brokers 3 → 2 asks the
// real brokers for every topic's replication factor and fails on a topic with 3 replicas,
// naming it, although the stack declared no such topic; nothing is decommissioned.
func TestBrokerSetPreviewRefusesBelowATopicRF(t *testing.T) {
	adm := kafkatest.Admin(t)
	topic := uniqueTopic(t)
	if _, err := adm.CreateTopic(context.Background(), 1, 3, nil, topic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = adm.DeleteTopic(context.Background(), topic) })
	f := newFakeAdmin(t, 0)
	events := brokerRoutes(f, map[int]*fakeMember{0: {host: podHost(0)}, 1: {host: podHost(1)}, 2: {host: podHost(2)}})
	s := server(t)
	created, err := s.Create(p.CreateRequest{Urn: brokerSetURN, Properties: brokerSetInputs(f.srv.URL, 3, 1)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	next := brokerSetInputs(f.srv.URL, 2, 1)
	_, err = s.Update(p.UpdateRequest{ID: "brokers", Urn: brokerSetURN, State: created.Properties, Inputs: next, OldInputs: created.Properties, DryRun: true})
	if err == nil {
		t.Fatal("preview of 3 → 2 brokers passed with a replication-factor-3 topic on the cluster")
	}
	if !strings.Contains(err.Error(), "below the replication factor 3 of topic") {
		t.Errorf("error %q does not name the replication factor and the topic", err)
	}
	if len(*events) != 0 {
		t.Errorf("preview decommissioned: %v", *events)
	}
}
