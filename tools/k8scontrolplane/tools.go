//go:build tools

// Package k8scontrolplane only exists so that `go build` resolves the control
// plane binaries and etcd at the versions pinned in go.mod.
package k8scontrolplane

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
