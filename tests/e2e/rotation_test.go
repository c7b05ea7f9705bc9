package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// secureLogin logs in to the SASL_SSL listener as admin with password, trusting the cluster's
// CA, and asks for the brokers: nil when the brokers accept the password.
func secureLogin(t *testing.T, ctx context.Context, password string) error {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(tlsDir(t), "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cl, err := kgo.NewClient(kgo.SeedBrokers(secureBootstrap...),
		kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}),
		kgo.SASL(scram.Auth{User: "admin", Pass: password}.AsSha512Mechanism()),
		kgo.RequestRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	_, err = kadm.NewClient(cl).ListBrokers(lctx)
	return err
}

// TestPasswordRotationOnLocalCluster: the stack deploys with password A; then saslPassword B
// with saslPreviousPassword A previews without touching the brokers (A still works), and up
// sets B on the brokers first; afterwards the brokers refuse A and accept B, and the stack
// previews with B alone, and an up that measures the gate again passes. A new password without the previous one is refused at preview, naming the user.
func TestPasswordRotationOnLocalCluster(t *testing.T) {
	const stack = "e2e-rotate"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	logs := &testLog{t: t}
	oldPW := superuserPassword(t, ctx, adm)
	newPW := oldPW + "-rotated"
	topic := fmt.Sprintf("e2e-rotate-%d", time.Now().UnixNano()%1e6)
	ca := filepath.Join(tlsDir(t), "ca.crt")
	file := secureStackFile(t, stack, topic, ca)
	current := oldPW
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		st := openSecure(t, ctx, stack, file, current, "")
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
			t.Errorf("destroying the %s stack: %v", stack, err)
		}
		_ = st.Workspace().RemoveStack(ctx, stack)
	})

	first := openSecure(t, ctx, stack, file, oldPW, "")
	if _, err := first.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up with the first password: %v", err)
	}

	// A new password the brokers do not know, without the previous one: not a rotation.
	unknown := openSecure(t, ctx, stack, file, newPW, "")
	if _, err := unknown.Preview(ctx, optpreview.ProgressStreams(logs)); err == nil {
		t.Error("preview with an unknown new password and no saslPreviousPassword passed")
	}

	rotate := openSecure(t, ctx, stack, file, newPW, oldPW)
	if _, err := rotate.Preview(ctx, optpreview.ProgressStreams(logs)); err != nil {
		t.Fatalf("preview of the rotation: %v", err)
	}
	if err := secureLogin(t, ctx, oldPW); err != nil {
		t.Fatalf("after the preview of the rotation the brokers refuse the old password (a preview must change nothing): %v", err)
	}
	res, err := rotate.Up(ctx, optup.ProgressStreams(logs))
	if err != nil {
		t.Fatalf("up rotating the password: %v", err)
	}
	current = newPW
	if _, ok := res.Outputs["latencyGate"]; !ok {
		t.Error("the rotation's up has no latencyGate output")
	}
	if err := secureLogin(t, ctx, oldPW); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("after the rotation, logging in with the old password gave %v, want %v", err, kerr.SaslAuthenticationFailed)
	}
	if err := secureLogin(t, ctx, newPW); err != nil {
		t.Errorf("after the rotation the brokers refuse the new password: %v", err)
	}

	after := openSecure(t, ctx, stack, file, newPW, "")
	if _, err := after.Preview(ctx, optpreview.ProgressStreams(logs)); err != nil {
		t.Errorf("preview with the new password alone: %v", err)
	}
	// A new gate trigger makes the gate measure again after the rotation.
	remeasure := openSecure(t, ctx, stack, secureStackFile(t, stack, topic, ca, map[string]any{"trigger": "rotated"}), newPW, "")
	res, err = remeasure.Up(ctx, optup.ProgressStreams(logs))
	if err != nil {
		t.Fatalf("up with the new password alone: %v", err)
	}
	if gate, _ := res.Outputs["latencyGate"].Value.(map[string]any); gate["passed"] != true {
		t.Errorf("latencyGate measured after the rotation = %v, want a pass", gate)
	}
	assertTopic(t, ctx, adm, topic, 3, 3, nil)
}
