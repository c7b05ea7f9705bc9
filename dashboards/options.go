// Package dashboards builds the market-bus Grafana dashboards (Kafka Overview,
// Topic Metrics, Consumer Lag) as Go code with the grafana-foundation-sdk.
//
// Each dashboard function returns the SDK's dashboard.Dashboard; JSON renders
// it for the Grafana provider's Dashboard.configJson. Golden copies live under
// testdata/ (regenerate with `go test ./dashboards -update`).
//
// The Thresholds type is shared with components/monitoring's alert table, so
// a panel draws its red line exactly where the matching alert fires.
package dashboards

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// ClusterLabel is the target label the Prometheus scrape config attaches to
// every Redpanda series (value: the stack name). The dashboards' cluster
// variable filters on it, so one Grafana can show several stacks.
const ClusterLabel = "cluster"

// Template variable names used by every dashboard.
const (
	VarDatasource = "datasource"
	VarCluster    = "cluster"
	VarTopic      = "topic"
	VarGroup      = "group"
)

// Options configures one build of the dashboards.
type Options struct {
	// DatasourceUID is the UID of the Grafana Prometheus data source; it is
	// the default of the $datasource variable. Required.
	DatasourceUID string
	// Stack is the Pulumi stack name (dev, prod, local). It is the default of
	// the $cluster variable, and goes into dashboard UIDs and tags. Required:
	// lowercase letters, digits and '-', at most 24 characters (Grafana UIDs
	// are limited to 40).
	Stack string
	// Refresh is the auto-refresh interval; default "30s".
	Refresh string
	// Thresholds colour the panels; zero fields take DefaultThresholds.
	Thresholds Thresholds
}

// Thresholds are the numbers both the dashboards and the alert rules use.
// A zero field means "use the default" (see DefaultThresholds), except for
// the fields whose default is zero.
type Thresholds struct {
	// Brokers is the number of brokers the cluster should have (default 3).
	Brokers int
	// ProduceP99 is the produce-latency SLO the latency gate enforces
	// (default 100ms); the p99 alert fires above it.
	ProduceP99 time.Duration
	// ConsumerLagRecords is the largest acceptable lag of one partition for
	// one consumer group, in records (default 10000).
	ConsumerLagRecords float64
	// ConsumerLagTime colours the lag-in-seconds panel (default 1m).
	ConsumerLagTime time.Duration
	// KafkaRPCErrorPercent is the Kafka-API request error rate, in percent,
	// above which the error alert fires (default 1).
	KafkaRPCErrorPercent float64
	// MinFreeDiskBytes is the free space per broker below which the disk
	// alert fires (default 1 GiB).
	MinFreeDiskBytes float64
	// UnderReplicatedReplicas: alert above this many (default 0).
	UnderReplicatedReplicas float64
	// LeaderlessPartitions: alert above this many (default 0).
	LeaderlessPartitions float64
	// StorageUsedWarnPercent and StorageUsedCriticalPercent colour the
	// storage gauge (defaults 70 and 85).
	StorageUsedWarnPercent     float64
	StorageUsedCriticalPercent float64
	// PartitionSkewPercent colours the partition-skew panel (default 20).
	PartitionSkewPercent float64
	// ReplicationFactor is the expected replicas per partition (default 3).
	ReplicationFactor int
}

// DefaultThresholds returns the thresholds used when a field is zero.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Brokers:                    3,
		ProduceP99:                 100 * time.Millisecond,
		ConsumerLagRecords:         10000,
		ConsumerLagTime:            time.Minute,
		KafkaRPCErrorPercent:       1,
		MinFreeDiskBytes:           1 << 30,
		StorageUsedWarnPercent:     70,
		StorageUsedCriticalPercent: 85,
		PartitionSkewPercent:       20,
		ReplicationFactor:          3,
	}
}

// WithDefaults returns t with every zero field replaced by its default.
func (t Thresholds) WithDefaults() Thresholds {
	d := DefaultThresholds()
	setInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setF := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	setD := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	setInt(&t.Brokers, d.Brokers)
	setD(&t.ProduceP99, d.ProduceP99)
	setF(&t.ConsumerLagRecords, d.ConsumerLagRecords)
	setD(&t.ConsumerLagTime, d.ConsumerLagTime)
	setF(&t.KafkaRPCErrorPercent, d.KafkaRPCErrorPercent)
	setF(&t.MinFreeDiskBytes, d.MinFreeDiskBytes)
	setF(&t.StorageUsedWarnPercent, d.StorageUsedWarnPercent)
	setF(&t.StorageUsedCriticalPercent, d.StorageUsedCriticalPercent)
	setF(&t.PartitionSkewPercent, d.PartitionSkewPercent)
	setInt(&t.ReplicationFactor, d.ReplicationFactor)
	return t
}

// Validate reports every threshold that cannot be right.
func (t Thresholds) Validate() error {
	var errs []error
	neg := func(name string, v float64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("thresholds: %s is %v, must not be negative", name, v))
		}
	}
	neg("Brokers", float64(t.Brokers))
	neg("ProduceP99", t.ProduceP99.Seconds())
	neg("ConsumerLagRecords", t.ConsumerLagRecords)
	neg("ConsumerLagTime", t.ConsumerLagTime.Seconds())
	neg("KafkaRPCErrorPercent", t.KafkaRPCErrorPercent)
	neg("MinFreeDiskBytes", t.MinFreeDiskBytes)
	neg("UnderReplicatedReplicas", t.UnderReplicatedReplicas)
	neg("LeaderlessPartitions", t.LeaderlessPartitions)
	neg("PartitionSkewPercent", t.PartitionSkewPercent)
	neg("ReplicationFactor", float64(t.ReplicationFactor))
	if t.KafkaRPCErrorPercent > 100 {
		errs = append(errs, fmt.Errorf("thresholds: KafkaRPCErrorPercent is %v, must be at most 100", t.KafkaRPCErrorPercent))
	}
	if t.StorageUsedWarnPercent > t.StorageUsedCriticalPercent && t.StorageUsedCriticalPercent != 0 {
		errs = append(errs, fmt.Errorf("thresholds: StorageUsedWarnPercent %v is above StorageUsedCriticalPercent %v",
			t.StorageUsedWarnPercent, t.StorageUsedCriticalPercent))
	}
	return errors.Join(errs...)
}

var stackName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,23}$`)

// withDefaults validates o and fills its defaults.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.DatasourceUID == "" {
		errs = append(errs, errors.New("dashboards: DatasourceUID is required (the Grafana Prometheus data source UID)"))
	}
	if !stackName.MatchString(o.Stack) {
		errs = append(errs, fmt.Errorf("dashboards: Stack %q must be 1-24 lowercase letters, digits or '-'", o.Stack))
	}
	if o.Refresh == "" {
		o.Refresh = "30s"
	}
	if err := o.Thresholds.Validate(); err != nil {
		errs = append(errs, err)
	}
	o.Thresholds = o.Thresholds.WithDefaults()
	return o, errors.Join(errs...)
}
