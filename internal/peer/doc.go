// Package peer is the yardstick for Faultline's speed: the 2PC bank
// workload of scenario 2pc-bank (3 banks of 4 accounts, 4 clients, 100
// transfers) written the way a Go programmer would test it without a
// simulator — a goroutine per node, channels for the network, time.Sleep
// for latency and time.AfterFunc for timeouts.
//
// Run it inside a testing/synctest bubble, where sleeps take no wall time;
// outside one it takes the workload's half second of real time. It is
// not part of Faultline's simulated layers and is used only by the
// side-by-side benchmark in this package and its correctness test.
package peer
