package guardrails

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// Principal resources. An Acl's inputs: principal (User:<name>), resourceType, resourceName,
// patternType (literal | prefixed), operation; a User's: name; a ClientQuota's: user.
const (
	typeUser        = "marketbus:index:User"
	typeACL         = "marketbus:index:Acl"
	typeClientQuota = "marketbus:index:ClientQuota"
)

// aclTarget returns an Acl's resource as "<type> <name>" (a prefix ends in *), and whether
// it matches every resource of its type: a literal * or an empty prefix.
func aclTarget(r policyx.AnalyzerResource) (string, bool) {
	typ, _ := str(r.Properties.Get("resourceType"))
	name, _ := str(r.Properties.Get("resourceName"))
	pattern, _ := str(r.Properties.Get("patternType"))
	prefixed := strings.EqualFold(pattern, "prefixed")
	shown := name
	if prefixed {
		shown += "*"
	}
	return typ + " " + shown, (name == "*" && !prefixed) || (name == "" && prefixed)
}

// aclNoWildcardAll: an application may never hold every operation on every resource; that
// is the superuser's role, which the provider keeps.
func aclNoWildcardAll() definition {
	return definition{
		name:        "acl-no-wildcard-all",
		description: "No Acl allows operation All on every resource of a type (a literal * or an empty prefix): that is the superuser's role, not an application's.",
		types:       []string{typeACL},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			op, _ := str(r.Properties.Get("operation"))
			perm, _ := str(r.Properties.Get("permission"))
			target, every := aclTarget(r)
			if !strings.EqualFold(op, "All") || !every || strings.EqualFold(perm, "deny") {
				return nil
			}
			principal, _ := str(r.Properties.Get("principal"))
			return []string{fmt.Sprintf("acl %q: %s may do All on %s on stack %s; rule: grant the operations of its roles "+
				"(produce, consume, admin) on named topics instead", r.Name, principal, target, o.Stack)}
		},
	}
}

// aclNoWildcardPrincipal: on production every binding names the application it is for.
func aclNoWildcardPrincipal() definition {
	return definition{
		name:        "acl-no-wildcard-principal",
		description: "On production, no Acl names the wildcard principal User:*: every binding belongs to one application.",
		prodOnly:    true,
		types:       []string{typeACL},
		check: func(o Options, r policyx.AnalyzerResource, _ map[string]any) []string {
			principal, _ := str(r.Properties.Get("principal"))
			if principal != "User:*" {
				return nil
			}
			target, _ := aclTarget(r)
			return []string{fmt.Sprintf("acl %q: principal User:* on %s on stack %s (environment %s); rule: name the application's own user",
				r.Name, target, o.Stack, o.Environment)}
		},
	}
}

// usersOf returns each User resource by the user name it creates; users whose name is not
// known yet (computed during a preview) are left out.
func usersOf(rs []policyx.AnalyzerResource) map[string]policyx.AnalyzerResource {
	out := map[string]policyx.AnalyzerResource{}
	for _, r := range rs {
		if r.Type != typeUser {
			continue
		}
		if name, ok := str(r.Properties.Get("name")); ok && name != "" {
			out[name] = r
		}
	}
	return out
}

// principalHasACL: a user without a binding can do nothing but authenticate, which is
// either a forgotten role or a credential nobody should hold.
func principalHasACL() definition {
	return definition{
		name:        "principal-has-acl",
		description: "Every User has at least one Acl naming it (User:<name>).",
		checkStack: func(o Options, rs []policyx.AnalyzerResource) []finding {
			bound := map[string]bool{}
			for _, r := range rs {
				if r.Type != typeACL {
					continue
				}
				v := r.Properties.Get("principal")
				if v.IsComputed() {
					return nil // an unknown principal may be any user's: judge at the update
				}
				if p, ok := str(v); ok {
					bound[strings.TrimPrefix(p, "User:")] = true
				}
			}
			var out []finding
			for name, r := range usersOf(rs) {
				if !bound[name] {
					out = append(out, finding{urn: r.URN, msg: fmt.Sprintf("user %q has no Acl on stack %s; rule: give the principal at least one role "+
						"(market-bus:principals[].roles) or remove it", name, o.Stack)})
				}
			}
			return out
		},
	}
}

// principalQuota: on production no application may starve the others of broker bandwidth.
func principalQuota() definition {
	return definition{
		name:        "principal-quota",
		description: "On production, every User has a ClientQuota for its user name, so no client can starve the others.",
		prodOnly:    true,
		checkStack: func(o Options, rs []policyx.AnalyzerResource) []finding {
			quota := map[string]bool{}
			for _, r := range rs {
				if r.Type != typeClientQuota {
					continue
				}
				v := r.Properties.Get("user")
				if v.IsComputed() {
					return nil
				}
				if u, ok := str(v); ok {
					quota[u] = true
				}
			}
			var out []finding
			for name, r := range usersOf(rs) {
				if !quota[name] && !quota["<default>"] {
					out = append(out, finding{urn: r.URN, msg: fmt.Sprintf("user %q has no ClientQuota on stack %s (environment %s); "+
						"rule: set market-bus:principals[].quota (producerByteRate, consumerByteRate)", name, o.Stack, o.Environment)})
				}
			}
			return out
		},
	}
}
