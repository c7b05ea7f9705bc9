# market-bus: every target works on a fresh machine; downloads are cached in .cache/.
SHELL := /bin/bash
GO    ?= go

.PHONY: all up-local test unit toolchain provider sdk sdk-check cluster-start cluster-stop promtool fmt vet clean

all: toolchain

## up-local: the quick start. Build the tools, start the local 3-broker cluster, deploy the local stack.
up-local: toolchain cluster-start
	.cache/bin/busctl up --stack local

## test: the whole suite against real brokers and real promtool (what .ci/run runs).
test:
	scripts/test

## unit: the tests that need no cluster, CLI or promtool (seconds).
unit:
	scripts/toolchain sdk
	$(GO) test -count=1 ./stacks/... ./tools/gensdk/...

toolchain:
	scripts/toolchain

provider:
	scripts/toolchain provider

## sdk: regenerate the Go SDK of our provider from its schema (never edit it by hand).
sdk:
	$(GO) run ./tools/gensdk -provider marketbus -out sdk/go/marketbus

sdk-check:
	$(GO) test -count=1 -run TestMarketbusSDKIsCurrent ./tools/gensdk/

cluster-start:
	scripts/local-cluster start

cluster-stop:
	scripts/local-cluster stop

promtool:
	scripts/install-promtool

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	scripts/toolchain sdk
	$(GO) vet ./...

clean:
	scripts/local-cluster wipe || true
	rm -rf .state reports

## render-prod: render the prod stack's Kubernetes manifests offline (a render-mode provider, no
## cluster) and decode each strictly into its k8s.io/api type. Heavy (builds the Kubernetes
## provider plugin, 5-10 min cold): not part of test or CI.
.PHONY: render-prod
render-prod:
	scripts/render-prod-manifests
