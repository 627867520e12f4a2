// Command simrun is Faultline's command line (package cli): list the
// scenarios, run one seed, sweep a range of seeds in parallel, shrink a
// failing run, enumerate crash points, replay a saved run, compare the
// commit protocols, check a recorded history.
package main

import (
	"github.com/faultline-sim/faultline/cli"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // the lock kit's test service joins the lock family
)

func main() { cli.Main(cli.Name("simrun")) }
