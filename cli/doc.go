// Package cli is simrun, Faultline's command line, as a library: a binary
// of one's own gets every simrun command — list, show, run, sweep, shrink,
// crashpoints, replay, compare, check, ... — for the protocols and
// scenarios it registers, and the commands its reports print to reproduce
// a run are commands of that binary:
//
//	package main
//
//	import (
//		"github.com/faultline-sim/faultline/cli"
//		_ "example.com/mylock" // registers the protocol in its init
//	)
//
//	func main() { cli.Main() }
//
// Main runs with the process's arguments and exits with simrun's status: 0
// no safety violation, 1 a safety violation found, 2 bad usage or input
// (a one-line error), 3 unknown (check), 130 interrupted. New returns the
// cobra root command instead, to add commands of one's own; Run runs it
// with given arguments and writers, for tests.
//
// The program's name — in usage, help texts and reproduce lines — is the
// base name of os.Args[0] unless Name sets it.
package cli
