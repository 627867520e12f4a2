// Package workload generates workloads as data from the run's workload
// stream: the bank-transfer workload of the seed article (accounts spread
// over banks, concurrent clients issuing transfers). Because a workload is a
// plain list drawn from its own stream, the same seed gives the same
// transfers whatever faults or protocol the run uses — the basis for
// comparing protocols under identical conditions.
package workload
