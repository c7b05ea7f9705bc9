package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/marketbus/market-bus/driver"
	"github.com/marketbus/market-bus/tests/kafkatest"
)

// destroyModes are the schema deletion modes the destroy test covers, one topic and
// subject each.
var destroyModes = []string{"soft", "hard", "retain"}

// destroyStackFile writes the config of a stack of its own with, per deletion mode, a topic
// and its value subject (compatibility FULL, so each also has a SubjectConfig); the topic of
// the soft subject is protected unless unprotect. No gate: destroy is what is tested.
func destroyStackFile(t *testing.T, prefix string, unprotect bool) string {
	t.Helper()
	var topics, schemas []map[string]any
	for _, mode := range destroyModes {
		topics = append(topics, map[string]any{"name": prefix + "-" + mode, "partitions": 3, "replicationFactor": 3,
			"deletionProtection": mode == "soft" && !unprotect,
			"config":             map[string]any{"retention.ms": "3600000", "min.insync.replicas": "2"}})
		schemas = append(schemas, map[string]any{"subject": prefix + "-" + mode + "-value", "file": "schemas/fx_tick.avsc",
			"compatibility": "FULL", "deletionMode": mode})
	}
	return ownStackFile(t, "e2e-destroy", nil, topics, schemas, map[string]any{"enabled": false})
}

// openDestroyStack opens the e2e-destroy stack in the test's backend with file as its
// config: the config of the last Open is the one the engine sees.
func openDestroyStack(t *testing.T, ctx context.Context, file string) auto.Stack {
	t.Helper()
	st, err := driver.Open(ctx, stackOptions(t, "e2e-destroy", file))
	if err != nil {
		t.Fatalf("opening the e2e-destroy stack: %v", err)
	}
	return st
}

// TestDestroyOnLocalStack: destroy refuses a protected topic; once protection is off it
// deletes every topic, and per subject exactly what its deletionMode says, read back from
// the registry: soft leaves the stack's version soft-deleted, hard purges it, retain keeps
// it; a version registered out of band survives every mode, and each subject's
// compatibility goes back to the registry's global level.
func TestDestroyOnLocalStack(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	adm := brokerAdmin(t)
	reg, err := sr.NewClient(sr.URLs(kafkatest.RegistryURL()))
	if err != nil {
		t.Fatal(err)
	}
	logs := &testLog{t: t}
	prefix := fmt.Sprintf("e2e-destroy-%d", time.Now().UnixNano()%1e6)
	subject := func(mode string) string { return prefix + "-" + mode + "-value" }
	protectedFile, unprotectedFile := destroyStackFile(t, prefix, false), destroyStackFile(t, prefix, true)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		st := openDestroyStack(t, ctx, unprotectedFile)
		_, _ = st.Destroy(ctx, optdestroy.ProgressStreams(logs))
		_ = st.Workspace().RemoveStack(ctx, "e2e-destroy")
		for _, mode := range destroyModes {
			_, _ = reg.DeleteSubject(ctx, subject(mode), sr.SoftDelete)
			_, _ = reg.DeleteSubject(ctx, subject(mode), sr.HardDelete)
		}
	})

	st := openDestroyStack(t, ctx, protectedFile)
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up: %v", err)
	}
	// Someone else registers a second version of every subject: it is theirs, not the stack's.
	outOfBand := readRepoFile(t, "schemas/fx_tick.avsc")
	outOfBand = strings.Replace(outOfBand, `"fields": [`, `"fields": [{"name": "desk", "type": ["null", "string"], "default": null},`, 1)
	for _, mode := range destroyModes {
		if got := versionStates(t, ctx, reg, subject(mode)); !maps.Equal(got, map[int]string{1: "live"}) {
			t.Fatalf("after up, %s has versions %v, want only version 1, live", subject(mode), got)
		}
		if _, err := reg.CreateSchema(ctx, subject(mode), sr.Schema{Schema: outOfBand, Type: sr.TypeAvro}); err != nil {
			t.Fatalf("registering an out-of-band version of %s: %v", subject(mode), err)
		}
	}

	_, err = st.Destroy(ctx, optdestroy.ProgressStreams(logs))
	want := fmt.Sprintf("%s-soft", prefix)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "deletionProtection") {
		t.Fatalf("destroy with a protected topic: err = %v, want a refusal naming %s and deletionProtection", err, want)
	}
	if !topicExists(t, ctx, adm, want) {
		t.Fatalf("the protected topic %s was deleted", want)
	}

	st = openDestroyStack(t, ctx, unprotectedFile)
	if _, err := st.Up(ctx, optup.ProgressStreams(logs)); err != nil {
		t.Fatalf("up turning protection off: %v", err)
	}
	if _, err := st.Destroy(ctx, optdestroy.ProgressStreams(logs)); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	for _, mode := range destroyModes {
		if name := prefix + "-" + mode; topicExists(t, ctx, adm, name) {
			t.Errorf("topic %s survived destroy", name)
		}
	}
	global := reg.Compatibility(ctx)
	if len(global) != 1 || global[0].Err != nil {
		t.Fatalf("reading the registry's global compatibility: %+v", global)
	}
	cases := []struct {
		mode string
		want map[int]string
	}{
		{"soft", map[int]string{1: "soft-deleted", 2: "live"}},
		{"hard", map[int]string{2: "live"}},
		{"retain", map[int]string{1: "live", 2: "live"}},
	}
	for _, tc := range cases {
		s := subject(tc.mode)
		if got := versionStates(t, ctx, reg, s); !maps.Equal(got, tc.want) {
			t.Errorf("deletionMode %s: versions after destroy %v, want %v (version 2 was registered out of band)", tc.mode, got, tc.want)
		}
		res := reg.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), s)
		if len(res) != 1 || res[0].Err != nil || res[0].Level != global[0].Level || res[0].Level == sr.CompatFull {
			t.Errorf("deletionMode %s: compatibility after destroy %+v, want the global level %v (the stack's FULL reset)", tc.mode, res, global[0].Level)
		}
	}
}

// versionStates reads every version of subject back from the registry as "live" or
// "soft-deleted"; a purged version is absent. Confluent's API hides a soft-deleted version
// unless ?deleted=true. The local registry (Apicurio 2.4) keeps listing it there and marks it
// DISABLED in its own API, so that state is read too.
func versionStates(t *testing.T, ctx context.Context, reg *sr.Client, subject string) map[int]string {
	t.Helper()
	live := versions(t, ctx, reg, subject)
	states := map[int]string{}
	for _, v := range versions(t, sr.WithParams(ctx, sr.ShowDeleted), reg, subject) {
		states[v] = "soft-deleted"
		if slices.Contains(live, v) && apicurioState(t, subject, v) != "DISABLED" {
			states[v] = "live"
		}
	}
	return states
}

// apicurioState is the version's state in Apicurio's native API ("" on another registry).
func apicurioState(t *testing.T, subject string, version int) string {
	t.Helper()
	base := strings.TrimSuffix(kafkatest.RegistryURL(), "/apis/ccompat/v7")
	resp, err := http.Get(fmt.Sprintf("%s/apis/registry/v2/groups/default/artifacts/%s/versions/%d/meta", base, subject, version))
	if err != nil {
		t.Fatalf("reading the version's state from the registry: %v", err)
	}
	defer resp.Body.Close()
	var meta struct {
		State string `json:"state"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&meta) != nil {
		return ""
	}
	return meta.State
}

// versions lists the subject's versions, sorted; none when the registry does not know it.
func versions(t *testing.T, ctx context.Context, reg *sr.Client, subject string) []int {
	t.Helper()
	v, err := reg.SubjectVersions(ctx, subject)
	if err != nil {
		if re := (*sr.ResponseError)(nil); errors.As(err, &re) && re.StatusCode == 404 {
			return nil
		}
		t.Fatalf("listing versions of %s: %v", subject, err)
	}
	slices.Sort(v)
	return v
}

func readRepoFile(t *testing.T, rel string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
