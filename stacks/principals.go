package stacks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/topicrules"
)

// KeyPrincipals is the stack's application principals: SCRAM users, their ACLs and quotas.
const KeyPrincipals = "principals"

// GateUser is the principal the latency gate logs in as on a cluster that authenticates
// clients; the provider keeps the superuser.
const GateUser = "market-bus-gate"

// Access kinds of a role.
const (
	AccessProduce = "produce"
	AccessConsume = "consume"
	AccessAdmin   = "admin"
)

// minQuotaByteRate is the lowest byte rate a quota may set (the provider's floor too).
const minQuotaByteRate = 1024

// PrincipalSpec is one application principal: a SCRAM user, what it may do, its quota.
type PrincipalSpec struct {
	Name  string     `json:"name"`
	Roles []RoleSpec `json:"roles"`
	Quota *QuotaSpec `json:"quota"`
}

// RoleSpec grants one kind of access to one topic (a name, or a prefix ending in *).
type RoleSpec struct {
	Topic  string `json:"topic"`
	Access string `json:"access"`
	// Group is the consumer group of a consume role, or a prefix ending in *.
	Group string `json:"group"`
}

// QuotaSpec is a principal's client quota, per broker; a field left at 0 sets no limit.
type QuotaSpec struct {
	ProducerByteRate  int     `json:"producerByteRate"`
	ConsumerByteRate  int     `json:"consumerByteRate"`
	RequestPercentage float64 `json:"requestPercentage"`
}

// ACLSpec is one ACL binding a role expands into; the principal is User:<name>.
type ACLSpec struct {
	ResourceType string // topic, group or cluster
	ResourceName string
	PatternType  string // literal or prefixed
	Operation    string
	// External marks a literal topic the stack does not own: the binding is refused when
	// the topic is not on the cluster.
	External bool
}

// userNameRE is what a principal's name may hold: SCRAM reserves ',' and '=', and '*' would
// read as the wildcard principal User:*.
var userNameRE = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,128}$`)

// pattern splits "name" or "prefix*" into a name and its pattern type.
func pattern(s string) (string, string) {
	if strings.HasSuffix(s, "*") {
		return strings.TrimSuffix(s, "*"), "prefixed"
	}
	return s, "literal"
}

// ACLs expands the principal's roles into the minimal bindings, without duplicates:
// produce = Write + Describe on the topic and IdempotentWrite on the cluster (franz-go and
// librdkafka produce idempotently by default); consume = Read + Describe on the topic and
// Read on the group; admin = All on the topic. owned reports whether the stack owns a topic.
func (p PrincipalSpec) ACLs(owned func(string) bool) []ACLSpec {
	var out []ACLSpec
	seen := map[ACLSpec]bool{}
	add := func(a ACLSpec) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, r := range p.Roles {
		name, pat := pattern(r.Topic)
		topic := func(op string) ACLSpec {
			return ACLSpec{ResourceType: "topic", ResourceName: name, PatternType: pat, Operation: op, External: pat == "literal" && !owned(name)}
		}
		switch r.Access {
		case AccessProduce:
			add(topic("Write"))
			add(topic("Describe"))
			add(ACLSpec{ResourceType: "cluster", ResourceName: "kafka-cluster", PatternType: "literal", Operation: "IdempotentWrite"})
		case AccessConsume:
			add(topic("Read"))
			add(topic("Describe"))
			g, gp := pattern(r.Group)
			add(ACLSpec{ResourceType: "group", ResourceName: g, PatternType: gp, Operation: "Read"})
		case AccessAdmin:
			add(topic("All"))
		}
	}
	return out
}

// gateACLs are exactly what the latency gate does on its topic: it checks the topic
// (Describe), produces idempotently and reads its partitions directly, in no group.
func gateACLs(topic string) []ACLSpec {
	t := func(op string) ACLSpec {
		return ACLSpec{ResourceType: "topic", ResourceName: topic, PatternType: "literal", Operation: op}
	}
	return []ACLSpec{t("Write"), t("Read"), t("Describe"),
		{ResourceType: "cluster", ResourceName: "kafka-cluster", PatternType: "literal", Operation: "IdempotentWrite"}}
}

// validatePrincipals returns the errors of market-bus:principals, each naming its key path,
// the value and the fix, and the warnings worth printing (a role on a topic the stack does
// not own).
func (s Spec) validatePrincipals() (errs []error, warnings []string) {
	add := func(key string, value any, problem, fix string) {
		errs = append(errs, fielderr.New(Key(key), value, problem, fix))
	}
	owned := s.ownsTopic
	seen := map[string]int{}
	reserved := map[string]string{GateUser: "the latency gate's own user"}
	if s.Cluster.SASL != nil {
		reserved[s.Cluster.SASL.Username] = "the provider's superuser (cluster.sasl.username)"
	}
	for i, p := range s.Principals {
		at := fmt.Sprintf("%s[%d]", KeyPrincipals, i)
		switch {
		case !userNameRE.MatchString(p.Name):
			add(at+".name", fmt.Sprintf("%q", p.Name), "cannot be a SCRAM user name",
				"use 1-128 letters, digits and . _ - @ (SCRAM reserves ',' and '=', '*' is the wildcard)")
		case reserved[p.Name] != "":
			add(at+".name", fmt.Sprintf("%q", p.Name), "it is "+reserved[p.Name]+": the stack would overwrite its password",
				"give the application a name of its own")
		}
		if j, dup := seen[p.Name]; dup {
			add(at+".name", fmt.Sprintf("%q", p.Name), fmt.Sprintf("it is also %s: each principal is one SCRAM user", Key(fmt.Sprintf("%s[%d].name", KeyPrincipals, j))),
				"merge their roles")
		} else {
			seen[p.Name] = i
		}
		if len(p.Roles) == 0 {
			add(at+".roles", "[]", "a principal without a role can do nothing", "give it at least one {topic, access}")
		}
		for j, r := range p.Roles {
			rat := fmt.Sprintf("%s.roles[%d]", at, j)
			name, pat := pattern(r.Topic)
			switch {
			case r.Topic == "":
				add(rat+".topic", `""`, "no topic is named", "name the topic (or a prefix ending in *)")
			case name == "":
				add(rat+".topic", fmt.Sprintf("%q", r.Topic), `a prefix of "" matches every topic`, "name the topic or a non-empty prefix such as fx-*")
			case !topicrules.ValidCharacters(name):
				add(rat+".topic", fmt.Sprintf("%q", r.Topic), "not a topic name", "use letters, digits, '.', '_' and '-' (a trailing * for a prefix)")
			case pat == "literal" && !owned(name):
				warnings = append(warnings, fmt.Sprintf("%s.topic = %q is not one of %s: the stack grants access to a topic it does not manage, "+
					"and the update fails if the cluster does not have it", Key(rat), r.Topic, Key(KeyTopics)))
			}
			switch r.Access {
			case AccessConsume:
				if g, _ := pattern(r.Group); g == "" {
					add(rat+".group", fmt.Sprintf("%q", r.Group), "a consume role needs the consumer group it reads in",
						"name the group, or a non-empty prefix ending in *")
				}
			case AccessProduce, AccessAdmin:
				if r.Group != "" {
					add(rat+".group", fmt.Sprintf("%q", r.Group), "only consume roles read in a group, and this one is "+r.Access,
						"remove it or make the role consume")
				}
			default:
				add(rat+".access", fmt.Sprintf("%q", r.Access), "not an access kind", "use produce, consume or admin")
			}
		}
		if q := p.Quota; q != nil {
			for _, f := range []struct {
				name string
				v    int
			}{{"producerByteRate", q.ProducerByteRate}, {"consumerByteRate", q.ConsumerByteRate}} {
				if f.v != 0 && f.v < minQuotaByteRate {
					add(at+".quota."+f.name, fmt.Sprintf("%d B/s", f.v), "below 1 KiB/s, where a client only ever waits",
						fmt.Sprintf("use at least %d (1048576 is 1 MiB/s), or leave it out", minQuotaByteRate))
				}
			}
			if q.RequestPercentage < 0 || q.RequestPercentage > 10000 {
				add(at+".quota.requestPercentage", q.RequestPercentage, "outside 0-10000", "100 is one full broker thread")
			}
			if q.ProducerByteRate == 0 && q.ConsumerByteRate == 0 && q.RequestPercentage == 0 {
				add(at+".quota", "{}", "it sets nothing", "set producerByteRate, consumerByteRate or requestPercentage, or remove quota")
			}
		}
	}
	return errs, warnings
}

// ownsTopic reports whether the stack manages the topic (its data topics or the gate's).
func (s Spec) ownsTopic(name string) bool {
	for _, t := range s.Topics {
		if t.Name == name {
			return true
		}
	}
	return s.Gate.IsEnabled() && s.Gate.Topic == name
}

// GateLogsInAsItself reports whether the gate runs as GateUser: only where clients
// authenticate (cluster.sasl set); without SASL the listener cannot tell principals apart.
func (s Spec) GateLogsInAsItself() bool { return s.Gate.IsEnabled() && s.Cluster.SASL != nil }

// scramMechanism is the mechanism the stack's users get: the cluster's own when it uses
// SCRAM, SCRAM-SHA-512 otherwise.
func (s Spec) scramMechanism() string {
	if s.Cluster.SASL != nil && strings.HasPrefix(strings.ToUpper(s.Cluster.SASL.Mechanism), "SCRAM-") {
		return strings.ToUpper(s.Cluster.SASL.Mechanism)
	}
	return "SCRAM-SHA-512"
}
