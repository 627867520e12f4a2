package sim

import (
	"fmt"
	"strings"
)

// Kernel bugs, planted on purpose (Config.Bugs): each breaks one promise
// the kernel makes, so that the catalog can show which test notices when
// the simulator itself is wrong — a testbed that silently drops the faults
// it claims to inject passes every protocol.
const (
	BugCutIgnored     = "kernel/cut-ignored"        // a cut link keeps delivering
	BugRestartAmnesia = "kernel/restart-amnesia"    // a restart starts from an empty store
	BugKeepUnsynced   = "kernel/keep-unsynced"      // a crash keeps unsynced writes whatever SetUnsynced says
	BugJumpIgnored    = "kernel/clock-jump-ignored" // a clock jump leaves the clock as it was
)

// KernelBug is one planted kernel bug.
type KernelBug struct{ Name, Description string }

// KernelBugs lists the kernel's planted bugs.
var KernelBugs = []KernelBug{
	{BugCutIgnored, "cutting a link does nothing: partitions, isolations and one-way cuts never stop a message"},
	{BugRestartAmnesia, "a restarted node finds its durable store empty, as if its disk had been replaced"},
	{BugKeepUnsynced, "a crash keeps the writes not yet synced even when the world is set to lose them"},
	{BugJumpIgnored, "a clock jump does nothing: a node's clock never leaps forward or back"},
}

// kernelBugs is the set a world has on, as flags read on cold paths only.
type kernelBugs struct{ cutIgnored, amnesia, keepUnsynced, jumpIgnored bool }

func parseKernelBugs(names []string) (kernelBugs, error) {
	var b kernelBugs
	for _, n := range names {
		switch n {
		case BugCutIgnored:
			b.cutIgnored = true
		case BugRestartAmnesia:
			b.amnesia = true
		case BugKeepUnsynced:
			b.keepUnsynced = true
		case BugJumpIgnored:
			b.jumpIgnored = true
		default:
			known := make([]string, len(KernelBugs))
			for i, k := range KernelBugs {
				known[i] = k.Name
			}
			return b, fmt.Errorf("no kernel bug %q (have: %s)", n, strings.Join(known, ", "))
		}
	}
	return b, nil
}
