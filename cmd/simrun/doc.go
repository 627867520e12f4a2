// Command simrun is Faultline's command line: list the scenarios, run one
// seed, sweep a range of seeds in parallel.
//
// Exit status: 0 no safety violation, 1 a safety violation found, 2 bad
// usage or input (unknown scenario or flag, bad seed range, malformed file),
// with a one-line error.
package main
