// Command market-bus is the Pulumi program for users who run `pulumi up` themselves; CI and
// this repository's tooling run the same program through cmd/busctl.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/stacks"
)

func main() {
	pulumi.Run(stacks.Program)
}
