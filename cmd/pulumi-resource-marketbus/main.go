// Command pulumi-resource-marketbus is the marketbus provider plugin the Pulumi engine runs.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/marketbus/market-bus/provider"
)

func main() {
	prov, err := provider.New()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := prov.Run(context.Background(), provider.Name, provider.Version); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
