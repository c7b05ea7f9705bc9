package provider

import (
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
)

func ptr[T any](v T) *T { return &v }

// reasons joins the failures' properties and reasons for substring checks.
func reasons(fs []p.CheckFailure) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Property + ": " + f.Reason + "\n")
	}
	return b.String()
}

func TestAclCanonicalRefusesBadBindings(t *testing.T) {
	ok := AclArgs{Principal: "User:feed-handler", ResourceType: "topic", ResourceName: "fx-stream-global", Operation: "Write"}
	with := func(f func(*AclArgs)) AclArgs { a := ok; f(&a); return a }
	cases := []struct {
		name  string
		args  AclArgs
		wants []string // empty: no failure
	}{
		{"valid write", ok, nil},
		{"operation case and spelling", with(func(a *AclArgs) {
			a.Operation = "idempotent_write"
			a.ResourceType = "cluster"
			a.ResourceName = "kafka-cluster"
		}), nil},
		{"alter on a group", with(func(a *AclArgs) { a.ResourceType = "group"; a.ResourceName = "analytics-x"; a.Operation = "Alter" }),
			[]string{"operation", "Alter does not apply to resourceType group", "Read, Describe, Delete"}},
		{"idempotent write on a topic", with(func(a *AclArgs) { a.Operation = "IdempotentWrite" }), []string{"does not apply to resourceType topic"}},
		{"unknown operation", with(func(a *AclArgs) { a.Operation = "Publish" }), []string{`operation "Publish" is not an ACL operation`}},
		{"empty prefix", with(func(a *AclArgs) { a.ResourceName = ""; a.PatternType = ptr("prefixed") }), []string{`resourceName is "" with patternType prefixed`}},
		{"principal without type", with(func(a *AclArgs) { a.Principal = "feed-handler" }), []string{"is not User:<name>"}},
		{"host name", with(func(a *AclArgs) { a.Host = ptr("desk-1.example.com") }), []string{"is not * or an IP address"}},
		{"cluster under another name", with(func(a *AclArgs) { a.ResourceType = "cluster"; a.Operation = "Describe" }), []string{"kafka-cluster"}},
		{"unknown resource type", with(func(a *AclArgs) { a.ResourceType = "schema" }), []string{`resourceType "schema"`}},
		{"unknown permission", with(func(a *AclArgs) { a.Permission = ptr("maybe") }), []string{`permission "maybe"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := tc.args.canonical()
			got := reasons(fs)
			if len(tc.wants) == 0 && len(fs) > 0 {
				t.Fatalf("failures for a valid binding:\n%s", got)
			}
			if len(tc.wants) > 0 && len(fs) == 0 {
				t.Fatalf("no failure, want %q", tc.wants)
			}
			for _, w := range tc.wants {
				if !strings.Contains(got, w) {
					t.Errorf("failures do not say %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestAclIDRoundTrips(t *testing.T) {
	cases := []AclArgs{
		{Principal: "User:analytics", ResourceType: "group", ResourceName: "analytics-", PatternType: ptr("prefixed"), Operation: "Read"},
		{Principal: "User:feed-handler", ResourceType: "cluster", ResourceName: "kafka-cluster", Operation: "IdempotentWrite"},
		{Principal: "User:x", Host: ptr("10.0.0.1"), ResourceType: "group", ResourceName: "a|b", Operation: "Describe", Permission: ptr("deny")},
	}
	for _, in := range cases {
		c, fs := in.canonical()
		if len(fs) > 0 {
			t.Fatalf("%+v: %s", in, reasons(fs))
		}
		back, err := parseAclID(AclID(c))
		if err != nil {
			t.Fatalf("parseAclID(%q): %v", AclID(c), err)
		}
		if AclID(back) != AclID(c) {
			t.Errorf("round trip: %q became %q", AclID(c), AclID(back))
		}
	}
	if _, err := parseAclID("User:x|*|topic"); err == nil || !strings.Contains(err.Error(), "principal|host|resourceType") {
		t.Errorf("a short id: err = %v, want the id's format", err)
	}
}

func TestUserAndQuotaChecks(t *testing.T) {
	cases := []struct {
		name     string
		failures []p.CheckFailure
		wants    []string
	}{
		{"valid user", validateUserArgs(UserArgs{Name: "feed-handler"}), nil},
		{"comma in a user name", validateUserArgs(UserArgs{Name: "feed,handler"}), []string{"name", `contains ','`}},
		{"wildcard user name", validateUserArgs(UserArgs{Name: "*"}), []string{`contains '*'`}},
		{"iterations below the minimum", validateUserArgs(UserArgs{Name: "a", Iterations: ptr(1000)}), []string{"iterations 1000", "4096-16384"}},
		{"not a SCRAM mechanism", validateUserArgs(UserArgs{Name: "a", Mechanism: ptr("PLAIN")}), []string{`mechanism "PLAIN"`}},
		{"empty password", validateUserArgs(UserArgs{Name: "a", Password: ptr("")}), []string{"password is empty"}},
		{"valid quota", validateQuotaArgs(ClientQuotaArgs{User: ptr("feed-handler"), ProducerByteRate: ptr(1 << 20)}), nil},
		{"default user quota", validateQuotaArgs(ClientQuotaArgs{User: ptr(DefaultEntity), ConsumerByteRate: ptr(4096)}), nil},
		{"quota below 1 KiB/s", validateQuotaArgs(ClientQuotaArgs{User: ptr("a"), ProducerByteRate: ptr(512)}), []string{"producerByteRate 512 B/s is below 1 KiB/s", "at least 1024"}},
		{"quota without an entity", validateQuotaArgs(ClientQuotaArgs{ProducerByteRate: ptr(4096)}), []string{"neither user nor clientId"}},
		{"quota without a rate", validateQuotaArgs(ClientQuotaArgs{User: ptr("a")}), []string{"no quota is set"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := reasons(tc.failures)
			if (len(tc.wants) == 0) != (len(tc.failures) == 0) {
				t.Fatalf("failures:\n%s\nwant %q", got, tc.wants)
			}
			for _, w := range tc.wants {
				if !strings.Contains(got, w) {
					t.Errorf("failures do not say %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestQuotaIDRoundTrips(t *testing.T) {
	for _, q := range []ClientQuotaArgs{{User: ptr("a")}, {User: ptr(DefaultEntity), ClientID: ptr("fx-1")}, {ClientID: ptr("c")}} {
		back, err := parseQuotaID(QuotaID(q))
		if err != nil || QuotaID(back) != QuotaID(q) {
			t.Errorf("round trip of %q: %q, %v", QuotaID(q), QuotaID(back), err)
		}
	}
	if _, err := parseQuotaID("group=x"); err == nil {
		t.Error("parseQuotaID accepted group=x")
	}
}
