package cluster

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// fakeImageID stands in for the image ID Docker reports after a pull.
const fakeImageID = "sha256:1111111111111111111111111111111111111111111111111111111111111111"

// recorded is one RegisterResource call as the engine would see it. The
// mock monitor hands over the full RPC, so resource options the inputs do
// not carry (parent, retain-on-delete, delete-before-replace, dependencies)
// are asserted from what the program really sent.
type recorded struct {
	Type                string         `json:"type"`
	Name                string         `json:"name"`
	Custom              bool           `json:"custom"`
	Parent              string         `json:"parent,omitempty"`
	RetainOnDelete      bool           `json:"retainOnDelete,omitempty"`
	DeleteBeforeReplace bool           `json:"deleteBeforeReplace,omitempty"`
	Dependencies        []string       `json:"dependencies,omitempty"`
	Inputs              map[string]any `json:"inputs"`

	rpc *pulumirpc.RegisterResourceRequest
	// raw keeps secret markers, which Inputs (Mappable) turns into *resource.Secret.
	raw resource.PropertyMap
}

// recordingMocks records every resource and answers like a provider would.
type recordingMocks struct {
	mu            sync.Mutex
	resources     []recorded
	outputsCalled int
}

var _ pulumi.MockResourceMonitor = (*recordingMocks)(nil)

func (m *recordingMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := recorded{
		Type:   args.TypeToken,
		Name:   args.Name,
		Custom: args.Custom,
		Inputs: args.Inputs.Mappable(),
		rpc:    args.RegisterRPC,
		raw:    args.Inputs,
	}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.RetainOnDelete = rpc.RetainOnDelete != nil && *rpc.RetainOnDelete
		r.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		r.Dependencies = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.Dependencies)
	}
	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()

	outs := args.Inputs.Copy()
	if args.TypeToken == "docker:index/remoteImage:RemoteImage" {
		outs["imageId"] = resource.NewStringProperty(fakeImageID)
	}
	return args.Name + "-id", outs, nil
}

func (m *recordingMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// RegisterResourceOutputs is the optional hook the mock monitor calls; it
// sees no outputs, only that the component registered them.
func (m *recordingMocks) RegisterResourceOutputs() (*emptypb.Empty, error) {
	m.mu.Lock()
	m.outputsCalled++
	m.mu.Unlock()
	return &emptypb.Empty{}, nil
}

// sorted returns the recorded resources ordered by type and name, the
// order registration happened in being concurrent.
func (m *recordingMocks) sorted() []recorded {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]recorded(nil), m.resources...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// byName finds a recorded resource by logical name.
func (m *recordingMocks) byName(name string) (recorded, bool) {
	for _, r := range m.sorted() {
		if r.Name == name {
			return r, true
		}
	}
	return recorded{}, false
}

// urnsOf keeps the URNs of one resource type, e.g. "docker:index/container:Container".
func urnsOf(urns []string, typ string) []string {
	var out []string
	for _, u := range urns {
		if strings.Contains(u, typ+"::") {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// assertInputs compares the listed inputs of r; other inputs are left to
// the golden test.
func assertInputs(t *testing.T, r recorded, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got := r.Inputs[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s.%s:\n got  %#v\n want %#v", r.Name, k, got, w)
		}
	}
}

func label(k, v string) map[string]any { return map[string]any{"label": k, "value": v} }

func labelList(m map[string]string) []any {
	var out []any
	for _, k := range sortedKeys(m) {
		out = append(out, label(k, m[k]))
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readGoldenLines(t *testing.T, name string) []string {
	return strings.Split(strings.TrimSuffix(readGolden(t, name), "\n"), "\n")
}
