package nodepool

import (
	"fmt"
	"sort"
	"strings"
)

// The node floor for a Redpanda broker node.
const (
	// MinMemoryGiB leaves a 1-core broker its 2 GiB plus the kubelet's,
	// the system daemons' and the page cache's share.
	MinMemoryGiB = 4
	// MinNetworkGbps is the sustained bandwidth a broker needs to
	// replicate to two peers and serve clients at the same time.
	MinNetworkGbps = 10
)

// InstanceType is one EC2 instance type's published figures.
type InstanceType struct {
	VCPUs     int
	MemoryGiB float64
	// NetworkGbps is the "Network performance" figure AWS publishes.
	NetworkGbps float64
	// UpTo marks a figure published as "Up to N Gbps". Such an instance
	// has a much lower baseline and reaches N only by spending network
	// I/O credits, for 5 to 60 minutes at a time (EC2 User Guide, "Amazon
	// EC2 instance network bandwidth"). A broker replicates continuously,
	// so once the credits run out it falls to the baseline: "up to 10
	// Gbps" is not the 10 Gbps class, nor is "up to 25".
	UpTo bool
}

// instanceTypes is the checked table: only types whose figures were
// copied from AWS's instance type pages can pass the floor. Add a type
// with its published figures before using it.
var instanceTypes = map[string]InstanceType{
	// m5 (the floor's reference: m5.8xlarge is AWS's own 10 Gbps example)
	"m5.large":   {2, 8, 10, true},
	"m5.xlarge":  {4, 16, 10, true},
	"m5.2xlarge": {8, 32, 10, true},
	"m5.4xlarge": {16, 64, 10, true},
	"m5.8xlarge": {32, 128, 10, false},
	// m5n: network-optimised m5
	"m5n.large":    {2, 8, 25, true},
	"m5n.xlarge":   {4, 16, 25, true},
	"m5n.2xlarge":  {8, 32, 25, true},
	"m5n.4xlarge":  {16, 64, 25, true},
	"m5n.8xlarge":  {32, 128, 25, false},
	"m5n.12xlarge": {48, 192, 50, false},
	// m6i
	"m6i.large":    {2, 8, 12.5, true},
	"m6i.xlarge":   {4, 16, 12.5, true},
	"m6i.2xlarge":  {8, 32, 12.5, true},
	"m6i.4xlarge":  {16, 64, 12.5, true},
	"m6i.8xlarge":  {32, 128, 12.5, false},
	"m6i.12xlarge": {48, 192, 18.75, false},
	"m6i.16xlarge": {64, 256, 25, false},
	// r6i
	"r6i.large":    {2, 16, 12.5, true},
	"r6i.xlarge":   {4, 32, 12.5, true},
	"r6i.2xlarge":  {8, 64, 12.5, true},
	"r6i.4xlarge":  {16, 128, 12.5, true},
	"r6i.8xlarge":  {32, 256, 12.5, false},
	"r6i.12xlarge": {48, 384, 18.75, false},
	// c6in: network-optimised c6i
	"c6in.large":    {2, 4, 25, true},
	"c6in.xlarge":   {4, 8, 30, true},
	"c6in.2xlarge":  {8, 16, 40, true},
	"c6in.4xlarge":  {16, 32, 50, true},
	"c6in.8xlarge":  {32, 64, 50, false},
	"c6in.12xlarge": {48, 96, 75, false},
	"c6in.16xlarge": {64, 128, 100, false},
	// t3: burstable, here so the refusal says why rather than "unknown"
	"t3.small":  {2, 2, 5, true},
	"t3.medium": {2, 4, 5, true},
}

// LookupInstanceType returns the table's figures for name.
func LookupInstanceType(name string) (InstanceType, bool) {
	t, ok := instanceTypes[name]
	return t, ok
}

// network renders the published figure, e.g. "up to 12.5 Gbps".
func (t InstanceType) network() string {
	if t.UpTo {
		return fmt.Sprintf("up to %g Gbps", t.NetworkGbps)
	}
	return fmt.Sprintf("%g Gbps", t.NetworkGbps)
}

// belowFloor says why t is below the node floor, or "" when it is not.
func (t InstanceType) belowFloor() string {
	switch {
	case t.MemoryGiB < MinMemoryGiB:
		return fmt.Sprintf("%g GiB of memory is below the %d GiB floor", t.MemoryGiB, MinMemoryGiB)
	case t.UpTo:
		return fmt.Sprintf("its network is %q, a burst ceiling paid for with network I/O credits, not the sustained %d Gbps the floor asks for", t.network(), MinNetworkGbps)
	case t.NetworkGbps < MinNetworkGbps:
		return fmt.Sprintf("its %s network is below the %d Gbps floor", t.network(), MinNetworkGbps)
	}
	return ""
}

// EligibleInstanceTypes lists the table's types that meet the floor,
// smallest first (by memory, then name).
func EligibleInstanceTypes() []string {
	var out []string
	for name, t := range instanceTypes {
		if t.belowFloor() == "" {
			out = append(out, name)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := instanceTypes[out[i]], instanceTypes[out[j]]
		if a.MemoryGiB != b.MemoryGiB {
			return a.MemoryGiB < b.MemoryGiB
		}
		return out[i] < out[j]
	})
	return out
}

// suggestions names the smallest eligible type of each family, smallest
// first, for refusal messages.
func suggestions(n int) string {
	seen := map[string]bool{}
	var out []string
	for _, name := range EligibleInstanceTypes() {
		family, _, _ := strings.Cut(name, ".")
		if !seen[family] && len(out) < n {
			seen[family] = true
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}
