package checker

// LockFamily is the lock family's safety judges, the same for simulated
// and live runs: the lock service's own history (linear, built by the
// service: the lease, Redis or ZooKeeper history; nil leaves it
// unjudged), mutual exclusion of critical sections in true time (against
// fenced storage, overlapping beliefs are harmless), lost updates, and
// storage safety (every accepted write from the client a quorum of the
// servers' records names as holder, or refused by the fence).
func LockFamily(linear Checker, fenced bool, quorum int) []Checker {
	var cs []Checker
	if linear != nil {
		cs = append(cs, linear)
	}
	return append(cs, MutualExclusion{Fenced: fenced}, LostUpdates{}, StorageSafety{Quorum: quorum, Fenced: fenced})
}
