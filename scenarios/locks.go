package scenarios

import (
	"github.com/faultline-sim/faultline/faults"
)

// lockNemesis is the random-fault mix of lockmgr-contention: crashes of
// the manager, the storage and clients, every partition shape, lossy and
// duplicating links. It leaves out slow links, pauses and clock jumps on
// purpose: under those a correct but unfenced lock lets a stale holder's
// write land after its lease (Kleppmann's counterexamples), which is the
// subject of the fencing scenarios, not a bug of this protocol.
func lockNemesis(targets []string) *faults.Nemesis {
	n := swarm(targets)
	n.CrashRate, n.Downtime, n.NoRestart = 4, ms(80), 0.2
	n.MidCrashRate = 3 // crashes inside handlers too
	n.PartitionRate, n.PartitionLength = 3, ms(80)
	n.LossRate, n.LossLength, n.Loss, n.Duplicate = 2, ms(100), 0.3, 0.2
	return n
}

// swarm is a random-fault plan over the first second of a run on the
// default network, faults striking targets; swarm mode lets each seed
// pick its own mix of the kinds given rates.
func swarm(targets []string) *faults.Nemesis {
	return &faults.Nemesis{Targets: targets, Start: 0, Stop: ms(1000), Base: defaultNetwork, Swarm: true}
}
