# shellcheck shell=bash
# Sourced by scripts/test and scripts/e2e-under-load: each e2e test deploys the local stack's
# topics from a state backend of its own, so a local stack that `make up-local` deployed (it
# holds those topics) is taken down before the tests and deployed again after them. Its topics
# are fixtures of the local cluster: records in them are not kept.

local_stack_parked=0

# park_local_stack destroys the repository's local stack when it holds topics.
park_local_stack() {
	local state=.state/backend/.pulumi/stacks/market-bus/local.json
	[[ -f $state ]] && grep -q '"urn:pulumi:local::market-bus::marketbus:index:Topic' "$state" || return 0
	printf '%s\n' "the local stack is deployed: destroying it for the e2e tests (it is deployed again after them)" >&2
	.cache/bin/busctl destroy --stack local --yes
	local_stack_parked=1
}

# restore_local_stack deploys the local stack again if park_local_stack took it down.
restore_local_stack() {
	((local_stack_parked)) || return 0
	printf '%s\n' "deploying the local stack again" >&2
	.cache/bin/busctl up --stack local --yes || printf '%s\n' "could not deploy the local stack again: run make up-local" >&2
}
