package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/utilities"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ConfigHashAnnotation on the pod template is the SHA-256 of the start
// ConfigMap's data. The ConfigMap keeps a fixed name, so the StatefulSet
// refers to it by a plain string: a content change then updates the
// ConfigMap and this annotation, which rolls the pods one at a time,
// instead of replacing the StatefulSet (which taking the ConfigMap's
// output name would do).
const ConfigHashAnnotation = "marketbus.io/config-sha256"

// Fixed object names. The pods' DNS names and the Secrets they mount are
// built from them, so none is auto-named.
const (
	ConfigMapName       = StatefulSetName + "-config"
	SuperuserSecretName = StatefulSetName + "-superuser"
	CertificateName     = StatefulSetName + "-tls"
	ClientServiceName   = StatefulSetName + "-client"
	ExternalServiceName = StatefulSetName + "-external"
	PDBName             = StatefulSetName
	// BootstrapUserKey holds user:password:mechanism in the superuser Secret.
	BootstrapUserKey = "bootstrap-user"
)

// kubernetesDeployment holds the Kubernetes resources of one cluster.
type kubernetesDeployment struct {
	namespace   *corev1.Namespace
	config      *corev1.ConfigMap
	superuser   *corev1.Secret
	certificate *apiextensions.CustomResource
	services    []*corev1.Service
	statefulSet *appsv1.StatefulSet
	// templateHash is the SHA-256 of the pod template the StatefulSet is given.
	templateHash pulumi.StringOutput
	pdb          *policyv1.PodDisruptionBudget
	netpol       *networkingv1.NetworkPolicy
}

// readyDeps are the resources whose completion means "brokers ready": the
// provider waits for every StatefulSet replica to be ready (each pod's own
// readiness probe) and for the Services to have endpoints.
func (d *kubernetesDeployment) readyDeps() []pulumi.Resource {
	out := []pulumi.Resource{d.statefulSet}
	for _, s := range d.services {
		out = append(out, s)
	}
	return out
}

// deployKubernetes creates the objects of a validated, defaulted args and
// its rendered brokers.
func deployKubernetes(ctx *pulumi.Context, parent pulumi.Resource, name string, a Args, brokers []BrokerConfig) (*kubernetesDeployment, error) {
	k := a.Kubernetes
	labels := ClusterLabels(name, ctx.Stack())
	d := &kubernetesDeployment{}
	var deps []pulumi.Resource
	var err error

	if a.CreatesNamespace() {
		// Retained on destroy: deleting a namespace deletes its PVCs, and
		// with them every broker's data, whatever their retention policy.
		nsLabels := map[string]string{}
		for k, v := range labels {
			nsLabels[k] = v
		}
		// The API server refuses any pod of the namespace below "restricted".
		for _, mode := range []string{"enforce", "audit", "warn"} {
			nsLabels["pod-security.kubernetes.io/"+mode] = "restricted"
		}
		d.namespace, err = corev1.NewNamespace(ctx, name+"-namespace", &corev1.NamespaceArgs{
			Metadata: objectMeta(a.Namespace, "", nsLabels),
		}, pulumi.Parent(parent), pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, fmt.Errorf("kubernetes namespace %s: %w", a.Namespace, err)
		}
		deps = append(deps, d.namespace)
	}
	// Fixed names: a replacement must delete the old object first.
	opts := func(extra ...pulumi.Resource) []pulumi.ResourceOption {
		return []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.DeleteBeforeReplace(true),
			pulumi.DependsOn(append(append([]pulumi.Resource(nil), deps...), extra...))}
	}

	data := startFiles(a, brokers)
	d.config, err = corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: objectMeta(ConfigMapName, a.Namespace, labels),
		Data:     pulumi.ToStringMap(data),
	}, opts()...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes configmap: %w", err)
	}
	podDeps := []pulumi.Resource{d.config}

	if a.SASLOn() {
		if d.superuser, err = superuserSecret(ctx, name, a, labels, opts()); err != nil {
			return nil, err
		}
		podDeps = append(podDeps, d.superuser)
	}
	if a.TLSOn() && a.CertIssuer != "" {
		if d.certificate, err = certificate(ctx, name, a, brokers, labels, opts()); err != nil {
			return nil, err
		}
		podDeps = append(podDeps, d.certificate)
	}
	if d.services, err = services(ctx, name, a, brokers, labels, opts()); err != nil {
		return nil, err
	}
	if d.netpol, err = networkPolicy(ctx, name, a, brokers[0], labels, opts()); err != nil {
		return nil, err
	}

	podDeps = append(podDeps, k.WaitFor...)
	stsArgs := statefulSetArgs(a, brokers, labels, selectorLabels(name), configHash(podStartFiles(data)))
	d.statefulSet, err = appsv1.NewStatefulSet(ctx, name+"-statefulset", stsArgs, opts(podDeps...)...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes statefulset: %w", err)
	}
	d.templateHash = podTemplateHash(stsArgs)

	d.pdb, err = policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: objectMeta(PDBName, a.Namespace, labels),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(k.MaxUnavailable),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selectorLabels(name))},
		},
	}, opts()...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes poddisruptionbudget: %w", err)
	}
	return d, nil
}

// startFiles is the ConfigMap's data: the bootstrap cluster config, every
// broker's flag list, and the scripts the pod runs. Every broker renders
// the same bootstrap config and scripts (they depend on the topology, not
// the index), so broker 0's stand for all.
func startFiles(a Args, brokers []BrokerConfig) map[string]string {
	b0 := brokers[0]
	data := map[string]string{
		BootstrapFile:  b0.BootstrapYAML,
		EntrypointFile: renderEntrypoint(a.Topology()),
		PreStopFile:    RenderPreStop(b0),
		PostStartFile:  RenderPostStart(b0),
	}
	for _, b := range brokers {
		data[ArgsFile(b.Index)] = RenderArgsFile(b)
	}
	return data
}

// podStartFiles is the part of the ConfigMap a running pod reads: every
// file but .bootstrap.yaml, which Redpanda reads only when the cluster
// forms. Hashing it would restart every broker for a file that changes
// nothing on a formed cluster; cluster properties go through ClusterConfig.
func podStartFiles(data map[string]string) map[string]string {
	out := make(map[string]string, len(data))
	for k, v := range data {
		if k != BootstrapFile {
			out[k] = v
		}
	}
	return out
}

// configHash is the SHA-256 of data, keys in order, each key and value
// terminated by a NUL so no two different maps hash alike.
// podTemplateHash hashes the pod template from the StatefulSet's inputs, not its outputs, so a
// preview already knows whether the template changes (RollingRestart's trigger).
func podTemplateHash(args *appsv1.StatefulSetArgs) pulumi.StringOutput {
	spec := args.Spec.(*appsv1.StatefulSetSpecArgs)
	return spec.ToStatefulSetSpecOutput().Template().ApplyT(func(t corev1.PodTemplateSpec) (string, error) {
		b, err := json.Marshal(t)
		if err != nil {
			return "", fmt.Errorf("hashing the pod template: %w", err)
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:]), nil
	}).(pulumi.StringOutput)
}

func configHash(data map[string]string) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00" + data[k] + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// superuserSecret holds the bootstrap user's password. The password is
// wrapped as a Pulumi secret here, whatever the caller passed, so it is
// encrypted in the state and masked in every diff.
func superuserSecret(ctx *pulumi.Context, name string, a Args, labels map[string]string, opts []pulumi.ResourceOption) (*corev1.Secret, error) {
	s := a.superuser()
	pw := pulumi.ToSecret(a.SuperuserPassword.ToStringOutput()).(pulumi.StringOutput)
	bootstrap := pulumi.ToSecret(pulumi.Sprintf("%s:%s:%s", s.Username, pw, s.Mechanism)).(pulumi.StringOutput)
	sec, err := corev1.NewSecret(ctx, name+"-superuser", &corev1.SecretArgs{
		Metadata: objectMeta(SuperuserSecretName, a.Namespace, labels),
		Type:     pulumi.String("Opaque"),
		StringData: pulumi.StringMap{
			"username":       pulumi.String(s.Username),
			"password":       pw,
			"mechanism":      pulumi.String(s.Mechanism),
			BootstrapUserKey: bootstrap,
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("kubernetes secret %s: %w", SuperuserSecretName, err)
	}
	return sec, nil
}

// certificate asks cert-manager for one certificate naming every broker:
// the pod FQDNs peers and clients dial, the Services, and the external
// names. Listing the pods (not a wildcard) keeps the certificate to what
// exists; scaling re-renders it.
func certificate(ctx *pulumi.Context, name string, a Args, brokers []BrokerConfig, labels map[string]string, opts []pulumi.ResourceOption) (*apiextensions.CustomResource, error) {
	cr, err := apiextensions.NewCustomResource(ctx, name+"-certificate", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("cert-manager.io/v1"),
		Kind:       pulumi.String("Certificate"),
		Metadata:   objectMeta(CertificateName, a.Namespace, labels),
		OtherFields: kubernetes.UntypedArgs{
			"spec": map[string]any{
				"secretName": CertificateName,
				"issuerRef":  map[string]any{"name": a.CertIssuer, "kind": a.CertIssuerKind, "group": "cert-manager.io"},
				"dnsNames":   certificateDNSNames(a, brokers),
				// Both: brokers are servers to clients and clients of their
				// peers on the RPC listener.
				"usages": []string{"server auth", "client auth"},
				// A renewal must not keep a key that may have leaked.
				"privateKey": map[string]any{"rotationPolicy": "Always"},
			},
		},
		// The typed resources carry the SDK's version and so share one default provider;
		// a CustomResource carries none and got a second, unversioned one, which every
		// preview after the first up then planned to delete (seen on a real API server).
	}, utilities.PkgResourceDefaultOpts(opts)...)
	if err != nil {
		return nil, fmt.Errorf("cert-manager certificate %s: %w", CertificateName, err)
	}
	return cr, nil
}

// certificateDNSNames lists, in a stable order, the names the brokers are
// dialled by. Certificates carry no trailing dot; TLS clients strip it
// from the advertised FQDN before they compare.
func certificateDNSNames(a Args, brokers []BrokerConfig) []string {
	svc := func(s string) []string {
		return []string{fmt.Sprintf("%s.%s.svc.%s", s, a.Namespace, a.Kubernetes.ClusterDomain), fmt.Sprintf("%s.%s.svc", s, a.Namespace)}
	}
	var names []string
	for _, b := range brokers {
		names = append(names, strings.TrimSuffix(b.InternalHost, "."))
	}
	names = append(names, svc(a.Kubernetes.ServiceName)...)
	names = append(names, svc(ClientServiceName)...)
	for _, b := range brokers {
		if b.ExternalHost != "" {
			names = append(names, b.ExternalHost)
		}
	}
	return names
}

// tlsSecretName is the Secret the pods mount: cert-manager's, or the
// platform's.
func tlsSecretName(c Config) string {
	if c.CertIssuer != "" {
		return CertificateName
	}
	return c.TLSSecret
}

// AppName is the app.kubernetes.io/name of every Redpanda object; monitoring
// selects the brokers' Services by it.
const AppName = "redpanda"

// selectorLabels select the broker pods. They must never change: a
// StatefulSet's selector is immutable.
func selectorLabels(instance string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      AppName,
		"app.kubernetes.io/instance":  instance,
		"app.kubernetes.io/component": "broker",
	}
}

func objectMeta(name, namespace string, labels map[string]string) *metav1.ObjectMetaArgs {
	m := &metav1.ObjectMetaArgs{Name: pulumi.String(name), Labels: pulumi.ToStringMap(labels)}
	if namespace != "" {
		m.Namespace = pulumi.String(namespace)
	}
	return m
}
