//go:build tools

// Package k8sprovider pins the Kubernetes provider plugin that scripts/render-prod-manifests
// builds for the render test. It is never compiled: the script copies the provider's
// cmd/pulumi-resource-kubernetes out of the module cache next to a copy of this go.mod and
// go.sum and builds it there. This file only keeps `go mod tidy` from dropping what that
// build (and the provider's own generate.go) imports.
package k8sprovider

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
