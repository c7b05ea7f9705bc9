package provider

import (
	"fmt"
	"net"
	"slices"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Acl is one ACL binding: a principal allowed or denied one operation on one resource pattern.
type Acl struct{}

// AclArgs are the inputs of an Acl. Every field is part of the binding, so any change
// replaces it.
type AclArgs struct {
	Principal    string  `pulumi:"principal"`
	Host         *string `pulumi:"host,optional"`
	ResourceType string  `pulumi:"resourceType"`
	ResourceName string  `pulumi:"resourceName"`
	PatternType  *string `pulumi:"patternType,optional"`
	Operation    string  `pulumi:"operation"`
	Permission   *string `pulumi:"permission,optional"`
	// RequireExistingTopic makes create refuse a literal topic that is not on the cluster:
	// a misspelt name would otherwise grant access to a topic someone may create later.
	RequireExistingTopic *bool `pulumi:"requireExistingTopic,optional"`
}

// AclState is the recorded binding.
type AclState struct {
	AclArgs
}

// Annotate documents the resource.
func (a *Acl) Annotate(an infer.Annotator) {
	an.Describe(a, "One ACL binding. Importable by its canonical id, "+
		"principal|host|resourceType|patternType|operation|permission|resourceName, e.g. "+
		"User:feed-handler|*|topic|literal|Write|allow|fx-stream-global.")
}

// Annotate documents the inputs.
func (a *AclArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Principal, "User:<name>; User:* is every user.")
	an.Describe(&a.Host, "The client address the binding applies to; * for any.")
	an.SetDefault(&a.Host, "*")
	an.Describe(&a.ResourceType, "topic, group, cluster or transactionalId.")
	an.Describe(&a.ResourceName, "The resource name, or its prefix when patternType is prefixed; kafka-cluster for the cluster.")
	an.Describe(&a.PatternType, "literal or prefixed.")
	an.SetDefault(&a.PatternType, "literal")
	an.Describe(&a.Operation, "The operation: Read, Write, Create, Delete, Alter, Describe, ClusterAction, "+
		"DescribeConfigs, AlterConfigs, IdempotentWrite or All; which ones a resource type takes is checked.")
	an.Describe(&a.Permission, "allow or deny.")
	an.SetDefault(&a.Permission, "allow")
	an.Describe(&a.RequireExistingTopic, "Refuse to create a binding on a literal topic the cluster does not have.")
	an.SetDefault(&a.RequireExistingTopic, false)
}

// aclResourceTypes maps the accepted resource types to the protocol's.
var aclResourceTypes = map[string]kmsg.ACLResourceType{
	"topic": kmsg.ACLResourceTypeTopic, "group": kmsg.ACLResourceTypeGroup,
	"cluster": kmsg.ACLResourceTypeCluster, "transactionalId": kmsg.ACLResourceTypeTransactionalId,
}

// aclOperations are the operation names in Kafka's spelling, by protocol value.
var aclOperations = map[kmsg.ACLOperation]string{
	kmsg.ACLOperationAll: "All", kmsg.ACLOperationRead: "Read", kmsg.ACLOperationWrite: "Write",
	kmsg.ACLOperationCreate: "Create", kmsg.ACLOperationDelete: "Delete", kmsg.ACLOperationAlter: "Alter",
	kmsg.ACLOperationDescribe: "Describe", kmsg.ACLOperationClusterAction: "ClusterAction",
	kmsg.ACLOperationDescribeConfigs: "DescribeConfigs", kmsg.ACLOperationAlterConfigs: "AlterConfigs",
	kmsg.ACLOperationIdempotentWrite: "IdempotentWrite",
}

// aclSupported lists the operations each resource type takes, as Kafka's authorizer
// defines them (AclEntry.supportedOperations); anything else can never match a request.
var aclSupported = map[string][]string{
	"topic":           {"All", "Read", "Write", "Create", "Delete", "Alter", "Describe", "DescribeConfigs", "AlterConfigs"},
	"group":           {"All", "Read", "Describe", "Delete"},
	"cluster":         {"All", "Create", "ClusterAction", "DescribeConfigs", "AlterConfigs", "IdempotentWrite", "Alter", "Describe"},
	"transactionalId": {"All", "Describe", "Write"},
}

// clusterResourceName is the one name a cluster resource has.
const clusterResourceName = "kafka-cluster"

// binding is an Acl in the protocol's terms.
type binding struct {
	principal, host, name string
	resource              kmsg.ACLResourceType
	pattern               kmsg.ACLResourcePatternType
	operation             kmsg.ACLOperation
	permission            kmsg.ACLPermissionType
}

// canonical returns the inputs with every name in its one spelling (topic, literal, Write,
// allow), or the failures of the inputs that have none.
func (a AclArgs) canonical() (AclArgs, []p.CheckFailure) {
	var out []p.CheckFailure
	fail := func(prop, format string, args ...any) {
		out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	c := a
	if !strings.HasPrefix(a.Principal, "User:") || len(a.Principal) == len("User:") {
		fail("principal", "principal %q is not User:<name>: write it as User:feed-handler (User:* for every user)", a.Principal)
	} else if name := strings.TrimPrefix(a.Principal, "User:"); name != "*" {
		if err := validateUserName(name); err != nil {
			fail("principal", "principal %q: user %v", a.Principal, err)
		}
	}
	host := deref(a.Host, "*")
	if host != "*" && net.ParseIP(host) == nil {
		fail("host", "host %q is not * or an IP address: ACLs match the client's address, not its host name", host)
	}
	c.Host = &host
	rt := ""
	for k := range aclResourceTypes {
		if strings.EqualFold(k, a.ResourceType) || strings.EqualFold(strings.ReplaceAll(k, "Id", "_id"), a.ResourceType) {
			rt = k
		}
	}
	if rt == "" {
		fail("resourceType", "resourceType %q is not one of topic, group, cluster, transactionalId", a.ResourceType)
	}
	c.ResourceType = rt
	pattern := strings.ToLower(deref(a.PatternType, "literal"))
	switch pattern {
	case "literal":
	case "prefixed":
		if a.ResourceName == "" {
			fail("resourceName", "resourceName is \"\" with patternType prefixed: an empty prefix matches every %s; "+
				"name a non-empty prefix, or use a literal * if every %s is really meant", rt, rt)
		}
	default:
		fail("patternType", "patternType %q is not literal or prefixed", deref(a.PatternType, ""))
	}
	c.PatternType = &pattern
	if a.ResourceName == "" && pattern == "literal" {
		fail("resourceName", "resourceName is empty: name the %s (kafka-cluster for the cluster)", rt)
	}
	if rt == "cluster" && (a.ResourceName != clusterResourceName || pattern != "literal") {
		fail("resourceName", "resourceName %q (%s) on resourceType cluster: the cluster has one name, %s, always literal",
			a.ResourceName, pattern, clusterResourceName)
	}
	op := ""
	if parsed, err := kmsg.ParseACLOperation(a.Operation); err == nil {
		op = aclOperations[parsed]
	}
	switch {
	case op == "":
		fail("operation", "operation %q is not an ACL operation: use one of %s", a.Operation, strings.Join(aclSupported["topic"], ", ")+
			", ClusterAction, IdempotentWrite")
	case rt != "" && !slices.Contains(aclSupported[rt], op):
		fail("operation", "operation %s does not apply to resourceType %s, so the binding could never allow anything: use one of %s",
			op, rt, strings.Join(aclSupported[rt], ", "))
	}
	c.Operation = op
	perm := strings.ToLower(deref(a.Permission, "allow"))
	if perm != "allow" && perm != "deny" {
		fail("permission", "permission %q is not allow or deny", deref(a.Permission, ""))
	}
	c.Permission = &perm
	return c, out
}

// binding turns canonical inputs into the protocol's values.
func (a AclArgs) binding() binding {
	b := binding{principal: a.Principal, host: deref(a.Host, "*"), name: a.ResourceName,
		resource: aclResourceTypes[a.ResourceType], pattern: kmsg.ACLResourcePatternTypeLiteral,
		permission: kmsg.ACLPermissionTypeAllow}
	if deref(a.PatternType, "literal") == "prefixed" {
		b.pattern = kmsg.ACLResourcePatternTypePrefixed
	}
	if deref(a.Permission, "allow") == "deny" {
		b.permission = kmsg.ACLPermissionTypeDeny
	}
	b.operation, _ = kmsg.ParseACLOperation(a.Operation)
	return b
}

// AclID is the canonical id of a binding: the resource name last, since only it may hold a '|'.
func AclID(a AclArgs) string {
	return strings.Join([]string{a.Principal, deref(a.Host, "*"), a.ResourceType, deref(a.PatternType, "literal"),
		a.Operation, deref(a.Permission, "allow"), a.ResourceName}, "|")
}

// parseAclID reads an id written by AclID, for import.
func parseAclID(id string) (AclArgs, error) {
	parts := strings.SplitN(id, "|", 7)
	if len(parts) != 7 {
		return AclArgs{}, fmt.Errorf("ACL id %q is not principal|host|resourceType|patternType|operation|permission|resourceName, "+
			"e.g. User:feed-handler|*|topic|literal|Write|allow|fx-stream-global", id)
	}
	a := AclArgs{Principal: parts[0], Host: &parts[1], ResourceType: parts[2], PatternType: &parts[3],
		Operation: parts[4], Permission: &parts[5], ResourceName: parts[6]}
	c, failures := a.canonical()
	if len(failures) > 0 {
		return AclArgs{}, fmt.Errorf("ACL id %q: %s", id, failures[0].Reason)
	}
	return c, nil
}
