// Command gracelock is simrun for this module: every simrun command, with
// the grace lock registered beside the built-in protocols, and reproduce
// lines that are gracelock commands.
//
//	go build -o gracelock . && ./gracelock sweep gracelock.yaml --seeds 1-500 --bug no-grace
package main

import (
	"github.com/faultline-sim/faultline/cli"

	_ "example.com/gracelock/gracelock" // registers the protocol
)

func main() { cli.Main() }
