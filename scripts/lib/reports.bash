# shellcheck shell=bash
# Sourced by scripts/gate-soak and scripts/fresh-start-check: the gate's JSON reports.

# newest_report DIR prints the newest gate report JSON in DIR, or nothing.
newest_report() {
	local f newest=
	for f in "$1"/gate-*.json; do
		[[ -e $f ]] || continue
		if [[ -z $newest || $f -nt $newest ]]; then newest=$f; fi
	done
	printf '%s' "$newest"
}
