package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/marketbus/market-bus/driver"
)

// secureBootstrap is the local cluster's SASL_SSL listener (scripts/lib/secure-listener.bash).
var secureBootstrap = []string{"127.0.0.1:19094", "127.0.0.1:29094", "127.0.0.1:39094"}

// secureRegistryURL is the local registry over TLS, with the same certificate as the secure
// listener (scripts/local-cluster registry-tls-url).
const secureRegistryURL = "https://127.0.0.1:18443/apis/ccompat/v7"

// tlsDir is where scripts/local-cluster keeps the cluster's CA.
func tlsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MARKETBUS_CLUSTER_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), ".cache", "local-cluster")
	}
	return filepath.Join(dir, "tls")
}

// superuserPassword gives the secure listener's superuser "admin" a fresh random SCRAM-SHA-512
// password, set through the plaintext listener as an operator would, and returns it.
func superuserPassword(t *testing.T, ctx context.Context, adm *kadm.Client) string {
	t.Helper()
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		t.Fatal(err)
	}
	password := base64.RawURLEncoding.EncodeToString(raw)
	res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: "admin", Mechanism: kadm.ScramSha512, Iterations: 8192, Password: password}})
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatalf("setting the SCRAM-SHA-512 credential of admin: %v", err)
	}
	return password
}

// secureStackFile writes the config of stack, a stack of its own that reaches the cluster only
// through the SASL_SSL listener and the registry only over TLS: one topic, and the gate at a
// token load, so the provider's Kafka and registry clients and the gate's all verify the
// cluster's CA. caFile "" leaves cluster.caCertFile out; gateFields are added to the gate.
func secureStackFile(t *testing.T, stack, topic, caFile string, gateFields ...map[string]any) string {
	t.Helper()
	cluster := map[string]any{"bootstrapServers": secureBootstrap, "schemaRegistryUrl": secureRegistryURL, "tls": true,
		"sasl": map[string]any{"mechanism": "SCRAM-SHA-512", "username": "admin"}}
	if caFile != "" {
		cluster["caCertFile"] = caFile
	}
	topics := []map[string]any{{"name": topic, "partitions": 3, "replicationFactor": 3, "deletionProtection": false,
		"config": map[string]any{"retention.ms": "3600000", "min.insync.replicas": "2"}}}
	schemas := []map[string]any{{"subject": topic + "-value", "file": "schemas/fx_tick.avsc", "deletionMode": "hard"}}
	gate := map[string]any{"topic": topic + "-gate", "subject": topic + "-value"}
	maps.Copy(gate, tokenGate)
	for _, f := range gateFields {
		maps.Copy(gate, f)
	}
	return ownStackFile(t, stack, cluster, topics, schemas, gate)
}

// openSecure opens stack with file as its config and password as its saslPassword secret
// (each Open starts from the file, so the secrets are set every time); previous, unless "",
// is its saslPreviousPassword.
func openSecure(t *testing.T, ctx context.Context, stack, file, password, previous string) auto.Stack {
	t.Helper()
	st, err := driver.Open(ctx, stackOptions(t, stack, file))
	if err != nil {
		t.Fatalf("opening the %s stack: %v", stack, err)
	}
	secrets := map[string]string{"market-bus:saslPassword": password}
	if previous != "" {
		secrets["market-bus:saslPreviousPassword"] = previous
	}
	for k, v := range secrets {
		if err := st.SetConfig(ctx, k, auto.ConfigValue{Value: v, Secret: true}); err != nil {
			t.Fatalf("setting %s: %v", k, err)
		}
	}
	return st
}

// TestSecureListenerOnLocalCluster: over TLS with the cluster's CA and SCRAM-SHA-512, up
// creates the topic and registers the schema and the gate measures; a wrong password fails
// preview with an authentication error naming the user; without cluster.caCertFile preview
// fails on the certificate and names the key that fixes it.
func TestSecureListenerOnLocalCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	logs := &testLog{t: t}
	password := superuserPassword(t, ctx, adm)
	ca := filepath.Join(tlsDir(t), "ca.crt")
	topic := fmt.Sprintf("e2e-secure-%d", time.Now().UnixNano()%1e6)
	withCA, withoutCA := secureStackFile(t, "e2e-secure", topic, ca), secureStackFile(t, "e2e-secure", topic, "")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		st := openSecure(t, ctx, "e2e-secure", withCA, password, "")
		if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
			t.Errorf("destroying the e2e-secure stack: %v", err)
		}
		_ = st.Workspace().RemoveStack(ctx, "e2e-secure")
	})

	st := openSecure(t, ctx, "e2e-secure", withCA, password, "")
	res, err := st.Up(ctx, optup.ProgressStreams(logs))
	if err != nil {
		t.Fatalf("up over SASL_SSL: %v", err)
	}
	assertTopic(t, ctx, adm, topic, 3, 3, nil)
	gate, _ := res.Outputs["latencyGate"].Value.(map[string]any)
	if gate["passed"] != true {
		t.Errorf("latencyGate over SASL_SSL = %v, want a passed measurement", gate)
	}

	cases := []struct {
		name, file, password string
		wants                []string
	}{
		{"wrong password", withCA, password + "-wrong", []string{"admin", "SCRAM-SHA-512"}},
		{"no CA", withoutCA, password, []string{"cluster.caCertFile", "certificate"}},
	}
	for _, tc := range cases {
		st := openSecure(t, ctx, "e2e-secure", tc.file, tc.password, "")
		_, err := st.Preview(ctx, optpreview.ProgressStreams(logs))
		if err == nil {
			t.Errorf("%s: preview passed", tc.name)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: the preview error does not name %q:\n%v", tc.name, w, err)
			}
		}
	}
}
