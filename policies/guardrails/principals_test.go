package guardrails

import "testing"

func principalCases(t testing.TB) []policyCase {
	acl := func(principal, typ, name, pattern, op string) map[string]any {
		return map[string]any{"principal": principal, "resourceType": typ, "resourceName": name, "patternType": pattern,
			"operation": op, "permission": "allow", "host": "*"}
	}
	user := func(name string) map[string]any { return map[string]any{"name": name, "mechanism": "SCRAM-SHA-512"} }
	feedUser := res(t, typeUser, "user-feed-handler", user("feed-handler"))
	feedWrite := res(t, typeACL, "acl-feed-write", acl("User:feed-handler", "topic", "fx-stream-global", "literal", "Write"))
	feedQuota := res(t, typeClientQuota, "quota-feed-handler", map[string]any{"user": "feed-handler", "producerByteRate": 16777216})
	return []policyCase{
		// acl-no-wildcard-all
		{name: "All on a named topic passes", policy: "acl-no-wildcard-all",
			resources: rs(res(t, typeACL, "acl-admin", acl("User:ops", "topic", "fx-stream-global", "literal", "All")))},
		{name: "Write on every topic passes this rule", policy: "acl-no-wildcard-all",
			resources: rs(res(t, typeACL, "acl-w", acl("User:ops", "topic", "*", "literal", "Write")))},
		{name: "All on a literal *", policy: "acl-no-wildcard-all", stack: "dev",
			resources: rs(res(t, typeACL, "acl-all", acl("User:ops", "topic", "*", "literal", "All"))),
			want: []string{`acl "acl-all": User:ops may do All on topic * on stack dev; rule: grant the operations of its roles ` +
				`(produce, consume, admin) on named topics instead`}},
		{name: "All on an empty prefix", policy: "acl-no-wildcard-all",
			resources: rs(res(t, typeACL, "acl-all", acl("User:ops", "group", "", "prefixed", "all"))),
			want: []string{`acl "acl-all": User:ops may do All on group * on stack prod; rule: grant the operations of its roles ` +
				`(produce, consume, admin) on named topics instead`}},

		// acl-no-wildcard-principal
		{name: "a named user passes", policy: "acl-no-wildcard-principal", resources: rs(feedWrite)},
		{name: "User:* on dev is not judged", policy: "acl-no-wildcard-principal", stack: "dev",
			resources: rs(res(t, typeACL, "acl-any", acl("User:*", "topic", "fx-stream-global", "literal", "Read")))},
		{name: "User:* on production", policy: "acl-no-wildcard-principal",
			resources: rs(res(t, typeACL, "acl-any", acl("User:*", "topic", "fx-stream-global", "literal", "Read"))),
			want:      []string{`acl "acl-any": principal User:* on topic fx-stream-global on stack prod (environment production); rule: name the application's own user`}},

		// principal-has-acl
		{name: "a user with a binding passes", policy: "principal-has-acl", resources: rs(feedUser, feedWrite)},
		{name: "an unknown principal judges nothing", policy: "principal-has-acl",
			resources: rs(feedUser, res(t, typeACL, "acl-later", map[string]any{"principal": unknownV{}}))},
		{name: "a user without a binding", policy: "principal-has-acl", stack: "dev",
			resources: rs(feedUser, feedWrite, res(t, typeUser, "user-idle", user("idle"))),
			want:      []string{`user "idle" has no Acl on stack dev; rule: give the principal at least one role (market-bus:principals[].roles) or remove it`}},

		// principal-quota
		{name: "a user with a quota passes", policy: "principal-quota", resources: rs(feedUser, feedQuota)},
		{name: "no quota on development passes", policy: "principal-quota", stack: "dev", resources: rs(feedUser)},
		{name: "a user without a quota on production", policy: "principal-quota",
			resources: rs(feedUser, feedQuota, res(t, typeUser, "user-analytics", user("analytics"))),
			want: []string{`user "analytics" has no ClientQuota on stack prod (environment production); ` +
				`rule: set market-bus:principals[].quota (producerByteRate, consumerByteRate)`}},
	}
}

func TestPrincipalPolicies(t *testing.T) { runCases(t, principalCases(t)) }
