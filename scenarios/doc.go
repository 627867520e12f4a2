// Package scenarios names runnable experiments. A Spec is data: the
// protocol, the workload, the network, the fault plan (fixed actions,
// triggers, and a nemesis that draws random faults per seed), an optional
// liveness-after-healing phase, run limits, and the outcome expected.
// Run builds a world from a Spec and a seed, runs it, and hands the
// history to the checkers its System lists (System.Checkers: values with
// their options — fencing, quorum, the liveness bounds of the Spec), all
// run by checker.RunAll. Nothing here classifies a checker by its name;
// only a scenario file's checkers section names them, to choose which run
// (Spec.Checks) and to set the options it offers (blocking's min-for,
// takeover's and progress's bound).
//
// Scenarios are files. The built-ins are YAML files in builtin/, compiled
// in and parsed on each Get; Parse reads any scenario file strictly (a
// mistake is a *FileError naming the file, line and field) and EncodeSpec
// writes a Spec of the commit, lock or inventory family back with every
// value explicit, which is what a run file carries so that a replay does
// not depend on defaults. A protocol's file parameters are its
// configuration struct's exported fields, declared nowhere else: every
// protocol registered with RegisterCommit or RegisterLock (and the
// built-in lock services and store) can be named by a file.
//
// Every random choice comes from the seed through separate streams
// ("workload", "faults", "network", one per node), so two specs that differ
// only in protocol see the same transfers and the same faults.
//
// Systems come in families. The lock family is Locks: any lock service (a
// lockkit.Protocol) with its judges, clients doing read-modify-write on
// the storage its locks protect, and the family's checkers. A lock service
// of one's own joins with RegisterLock, which gives it the family's
// standard scenarios; Register adds any other Spec from outside the
// package.
package scenarios
