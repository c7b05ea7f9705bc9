package nodepool

import (
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// recorded is one RegisterResource call.
type recorded struct {
	Type, Name, Parent string
	Inputs             map[string]any
	Dependencies       []string
}

// mocks records every resource and answers like the providers would.
type mocks struct {
	mu        sync.Mutex
	resources []recorded
}

var _ pulumi.MockResourceMonitor = (*mocks)(nil)

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r := recorded{Type: args.TypeToken, Name: args.Name, Inputs: args.Inputs.Mappable()}
	if rpc := args.RegisterRPC; rpc != nil {
		r.Parent = rpc.GetParent()
		r.Dependencies = append([]string(nil), rpc.GetDependencies()...)
		sort.Strings(r.Dependencies)
	}
	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	outs := args.Inputs.Copy()
	if args.TypeToken == "aws:ec2/launchTemplate:LaunchTemplate" {
		outs["latestVersion"] = resource.NewNumberProperty(1)
	}
	return args.Name + "-id", outs, nil
}

func (m *mocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func (m *mocks) byName(name string) (recorded, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.resources {
		if r.Name == name {
			return r, true
		}
	}
	return recorded{}, false
}

func (m *mocks) names() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, r := range m.resources {
		out = append(out, r.Type+" "+r.Name)
	}
	sort.Strings(out)
	return out
}
