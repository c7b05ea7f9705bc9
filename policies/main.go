// Command policies is the market-bus-guardrails policy pack. The engine starts it, reads the
// port it prints and analyzes the stack through it; see package guardrails for the rules.
//
//	go build -o .cache/bin/market-bus-guardrails ./policies
//	pulumi preview --policy-pack=$PWD/.cache/bin/market-bus-guardrails
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/marketbus/market-bus/policies/guardrails"
)

func main() {
	if err := policyx.Main(guardrails.Factory); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
