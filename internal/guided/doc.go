// Package guided is coverage-guided search for fault schedules: instead of
// drawing every run's faults afresh from a seed, as a sweep does, it keeps
// a corpus of schedules and mutates them — adds, removes or shifts a
// fault, changes its target, moves a crash to another effect boundary —
// and spends its runs on the schedules that reached behaviour no run had
// shown before. Coverage is a small signal of its own, read from a run's
// facts and crashes: which fact kinds each role recorded, which kind
// followed which on one node, and after which fact a node crashed. It is
// a measuring instrument as much as a tool: Compare counts the runs to
// the first detection of a planted bug by random, swarm and guided search.
package guided
