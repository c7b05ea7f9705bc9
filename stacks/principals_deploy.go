package stacks

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/marketbus/market-bus/sdk/go/marketbus"
)

// gateLogin is how the gate logs in when it runs as its own principal.
type gateLogin struct {
	sasl marketbus.SASLConfigPtrInput
	// deps are its user, ACLs and quota: the gate must not measure before they exist.
	deps []pulumi.Resource
}

// deployPrincipals registers every principal's User, ACLs and quota after deps (the topics
// they name), and the gate's own user where the gate logs in as itself. It exports each
// principal's name and ready client configs, passwords as secrets.
func deployPrincipals(ctx *pulumi.Context, spec Spec, prov pulumi.ProviderResource, bootstrap pulumi.StringArrayInput,
	deps []pulumi.Resource) (*gateLogin, error) {
	for _, w := range spec.Warnings {
		_ = ctx.Log.Warn(w, nil)
	}
	opts := []pulumi.ResourceOption{pulumi.Provider(prov), pulumi.DependsOn(deps)}
	out := pulumi.Map{}
	for _, p := range spec.Principals {
		user, _, err := deployPrincipal(ctx, spec, p.Name, p.ACLs(spec.ownsTopic), p.Quota, opts)
		if err != nil {
			return nil, err
		}
		out[p.Name] = principalOutput(spec, user, bootstrap)
	}
	ctx.Export("principals", out)
	if !spec.GateLogsInAsItself() {
		return nil, nil
	}
	// Generous for the gate's own load, so the quota never shapes what the gate measures.
	rate := max(4*spec.Gate.Rate*(spec.Gate.MessageSize+64), 1<<20)
	quota := &QuotaSpec{ProducerByteRate: rate, ConsumerByteRate: rate}
	user, res, err := deployPrincipal(ctx, spec, GateUser, gateACLs(spec.Gate.Topic), quota, opts)
	if err != nil {
		return nil, err
	}
	ctx.Export("gatePrincipal", pulumi.String(GateUser))
	return &gateLogin{
		sasl: marketbus.SASLConfigArgs{Mechanism: user.Mechanism, Username: user.Name, Password: user.Password},
		deps: res,
	}, nil
}

// deployPrincipal registers one user with its ACLs and quota, and returns the user and
// every resource registered for it.
func deployPrincipal(ctx *pulumi.Context, spec Spec, name string, acls []ACLSpec, quota *QuotaSpec,
	opts []pulumi.ResourceOption) (*marketbus.User, []pulumi.Resource, error) {
	user, err := marketbus.NewUser(ctx, "user-"+name, &marketbus.UserArgs{
		Name:      pulumi.String(name),
		Mechanism: pulumi.StringPtr(spec.scramMechanism()),
	}, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("registering user %q: %w", name, err)
	}
	res := []pulumi.Resource{user}
	for _, a := range acls {
		target := a.ResourceName
		if a.PatternType == "prefixed" {
			target += "*"
		}
		acl, err := marketbus.NewAcl(ctx, fmt.Sprintf("acl-%s/%s/%s/%s", name, a.ResourceType, target, a.Operation), &marketbus.AclArgs{
			Principal:            pulumi.String("User:" + name),
			ResourceType:         pulumi.String(a.ResourceType),
			ResourceName:         pulumi.String(a.ResourceName),
			PatternType:          pulumi.StringPtr(a.PatternType),
			Operation:            pulumi.String(a.Operation),
			RequireExistingTopic: pulumi.BoolPtr(a.External),
		}, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("registering ACL %s %s on %s %s for %q: %w", a.Operation, a.PatternType, a.ResourceType, a.ResourceName, name, err)
		}
		res = append(res, acl)
	}
	if quota != nil {
		args := &marketbus.ClientQuotaArgs{User: pulumi.StringPtr(name)}
		if quota.ProducerByteRate > 0 {
			args.ProducerByteRate = pulumi.IntPtr(quota.ProducerByteRate)
		}
		if quota.ConsumerByteRate > 0 {
			args.ConsumerByteRate = pulumi.IntPtr(quota.ConsumerByteRate)
		}
		if quota.RequestPercentage > 0 {
			args.RequestPercentage = pulumi.Float64Ptr(quota.RequestPercentage)
		}
		q, err := marketbus.NewClientQuota(ctx, "quota-"+name, args, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("registering the quota of %q: %w", name, err)
		}
		res = append(res, q)
	}
	return user, res, nil
}

// principalOutput is one principal's entry in the principals output: its name, mechanism,
// password and ready librdkafka and rpk settings, the last three secret.
func principalOutput(spec Spec, user *marketbus.User, bootstrap pulumi.StringArrayInput) pulumi.Map {
	snippets := pulumi.All(bootstrap.ToStringArrayOutput(), user.Name, user.Mechanism, user.Password).ApplyT(func(v []any) map[string]string {
		lib, rpk := clientConfig(spec, v[0].([]string), v[1].(string), v[2].(string), v[3].(string))
		return map[string]string{"librdkafka": lib, "rpk": rpk}
	}).(pulumi.StringMapOutput)
	return pulumi.Map{
		"name":       user.Name,
		"mechanism":  user.Mechanism,
		"password":   pulumi.ToSecret(user.Password),
		"librdkafka": pulumi.ToSecret(snippets.MapIndex(pulumi.String("librdkafka"))),
		"rpk":        pulumi.ToSecret(snippets.MapIndex(pulumi.String("rpk"))),
	}
}

// clientConfig writes the librdkafka properties and rpk -X flags a client of user needs on
// this stack's cluster. Where the cluster authenticates nobody it says so instead of
// printing credentials the brokers would not ask for.
func clientConfig(spec Spec, bootstrap []string, user, mechanism, password string) (librdkafka, rpk string) {
	c := spec.Cluster
	proto := map[[2]bool]string{{false, false}: "PLAINTEXT", {true, false}: "SSL", {false, true}: "SASL_PLAINTEXT", {true, true}: "SASL_SSL"}[[2]bool{c.TLSOn(), c.SASLOn()}]
	lib := []string{"bootstrap.servers=" + strings.Join(bootstrap, ","), "security.protocol=" + proto}
	flags := []string{"-X brokers=" + strings.Join(bootstrap, ",")}
	if c.TLSOn() {
		flags = append(flags, "-X tls.enabled=true")
		if c.CACertFile != "" {
			lib = append(lib, "ssl.ca.location="+c.CACertFile)
			flags = append(flags, "-X tls.ca="+c.CACertFile)
		}
	}
	if c.SASL == nil {
		note := fmt.Sprintf("# the cluster does not authenticate clients (%s:cluster.sasl is unset): %s's ACLs are not enforced here", Project, user)
		return strings.Join(append([]string{note}, lib...), "\n") + "\n", strings.Join(flags, " ")
	}
	lib = append(lib, "sasl.mechanisms="+mechanism, "sasl.username="+user, "sasl.password="+password)
	flags = append(flags, "-X sasl.mechanism="+mechanism, "-X user="+user, "-X pass="+password)
	return strings.Join(lib, "\n") + "\n", strings.Join(flags, " ")
}
