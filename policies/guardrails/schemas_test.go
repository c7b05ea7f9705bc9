package guardrails

import "testing"

func schemaCases(t testing.TB) []policyCase {
	telemetry := res(t, typeTopic, "telemetry", topic(t, "market-telemetry", nil))
	fx := res(t, typeTopic, "fx", topic(t, "fx-stream-global", nil))
	schema := func(subject string) map[string]any {
		return map[string]any{"subject": subject, "schemaType": "AVRO", "schema": `{"type":"string"}`}
	}
	subjectConfig := func(subject, level string) map[string]any {
		return map[string]any{"subject": subject, "compatibility": level}
	}
	return []policyCase{
		// schema-compatibility
		{name: "BACKWARD passes", policy: "schema-compatibility",
			resources: rs(res(t, typeSubjectConfig, "fx-compat", subjectConfig("fx-stream-global-value", "BACKWARD")))},
		{name: "NONE on prod", policy: "schema-compatibility",
			resources: rs(res(t, typeSubjectConfig, "fx-compat", subjectConfig("fx-stream-global-value", "NONE"))),
			want:      []string{`subject config "fx-stream-global-value": compatibility NONE is not allowed on stack prod; rule: schema changes must be checked (use BACKWARD, BACKWARD_TRANSITIVE, FORWARD or FULL)`}},
		{name: "none in lower case", policy: "schema-compatibility",
			resources: rs(res(t, typeSubjectConfig, "fx-compat", subjectConfig("fx-stream-global-value", "none"))),
			want:      []string{`subject config "fx-stream-global-value": compatibility none is not allowed on stack prod; rule: schema changes must be checked (use BACKWARD, BACKWARD_TRANSITIVE, FORWARD or FULL)`}},
		{name: "NONE on dev is fine", policy: "schema-compatibility", stack: "dev",
			resources: rs(res(t, typeSubjectConfig, "fx-compat", subjectConfig("fx-stream-global-value", "NONE")))},
		{name: "configured forbidden levels", policy: "schema-compatibility", config: map[string]any{"forbiddenLevels": []any{"NONE", "FORWARD"}},
			resources: rs(res(t, typeSubjectConfig, "fx-compat", subjectConfig("fx-stream-global-value", "FORWARD"))),
			want:      []string{`subject config "fx-stream-global-value": compatibility FORWARD is not allowed on stack prod; rule: schema changes must be checked (use BACKWARD, BACKWARD_TRANSITIVE, FORWARD or FULL)`}},

		// schema-hard-delete
		{name: "soft passes", policy: "schema-hard-delete",
			resources: rs(res(t, typeSchema, "fx-value", withMode(schema("fx-stream-global-value"), "soft")))},
		{name: "default (unset) passes", policy: "schema-hard-delete",
			resources: rs(res(t, typeSchema, "fx-value", schema("fx-stream-global-value")))},
		{name: "hard on production", policy: "schema-hard-delete",
			resources: rs(res(t, typeSchema, "fx-value", withMode(schema("fx-stream-global-value"), "hard"))),
			want: []string{`schema "fx-stream-global-value": deletionMode hard on stack prod (environment production); rule: a destroy would permanently purge ` +
				`the versions this resource registered, and records that carry their ids could no longer be decoded; use deletionMode: soft (recoverable) or retain`}},
		{name: "hard on a stack named prod-eu declaring production", policy: "schema-hard-delete", stack: "prod-eu", env: "production",
			resources: rs(res(t, typeSchema, "fx-value", withMode(schema("fx-stream-global-value"), "hard"))),
			want: []string{`schema "fx-stream-global-value": deletionMode hard on stack prod-eu (environment production); rule: a destroy would permanently purge ` +
				`the versions this resource registered, and records that carry their ids could no longer be decoded; use deletionMode: soft (recoverable) or retain`}},
		{name: "hard on development is fine", policy: "schema-hard-delete", stack: "local",
			resources: rs(res(t, typeSchema, "fx-value", withMode(schema("fx-stream-global-value"), "hard")))},

		// schema-subject-topic
		{name: "value and key subjects of stack topics pass", policy: "schema-subject-topic", stack: "dev",
			resources: rs(telemetry, fx,
				res(t, typeSchema, "fx-value", schema("fx-stream-global-value")),
				res(t, typeSchema, "fx-key", schema("fx-stream-global-key")),
				res(t, typeSubjectConfig, "telemetry-compat", subjectConfig("market-telemetry-value", "BACKWARD")))},
		{name: "subject of a missing topic", policy: "schema-subject-topic", stack: "dev",
			resources: rs(telemetry, res(t, typeSchema, "fx-value", schema("fx-stream-value"))),
			want:      []string{`schema "fx-stream-value": subject "fx-stream-value" maps to topic "fx-stream" (TopicNameStrategy, -value), but no Topic resource of the stack is named "fx-stream"`}},
		{name: "subject without a suffix", policy: "schema-subject-topic",
			resources: rs(telemetry, res(t, typeSubjectConfig, "odd", subjectConfig("market-telemetry", "BACKWARD"))),
			want:      []string{`subject config "market-telemetry": subject "market-telemetry" does not end in "-value" or "-key"; rule: subjects follow TopicNameStrategy (<topic>-value, <topic>-key)`}},
		{name: "unknown topic name judges nothing", policy: "schema-subject-topic",
			resources: rs(res(t, typeTopic, "later", map[string]any{"name": unknownV{}}), res(t, typeSchema, "fx-value", schema("fx-stream-value")))},
	}
}

// withMode sets a Schema's deletionMode.
func withMode(props map[string]any, mode string) map[string]any {
	props["deletionMode"] = mode
	return props
}

func TestSchemaPolicies(t *testing.T) { runCases(t, schemaCases(t)) }
