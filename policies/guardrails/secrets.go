package guardrails

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

// noPlaintextSecrets: a credential in a plain input is written to the state file unencrypted
// and shown by `pulumi preview --diff`.
//
// It is a heuristic over every input of every resource. A value counts as a credential when
// it is a known, non-empty, non-secret string and
//   - its key looks secret (password, passwd, secret, token, apiKey, privateKey, credential,
//     kubeconfig, or a key ending in auth), unless the key names a reference rather than the value
//     (…Name, …Ref, …File, …Path, …Url, …Type, …Id, …Enabled) or the kubeconfig is a file's path;
//   - or it is the value of a {name|key|label, value} pair whose name looks secret
//     (Kubernetes env, Docker labels);
//   - or it is a NAME=value list entry (Docker envs) or a --flag=value / --flag value
//     command-line argument whose name looks secret;
//   - or it is data or stringData of a Kubernetes Secret.
//
// Messages name the resource and the input path and give the value's length, never the value.
func noPlaintextSecrets() definition {
	return definition{
		name: "no-plaintext-secrets",
		description: "No credential appears in plain text in a resource input: values under password/token/secret/auth/apiKey " +
			"names, *_PASSWORD=... env entries and Kubernetes Secret data must be Pulumi secrets.",
		checkStack: func(_ Options, rs []policyx.AnalyzerResource) []finding {
			var out []finding
			for _, r := range rs {
				w := secretWalker{provider: strings.HasPrefix(r.Type, "pulumi:providers:")}
				for k, v := range r.Properties.AllStable {
					if r.Type == typeK8sSecret && (k == "data" || k == "stringData") {
						for _, pv := range plainStrings(k, v) {
							w.hits = append(w.hits, hit{path: pv.path, length: pv.length})
						}
						continue
					}
					w.walk(k, k, v)
				}
				for _, h := range w.hits {
					out = append(out, finding{r.URN, fmt.Sprintf(
						"%s: input %q %s in plain text (%d characters); rule: credentials must be Pulumi secrets (pulumi config set --secret, pulumi.ToSecret)",
						label(r), h.path, h.what(), h.length)})
				}
			}
			return out
		},
	}
}

// hit is one plain-text credential.
type hit struct {
	path   string
	name   string // the secret-looking name, when it is not the last part of path
	length int
}

// what describes the hit for a message.
func (h hit) what() string {
	if h.name != "" {
		return fmt.Sprintf("sets %s", h.name)
	}
	return "holds a value under a secret-looking name"
}

// secretWalker collects the plain-text credentials of one resource.
type secretWalker struct {
	// provider resources may carry nested config as JSON strings.
	provider bool
	hits     []hit
}

// walk visits v, found under key at path.
func (w *secretWalker) walk(path, key string, v property.Value) {
	if v.Secret() || v.IsComputed() {
		return
	}
	switch {
	case v.IsString():
		s := v.AsString()
		if w.provider && strings.HasPrefix(strings.TrimSpace(s), "{") {
			if m, ok := object(v); ok {
				w.walk(path, key, property.New(m))
				return
			}
		}
		if s != "" && secretName(key) && !kubeconfigPath(key, s) {
			w.hits = append(w.hits, hit{path: path, length: len(s)})
		}
	case v.IsMap():
		m := v.AsMap()
		if name, val, ok := namedPair(m); ok {
			if secretName(name) && val != "" {
				w.hits = append(w.hits, hit{path: path + ".value", name: name, length: len(val)})
			}
			return
		}
		for k, e := range m.AllStable {
			w.walk(path+"."+k, k, e)
		}
	case v.IsArray():
		list := items(v)
		for i, e := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			if s, ok := str(e); ok && !e.Secret() {
				if name, val, ok := assignment(s); ok && secretName(name) && val != "" {
					w.hits = append(w.hits, hit{path: p, name: name, length: len(val)})
					continue
				}
				if name, ok := strings.CutPrefix(s, "--"); ok && secretName(name) && i+1 < len(list) {
					if next, ok := str(list[i+1]); ok && !list[i+1].Secret() && next != "" && !strings.HasPrefix(next, "-") {
						w.hits = append(w.hits, hit{path: fmt.Sprintf("%s[%d]", path, i+1), name: s, length: len(next)})
					}
					continue
				}
				if s != "" && !strings.HasPrefix(s, "-") && secretName(key) && (i == 0 || !isSecretFlag(list[i-1])) {
					// A plain list under a secret-looking key, e.g. tokens: [...].
					w.hits = append(w.hits, hit{path: p, length: len(s)})
				}
				continue
			}
			w.walk(p, key, e)
		}
	}
}

// isSecretFlag reports whether v is a --flag with a secret-looking name.
func isSecretFlag(v property.Value) bool {
	name, ok := strings.CutPrefix(stringOr(v), "--")
	return ok && secretName(name)
}

// namedPair reads a {name|key|label, value} object with a plain string value.
func namedPair(m property.Map) (name, value string, ok bool) {
	val := m.Get("value")
	if !val.IsString() || val.Secret() {
		return "", "", false
	}
	for _, k := range []string{"name", "key", "label"} {
		if n, ok := str(m.Get(k)); ok {
			return n, val.AsString(), true
		}
	}
	return "", "", false
}

// assignment splits NAME=value and --name=value.
func assignment(s string) (name, value string, ok bool) {
	name, value, ok = strings.Cut(s, "=")
	if !ok || strings.ContainsAny(name, " \t") {
		return "", "", false
	}
	return strings.TrimLeft(name, "-"), value, name != ""
}

// kubeconfigPath reports whether a kubeconfig input names a file rather than holding one: the
// Kubernetes provider takes either, and only the file's contents carry credentials (a stack
// file's kubernetes:kubeconfig: ~/.kube/config was refused as a plain-text secret).
func kubeconfigPath(key, s string) bool {
	return strings.EqualFold(key, "kubeconfig") && !strings.ContainsAny(s, "\n{") && !strings.Contains(s, ": ")
}

// secretName reports whether a key or variable name looks like it holds a credential.
func secretName(name string) bool {
	n := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
	for _, suffix := range []string{"name", "ref", "file", "path", "url", "uri", "type", "id", "enabled", "mode"} {
		if strings.HasSuffix(n, suffix) {
			return false
		}
	}
	for _, part := range []string{"password", "passwd", "secret", "token", "apikey", "privatekey", "credential", "kubeconfig"} {
		if strings.Contains(n, part) {
			return true
		}
	}
	return strings.HasSuffix(n, "auth")
}
