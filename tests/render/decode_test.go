//go:build render

package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// rendered is every object the render run wrote, decoded into its API type.
type rendered struct {
	files        []string
	statefulSets []*appsv1.StatefulSet
	services     []*corev1.Service
	configMaps   []*corev1.ConfigMap
	secrets      []*corev1.Secret
	namespaces   []*corev1.Namespace
	pdbs         []*policyv1.PodDisruptionBudget
	certificates []*certificate
	netpols      []*networkingv1.NetworkPolicy
	// source names the file each object came from, for messages.
	source map[any]string
}

// loadRendered walks dir and decodes every YAML document strictly. Any file that is not
// YAML, any document of a kind without a decoder here, any unknown or duplicate field,
// wrongly cased field name or value of the wrong type is a test failure.
func loadRendered(t *testing.T, dir string) *rendered {
	t.Helper()
	out := &rendered{source: map[any]string{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			t.Errorf("%s: render mode wrote a file that is not YAML", rel)
			return nil
		}
		out.files = append(out.files, path)
		docs, err := splitDocuments(path)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if len(docs) == 0 {
			t.Errorf("%s: no document", rel)
		}
		for i, doc := range docs {
			where := rel
			if len(docs) > 1 {
				where = fmt.Sprintf("%s (document %d)", rel, i+1)
			}
			if err := out.add(doc, where); err != nil {
				t.Errorf("%s: %v", where, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	if len(out.files) == 0 {
		t.Fatalf("render mode wrote no file into %s", dir)
	}
	return out
}

// splitDocuments returns the non-empty YAML documents of a file.
func splitDocuments(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// add decodes one document into the type its apiVersion and kind name.
func (r *rendered) add(doc []byte, where string) error {
	// Strict YAML → JSON: a key given twice is an error, not "last one wins".
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return fmt.Errorf("not valid YAML: %w", err)
	}
	var tm metav1.TypeMeta
	if err := json.Unmarshal(j, &tm); err != nil {
		return fmt.Errorf("no apiVersion/kind: %w", err)
	}
	var obj any
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 StatefulSet":
		o := &appsv1.StatefulSet{}
		r.statefulSets, obj = append(r.statefulSets, o), o
	case "v1 Service":
		o := &corev1.Service{}
		r.services, obj = append(r.services, o), o
	case "v1 ConfigMap":
		o := &corev1.ConfigMap{}
		r.configMaps, obj = append(r.configMaps, o), o
	case "v1 Secret":
		o := &corev1.Secret{}
		r.secrets, obj = append(r.secrets, o), o
	case "v1 Namespace":
		o := &corev1.Namespace{}
		r.namespaces, obj = append(r.namespaces, o), o
	case "policy/v1 PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		r.pdbs, obj = append(r.pdbs, o), o
	case "networking.k8s.io/v1 NetworkPolicy":
		o := &networkingv1.NetworkPolicy{}
		r.netpols, obj = append(r.netpols, o), o
	case "cert-manager.io/v1 Certificate":
		o := &certificate{}
		r.certificates, obj = append(r.certificates, o), o
	default:
		return fmt.Errorf("apiVersion %q kind %q has no strict decoder in tests/render: add its k8s.io/api type to rendered.add", tm.APIVersion, tm.Kind)
	}
	r.source[obj] = where
	return strictDecode(j, obj)
}

// strictDecode decodes j into v twice: with encoding/json refusing unknown fields (the
// check the API server's strict field validation makes), and with sigs.k8s.io/json, the
// API machinery's decoder, which also refuses duplicate fields and field names in the wrong
// case (encoding/json would quietly accept "Replicas" for "replicas") and names the path of
// each offending field.
func strictDecode(j []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var errs []error
	if err := dec.Decode(v); err != nil {
		errs = append(errs, describeJSONError(err))
	} else if dec.More() {
		errs = append(errs, errors.New("trailing data after the object"))
	}
	fresh := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	strict, err := sigsjson.UnmarshalStrict(j, fresh, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	if err != nil && len(errs) == 0 {
		errs = append(errs, describeJSONError(err))
	}
	for _, e := range strict {
		errs = append(errs, fmt.Errorf("strict decoding: %w", e))
	}
	return errors.Join(errs...)
}

func describeJSONError(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("field %q: a JSON %s where the API type has %s", ute.Field, ute.Value, ute.Type)
	}
	return err
}

// certificate is cert-manager.io/v1 Certificate, mirrored from cert-manager's API (v1.17)
// with every spec field, so the strict decoder refuses a misspelt or misplaced one without
// pulling cert-manager's module in. Fields the cluster component sets are typed; the rest
// are accepted as they come.
type certificate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              certificateSpec `json:"spec"`
	Status            map[string]any  `json:"status,omitempty"`
}

type certificateSpec struct {
	Subject                 map[string]any         `json:"subject,omitempty"`
	LiteralSubject          string                 `json:"literalSubject,omitempty"`
	CommonName              string                 `json:"commonName,omitempty"`
	Duration                *metav1.Duration       `json:"duration,omitempty"`
	RenewBefore             *metav1.Duration       `json:"renewBefore,omitempty"`
	RenewBeforePercentage   *int32                 `json:"renewBeforePercentage,omitempty"`
	DNSNames                []string               `json:"dnsNames,omitempty"`
	IPAddresses             []string               `json:"ipAddresses,omitempty"`
	URIs                    []string               `json:"uris,omitempty"`
	OtherNames              []map[string]any       `json:"otherNames,omitempty"`
	EmailAddresses          []string               `json:"emailAddresses,omitempty"`
	SecretName              string                 `json:"secretName"`
	SecretTemplate          map[string]any         `json:"secretTemplate,omitempty"`
	Keystores               map[string]any         `json:"keystores,omitempty"`
	IssuerRef               certificateIssuerRef   `json:"issuerRef"`
	IsCA                    bool                   `json:"isCA,omitempty"`
	Usages                  []string               `json:"usages,omitempty"`
	PrivateKey              *certificatePrivateKey `json:"privateKey,omitempty"`
	SignatureAlgorithm      string                 `json:"signatureAlgorithm,omitempty"`
	EncodeUsagesInRequest   *bool                  `json:"encodeUsagesInRequest,omitempty"`
	RevisionHistoryLimit    *int32                 `json:"revisionHistoryLimit,omitempty"`
	AdditionalOutputFormats []map[string]any       `json:"additionalOutputFormats,omitempty"`
	NameConstraints         map[string]any         `json:"nameConstraints,omitempty"`
}

type certificateIssuerRef struct {
	Name  string `json:"name"`
	Kind  string `json:"kind,omitempty"`
	Group string `json:"group,omitempty"`
}

type certificatePrivateKey struct {
	RotationPolicy string `json:"rotationPolicy,omitempty"`
	Encoding       string `json:"encoding,omitempty"`
	Algorithm      string `json:"algorithm,omitempty"`
	Size           int    `json:"size,omitempty"`
}

// certificateUsages are cert-manager's KeyUsage values.
var certificateUsages = set("signing", "digital signature", "content commitment", "key encipherment", "key agreement",
	"data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any", "server auth", "client auth",
	"code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping",
	"ocsp signing", "microsoft sgc", "netscape sgc")

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
