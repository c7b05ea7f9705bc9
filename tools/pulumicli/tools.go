//go:build tools

// Package pulumicli only exists so that `go build` can resolve the Pulumi CLI
// at the version pinned in go.mod.
package pulumicli

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
