package stacks

import (
	"fmt"
	"net"
	"strconv"

	"github.com/marketbus/market-bus/fielderr"
	"github.com/marketbus/market-bus/topicrules"
)

// validate checks the whole Spec and returns every problem found; hasPassword says whether
// the secret saslPassword is set.
func (s Spec) validate(hasPassword bool) []error {
	var errs []error
	c := s.Cluster

	errs = append(errs, s.validateClusterKeys(hasPassword)...)

	seen := map[string]int{}
	for i, t := range s.Topics {
		at := fmt.Sprintf("%s[%d]", KeyTopics, i)
		errs = append(errs, underKey(at, t.validate(c.Brokers))...)
		if j, dup := seen[t.Name]; dup && t.Name != "" {
			errs = append(errs, fielderr.New(Key(at+".name"), strconv.Quote(t.Name), fmt.Sprintf("duplicates %s[%d].name", Key(KeyTopics), j),
				"every topic name must be unique: remove or rename one"))
		}
		seen[t.Name] = i
	}

	return append(errs, s.validateGate()...)
}

func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("is not host:port: write it as host:port, e.g. 127.0.0.1:19092")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("has port %q: use a number from 1 to 65535", port)
	}
	return nil
}

// validate checks one topic with the rules the provider's Topic Check applies too; the
// refusals' fields are paths inside the topic (partitions, config.retention.ms).
func (t TopicSpec) validate(brokers int) error {
	return fielderr.Join(topicrules.Validate(topicrules.Topic{
		Name: t.Name, Partitions: t.Partitions, ReplicationFactor: t.ReplicationFactor, Config: t.Config,
		OnPartitionDecrease: t.OnPartitionDecrease, OnReplicationDecrease: t.OnReplicationDecrease,
	}, brokers))
}
