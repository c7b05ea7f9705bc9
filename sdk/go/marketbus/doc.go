// Kafka-API resources for the market-bus Redpanda cluster: topics managed without perpetual diffs or silent data loss.
package marketbus
