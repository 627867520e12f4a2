package main

import (
	"github.com/faultline-sim/faultline/cli"

	_ "github.com/faultline-sim/faultline/protocol/lockkit/kittest" // the lock kit's test service joins the lock family
)

func main() { cli.Main(cli.Name("simrun")) }
