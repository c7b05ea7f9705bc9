# market-bus: every target works on a fresh machine; downloads are cached in .cache/.
SHELL := /bin/bash
GO    ?= go

.PHONY: help all up-local test test-k8s unit toolchain provider sdk sdk-check cluster-start cluster-stop k8s-start k8s-stop promtool fmt vet clean

# `make` alone prints the targets instead of starting a build of several minutes.
.DEFAULT_GOAL := help

## help: list the targets (this text).
help:
	@awk 'BEGIN { FS = ": " } /^## [a-z0-9-]+: / { sub(/^## /, ""); name = $$1; sub(/^[^:]*: /, ""); printf "  make %-14s %s\n", name, $$0 }' $(MAKEFILE_LIST)

## all: the same as toolchain.
all: toolchain

## up-local: the quick start. Build the tools, start the local 3-broker cluster, deploy the local stack.
up-local: toolchain cluster-start
	.cache/bin/busctl up --stack local --yes

## test: the whole suite against real brokers and real promtool (what .ci/run runs).
test:
	scripts/test

## test-k8s: the prod stack on a real Kubernetes API server (kwok nodes); builds the control plane the first time (30 CPU-min).
test-k8s:
	scripts/test-k8s

## k8s-start: start the local Kubernetes control plane (scripts/k8s-cluster; idempotent).
k8s-start:
	scripts/k8s-cluster start

## k8s-stop: stop the local Kubernetes control plane; its etcd data stays.
k8s-stop:
	scripts/k8s-cluster stop

## unit: the tests that need no cluster, CLI or promtool (seconds).
unit:
	$(GO) test -count=1 ./stacks/... ./tools/gensdk/...

## toolchain: build the Pulumi CLI, our provider, busctl and the policy pack into .cache/ (minutes the first time).
toolchain:
	scripts/toolchain

## provider: rebuild only our provider, busctl and the policy pack.
provider:
	scripts/toolchain provider

## sdk: regenerate the committed Go SDKs: ours from the provider, Grafana's from ../shared (never edit them by hand).
sdk:
	$(GO) run ./tools/gensdk -provider marketbus -out sdk/go/marketbus
	scripts/gen-grafana-sdk

## sdk-check: fail when a committed SDK is not what its schema generates.
sdk-check:
	$(GO) test -count=1 -run 'TestMarketbusSDKIsCurrent|TestGrafanaSDKIsCurrent' ./tools/gensdk/

## cluster-start: start the local 3-broker cluster and schema registry (idempotent).
cluster-start:
	scripts/local-cluster start

## cluster-stop: stop the local cluster; its data stays.
cluster-stop:
	scripts/local-cluster stop

## promtool: install promtool into .cache/ for the monitoring tests.
promtool:
	scripts/install-promtool

## fmt: gofmt every Go file.
fmt:
	gofmt -w $$(git ls-files '*.go')

## vet: go vet the module.
vet:
	scripts/toolchain sdk
	$(GO) vet ./...

## clean: delete build outputs, reports and busctl's work copies. Never stack state
## (.state/backend) and never the local cluster's data: `busctl destroy` removes what a stack
## made, and `scripts/local-cluster wipe` the cluster.
clean:
	rm -rf .cache/bin .state/work reports

## render-prod: render the prod stack's Kubernetes manifests offline (a render-mode provider, no
## cluster) and decode each strictly into its k8s.io/api type. Heavy (builds the Kubernetes
## provider plugin, 5-10 min cold): not part of test or CI.
.PHONY: render-prod
render-prod:
	scripts/render-prod-manifests
