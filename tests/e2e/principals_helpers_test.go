package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// principalClient is a franz-go client that logs in as user over the secure listener.
func principalClient(t *testing.T, user, password string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(tlsDir(t), "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	base := []kgo.Opt{
		kgo.SeedBrokers(secureBootstrap...), kgo.ClientID("e2e-" + user),
		kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}),
		kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha512Mechanism()),
		kgo.RequestRetries(2), kgo.RetryTimeout(20 * time.Second),
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatalf("client for %s: %v", user, err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produceOne produces one record and returns the broker's answer.
func produceOne(ctx context.Context, cl *kgo.Client, topic string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("tick")}).FirstErr()
}

// consumeErr polls until a record arrives (nil) or the broker refuses (its error).
func consumeErr(ctx context.Context, cl *kgo.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("nothing consumed within 60 s: %w", ctx.Err())
		}
		var err error
		fs.EachError(func(_ string, _ int32, e error) {
			if err == nil && !errors.Is(e, context.DeadlineExceeded) {
				err = e
			}
		})
		if err != nil {
			return err
		}
		if fs.NumRecords() > 0 {
			return nil
		}
	}
}

// throttleHook records the largest throttle time the brokers report.
type throttleHook struct{ maxMs atomic.Int64 }

// OnBrokerThrottle implements kgo.HookBrokerThrottle.
func (h *throttleHook) OnBrokerThrottle(_ kgo.BrokerMetadata, d time.Duration, _ bool) {
	if ms := d.Milliseconds(); ms > h.maxMs.Load() {
		h.maxMs.Store(ms)
	}
}

// principalOf returns a principal's entry of the principals output.
func principalOf(t *testing.T, outs auto.OutputMap, name string) map[string]any {
	t.Helper()
	all, _ := outs["principals"].Value.(map[string]any)
	p, _ := all[name].(map[string]any)
	if p == nil {
		t.Fatalf("the principals output has no %s: %v", name, keysOf(all))
	}
	return p
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// aclBindingExists asks the cluster for one exact allow binding.
func aclBindingExists(t *testing.T, ctx context.Context, adm *kadm.Client, principal, topic string, op kadm.ACLOperation) bool {
	t.Helper()
	b := kadm.NewACLs().Topics(topic).ResourcePatternType(kadm.ACLPatternLiteral).Allow(principal).AllowHosts("*").Operations(op)
	res, err := adm.DescribeACLs(ctx, b)
	if err != nil {
		t.Fatalf("describing ACLs: %v", err)
	}
	for _, r := range res {
		if len(r.Described) > 0 {
			return true
		}
	}
	return false
}

// removeACLWithKafkaTool deletes one binding with Kafka's own ACL tool, as an operator would.
func removeACLWithKafkaTool(t *testing.T, ctx context.Context, principal, operation, topic string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "scripts", "local-cluster"), "run-class", "org.apache.kafka.tools.AclCommand",
		"--bootstrap-server", "127.0.0.1:19092", "--remove", "--force", "--allow-principal", principal, "--operation", operation, "--topic", topic)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kafka AclCommand --remove: %v\n%s", err, out)
	}
}

// isCode reports whether err is the Kafka error code want.
func isCode(err error, want *kerr.Error) bool { return errors.Is(err, want) }
