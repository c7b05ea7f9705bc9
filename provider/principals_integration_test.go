package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/tests/kafkatest"
)

func urnOf(typ, name string) presource.URN {
	return presource.NewURN("test", "market-bus", "", tokens.Type("marketbus:index:"+typ), name)
}

// checked runs Check and fails the test on any failure.
func checkedPrincipal(t *testing.T, s integration.Server, urn presource.URN, in map[string]property.Value) property.Map {
	t.Helper()
	resp, err := s.Check(p.CheckRequest{Urn: urn, Inputs: property.NewMap(in)})
	if err != nil || len(resp.Failures) > 0 {
		t.Fatalf("check %s: %v %+v", urn.Name(), err, resp.Failures)
	}
	return resp.Inputs
}

// scramOf returns the user's credentials as the cluster reports them.
func scramOf(t *testing.T, adm *kadm.Client, user string) []kadm.CredInfo {
	t.Helper()
	res, err := adm.DescribeUserSCRAMs(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return res[user].CredInfos
}

// eventually retries cond for up to 15 s: any broker may answer a describe, and each
// follows the controller's metadata by a moment of its own.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestUserLifecycleOnCluster: a generated secret password, a refusal to adopt an existing
// user, an in-place credential update, drift on refresh after an out-of-band delete.
func TestUserLifecycleOnCluster(t *testing.T) {
	s, adm := server(t), kafkatest.Admin(t)
	name := fmt.Sprintf("it-user-%d", time.Now().UnixNano()%1e6)
	urn := urnOf("User", name)
	t.Cleanup(func() {
		_, _ = adm.AlterUserSCRAMs(context.Background(), []kadm.DeleteSCRAM{{User: name, Mechanism: kadm.ScramSha512}}, nil)
	})
	in := checkedPrincipal(t, s, urn, map[string]property.Value{"name": property.New(name)})
	created, err := s.Create(p.CreateRequest{Urn: urn, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	pw := created.Properties.Get("password")
	// Secrecy is the schema's (password is a secret output; the SDK asks the engine to keep
	// it secret), not something this in-process server applies.
	if len(pw.AsString()) != 32 {
		t.Errorf("generated password of length %d, want 32 characters", len(pw.AsString()))
	}
	var c []kadm.CredInfo
	if !eventually(func() bool {
		c = scramOf(t, adm, name)
		return len(c) == 1 && c[0].Mechanism == kadm.ScramSha512 && c[0].Iterations == DefaultScramIterations
	}) {
		t.Errorf("credentials on the cluster %v, want SCRAM-SHA-512 with %d iterations", c, DefaultScramIterations)
	}
	if _, err := s.Create(p.CreateRequest{Urn: urn, Properties: in}); err == nil || !strings.Contains(err.Error(), "pulumi import marketbus:index:User") {
		t.Errorf("creating an existing user: %v, want a refusal that says to import it", err)
	}
	newIn := checkedPrincipal(t, s, urn, map[string]property.Value{"name": property.New(name), "password": property.New("n3w-secret").WithSecret(true),
		"iterations": property.New(4096.0)})
	up, err := s.Update(p.UpdateRequest{ID: name, Urn: urn, State: created.Properties, Inputs: newIn})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got := up.Properties.Get("password").AsString(); got != "n3w-secret" {
		t.Errorf("password after update %q", got)
	}
	if !eventually(func() bool { c = scramOf(t, adm, name); return len(c) == 1 && c[0].Iterations == 4096 }) {
		t.Errorf("credentials after the update %v, want 4096 iterations", c)
	}
	if _, err := adm.AlterUserSCRAMs(context.Background(), []kadm.DeleteSCRAM{{User: name, Mechanism: kadm.ScramSha512}}, nil); err != nil {
		t.Fatal(err)
	}
	var read p.ReadResponse
	if !eventually(func() bool {
		read, err = s.Read(p.ReadRequest{ID: name, Urn: urn, Properties: up.Properties, Inputs: newIn})
		return err == nil && read.ID == ""
	}) {
		t.Errorf("refresh after an out-of-band delete: id %q, err %v; want the user gone", read.ID, err)
	}
}

// TestAclLifecycleOnCluster: preview refuses a binding the resource type cannot take and a
// required topic that does not exist; a binding is created, imported by its id and deleted.
func TestAclLifecycleOnCluster(t *testing.T) {
	s := server(t)
	user := fmt.Sprintf("it-acl-%d", time.Now().UnixNano()%1e6)
	resp, err := s.Check(p.CheckRequest{Urn: urnOf("Acl", "bad"), Inputs: property.NewMap(map[string]property.Value{
		"principal": property.New("User:" + user), "resourceType": property.New("group"), "resourceName": property.New("g"),
		"operation": property.New("Alter")})})
	if err != nil || len(resp.Failures) != 1 || resp.Failures[0].Property != "operation" {
		t.Errorf("Alter on a group: %v %+v, want one failure on operation", err, resp.Failures)
	}
	missing := checkedPrincipal(t, s, urnOf("Acl", "missing"), map[string]property.Value{
		"principal": property.New("User:" + user), "resourceType": property.New("topic"), "resourceName": property.New("it-no-such-topic-" + user),
		"operation": property.New("Write"), "requireExistingTopic": property.New(true)})
	if _, err := s.Create(p.CreateRequest{Urn: urnOf("Acl", "missing"), Properties: missing, DryRun: true}); err == nil ||
		!strings.Contains(err.Error(), "does not exist on the cluster") {
		t.Errorf("preview of a binding on a missing required topic: %v", err)
	}
	in := checkedPrincipal(t, s, urnOf("Acl", "group"), map[string]property.Value{
		"principal": property.New("User:" + user), "resourceType": property.New("group"), "resourceName": property.New(user + "-"),
		"patternType": property.New("prefixed"), "operation": property.New("read")})
	created, err := s.Create(p.CreateRequest{Urn: urnOf("Acl", "group"), Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	wantID := "User:" + user + "|*|group|prefixed|Read|allow|" + user + "-"
	if created.ID != wantID {
		t.Errorf("id %q, want %q", created.ID, wantID)
	}
	var imported p.ReadResponse
	if !eventually(func() bool {
		imported, err = s.Read(p.ReadRequest{ID: created.ID, Urn: urnOf("Acl", "group")})
		return err == nil && imported.ID == wantID && imported.Inputs.Get("operation").AsString() == "Read"
	}) {
		t.Errorf("import by id: %q %v %v", imported.ID, imported.Inputs, err)
	}
	if err := s.Delete(p.DeleteRequest{ID: created.ID, Urn: urnOf("Acl", "group"), Properties: created.Properties}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var gone p.ReadResponse
	if !eventually(func() bool {
		gone, err = s.Read(p.ReadRequest{ID: created.ID, Urn: urnOf("Acl", "group"), Properties: created.Properties, Inputs: in})
		return err == nil && gone.ID == ""
	}) {
		t.Errorf("read after delete: %q %v, want gone", gone.ID, err)
	}
}

// TestClientQuotaLifecycleOnCluster: set, read back, change in place (a rate left out is
// removed), delete.
func TestClientQuotaLifecycleOnCluster(t *testing.T) {
	s := server(t)
	user := fmt.Sprintf("it-quota-%d", time.Now().UnixNano()%1e6)
	urn := urnOf("ClientQuota", user)
	in := checkedPrincipal(t, s, urn, map[string]property.Value{"user": property.New(user), "producerByteRate": property.New(2048.0)})
	created, err := s.Create(p.CreateRequest{Urn: urn, Properties: in})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	var read p.ReadResponse
	if !eventually(func() bool {
		read, err = s.Read(p.ReadRequest{ID: created.ID, Urn: urn})
		return err == nil && read.Inputs.Get("producerByteRate").IsNumber() && read.Inputs.Get("producerByteRate").AsNumber() == 2048
	}) {
		t.Fatalf("import %q: %v %v", created.ID, read.Inputs, err)
	}
	next := checkedPrincipal(t, s, urn, map[string]property.Value{"user": property.New(user), "consumerByteRate": property.New(4096.0)})
	if _, err := s.Update(p.UpdateRequest{ID: created.ID, Urn: urn, State: created.Properties, Inputs: next}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if !eventually(func() bool {
		read, err = s.Read(p.ReadRequest{ID: created.ID, Urn: urn})
		return err == nil && read.Inputs.Get("producerByteRate").IsNull() && read.Inputs.Get("consumerByteRate").IsNumber() &&
			read.Inputs.Get("consumerByteRate").AsNumber() == 4096
	}) {
		t.Errorf("after the update: %v %v, want only consumerByteRate 4096", read.Inputs, err)
	}
	if err := s.Delete(p.DeleteRequest{ID: created.ID, Urn: urn, Properties: next}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	var gone p.ReadResponse
	if !eventually(func() bool {
		gone, err = s.Read(p.ReadRequest{ID: created.ID, Urn: urn})
		return err == nil && gone.ID == ""
	}) {
		t.Errorf("read after delete: %q %v, want gone", gone.ID, err)
	}
}
