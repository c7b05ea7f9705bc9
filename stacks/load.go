package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/marketbus/market-bus/components/cluster"
	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/stackenv"
)

// Source yields raw stack config values by key (without the project prefix). Structured
// values arrive as JSON, the way the Pulumi engine hands them to a program.
type Source interface {
	Get(key string) (string, bool)
}

// MapSource is a Source backed by a map, for tests and tools.
type MapSource map[string]string

// Get returns the value of key.
func (m MapSource) Get(key string) (string, bool) {
	v, ok := m[key]
	return v, ok
}

// Config keys the program reads, without the project prefix.
const (
	KeyCluster      = "cluster"
	KeyTopics       = "topics"
	KeyGate         = "gate"
	KeyEnvironment  = "environment"
	KeySASLPassword = "saslPassword"
	// KeySASLPreviousPassword is the password the brokers know while saslPassword is a new
	// one: set both to rotate (the provider's LoginCredential sets the new one first).
	KeySASLPreviousPassword = "saslPreviousPassword"
)

// Load builds the stack's Spec from its config and validates it. Every problem is reported
// at once, each naming the key, the bad value and the fix; nothing is registered before
// Load succeeds.
func Load(stack string, src Source) (Spec, error) {
	return loadWith(stack, src, DefaultTable())
}

// loadWith is Load with the table of defaults as a parameter, so a test can change one
// default and follow it into the Spec.
func loadWith(stack string, src Source, defaults Defaults) (Spec, error) {
	var errs []error
	rawEnv, _ := src.Get(KeyEnvironment)
	env, err := stackenv.Resolve(stack, rawEnv)
	if err != nil {
		errs = append(errs, err)
	}
	cluster, known := defaults.clusterFor(stack, env)
	gate := defaults.gateFor(stack)
	rawCluster, hasCluster := src.Get(KeyCluster)
	if !known && !hasCluster {
		return Spec{}, joinConfigErrors(stack, []error{fielderr.New(Key(KeyCluster), "<unset>",
			fmt.Sprintf("stack %q is not one of dev, prod, local, so there is no cluster to default to", stack),
			fmt.Sprintf("create Pulumi.%s.yaml with at least %s.mode (docker, kubernetes or external)", stack, Key(KeyCluster)))})
	}
	if hasCluster {
		if err := decodeStrict(rawCluster, &cluster); err != nil {
			errs = append(errs, keyError(KeyCluster, rawCluster, err, "an object such as {mode: external, brokers: 3, bootstrapServers: [127.0.0.1:19092]}"))
		}
	}
	topics := defaults.topics()
	if raw, ok := src.Get(KeyTopics); ok {
		topics = nil
		if err := decodeStrict(raw, &topics); err != nil {
			errs = append(errs, keyError(KeyTopics, raw, err, "a list of topics, each {name, partitions, replicationFactor, config}"))
		}
	}
	schemaList := defaults.schemas()
	if raw, ok := src.Get(KeySchemas); ok {
		schemaList = nil
		if err := decodeStrict(raw, &schemaList); err != nil {
			errs = append(errs, keyError(KeySchemas, raw, err, "a list of {subject, file, type, compatibility}"))
		}
	}
	var nodePool NodePoolSpec
	if raw, ok := src.Get(KeyNodePool); ok {
		if err := decodeStrict(raw, &nodePool); err != nil {
			errs = append(errs, keyError(KeyNodePool, raw, err, "an object such as {mode: existing, labels: {...}, taints: [...]}"))
		}
	}
	nodePool = nodePool.WithDefaults()
	mon := defaults.monitoringFor(stack)
	if raw, ok := src.Get(KeyMonitoring); ok {
		if err := decodeStrict(raw, &mon); err != nil {
			errs = append(errs, keyError(KeyMonitoring, raw, err, "an object such as {grafanaPort: 3000, contactEmails: [oncall@example.com]}"))
		}
	}
	var principals []PrincipalSpec
	if raw, ok := src.Get(KeyPrincipals); ok {
		if err := decodeStrict(raw, &principals); err != nil {
			errs = append(errs, keyError(KeyPrincipals, raw, err, "a list of {name, roles: [{topic, access: produce | consume | admin, group}], quota}"))
		}
	}
	if raw, ok := src.Get(KeyGate); ok {
		if err := decodeStrict(raw, &gate); err != nil {
			errs = append(errs, keyError(KeyGate, raw, err, "an object such as {maxAvgLatencyMs: 50, maxP99LatencyMs: 100, minThroughputMsgPerSec: 100000}"))
		}
	}
	clusterConfig, err := loadClusterConfig(src)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Spec{}, joinConfigErrors(stack, errs)
	}
	if gate.ReplicationFactor == 0 {
		gate.ReplicationFactor = min(3, max(cluster.Brokers, 1))
	}
	spec := Spec{Stack: stack, Environment: env, Cluster: cluster, Topics: topics, Schemas: schemaList, Gate: gate, NodePool: nodePool, Monitoring: mon,
		Principals: principals, ClusterConfig: clusterConfig}
	errs = loadSchemas(spec.Schemas)
	if f := spec.Cluster.CACertFile; f != "" {
		pem, err := readProjectFile(f)
		if err != nil {
			errs = append(errs, fielderr.New(Key("cluster.caCertFile"), strconv.Quote(f), fmt.Sprintf("cannot be read (%v)", err),
				"give the CA's PEM file relative to the folder of Pulumi.yaml"))
		}
		spec.Cluster.caPEM = string(pem)
	}
	_, hasPassword := src.Get(KeySASLPassword)
	errs = append(errs, spec.validate(hasPassword)...)
	errs = append(errs, spec.validateClusterConfig()...)
	errs = append(errs, spec.validateMonitoring(func(k string) bool { _, ok := src.Get(k); return ok })...)
	perrs, warnings := spec.validatePrincipals()
	errs = append(errs, perrs...)
	spec.Warnings = append(spec.Warnings, warnings...)
	if len(errs) > 0 {
		return Spec{}, joinConfigErrors(stack, errs)
	}
	return spec, nil
}

// decodeStrict decodes JSON and refuses fields the Spec does not have, so a typo such as
// "partitons" is an error rather than a silently ignored key.
func decodeStrict(raw string, into any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the value")
	}
	return nil
}

// keyError reports a value the decoder refused at the key path it found it, e.g.
// market-bus:cluster.memory for a malformed size.
func keyError(key, raw string, err error, want string) error {
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ute) && ute.Field != "":
		// encoding/json names a promoted field through the struct embedding it
		// (ClusterSpec embeds cluster.Config); the key has no such level.
		path := joinPath(key, strings.TrimPrefix(ute.Field, "Config."))
		if ute.Type == reflect.TypeOf(cluster.Quantity{}) {
			return fielderr.New(Key(path), ute.Value, "not a size", "write a Kubernetes quantity in binary units, e.g. 2Gi or 2048Mi")
		}
		return fielderr.New(Key(path), ute.Value, fmt.Sprintf("a %s is expected", ute.Type), "fix the value in the stack file")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fielderr.New(Key(key), short(raw), fmt.Sprintf("unknown field %q", field),
			"check its spelling against the keys documented in Pulumi.yaml")
	default:
		return fielderr.New(Key(key), short(raw), fmt.Sprintf("cannot be read (%v)", err), "set it to "+want)
	}
}

func short(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// ConfigError is a failed stack configuration; Problems lists every individual error.
type ConfigError struct {
	Stack    string
	Problems []error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %q has %d configuration problem(s); nothing was created:", e.Stack, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap exposes the individual problems to errors.Is and errors.As.
func (e *ConfigError) Unwrap() []error { return e.Problems }

func joinConfigErrors(stack string, errs []error) error {
	return &ConfigError{Stack: stack, Problems: errs}
}
