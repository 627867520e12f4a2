package scenarios

import (
	"flag"
	"strconv"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/protocol/lockmgr"
	"github.com/faultline-sim/faultline/protocol/zklock"
	"github.com/faultline-sim/faultline/workload"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// drawPausesAndClocks draws a fault schedule as data — every pause and
// clock jump, its node, time and size — so rapid shrinks a failure to the
// few faults that matter. Besides timed faults it may pause a client as it
// enters its critical section, the aimed form of Kleppmann's pause.
func drawPausesAndClocks(t *rapid.T, nodes, clients []string) faults.Schedule {
	var s faults.Schedule
	n := rapid.IntRange(0, 8).Draw(t, "faults")
	for i := 0; i < n; i++ {
		node := rapid.SampledFrom(nodes).Draw(t, "node")
		at := faults.Duration(time.Duration(rapid.IntRange(0, 800).Draw(t, "at-ms")) * time.Millisecond)
		if rapid.Bool().Draw(t, "pause") {
			d := time.Duration(rapid.IntRange(1, 400).Draw(t, "pause-ms")) * time.Millisecond
			s.Actions = append(s.Actions, faults.Action{At: at, Kind: faults.Pause, Node: node, Duration: faults.Duration(d)})
		} else {
			ms := rapid.IntRange(-300, 299).Draw(t, "jump-ms")
			if ms >= 0 {
				ms++ // a jump of zero is no fault (and refused)
			}
			d := time.Duration(ms) * time.Millisecond
			s.Actions = append(s.Actions, faults.Action{At: at, Kind: faults.ClockJump, Node: node, Duration: faults.Duration(d)})
		}
	}
	if rapid.Bool().Draw(t, "aimed-pause") {
		// Pause a client as it enters its critical section, or a little
		// after the storage answered its read (in the middle of its work).
		c := rapid.SampledFrom(clients).Draw(t, "aimed-client")
		d := faults.Duration(time.Duration(rapid.IntRange(1, 400).Draw(t, "aimed-pause-ms")) * time.Millisecond)
		trig := faults.Trigger{On: "cs-enter", Node: c, Skip: rapid.IntRange(0, 3).Draw(t, "aimed-skip")}
		delay := faults.Duration(0)
		if rapid.Bool().Draw(t, "after-read") {
			trig.On, trig.Node, trig.Where = "storage-read", storageName, map[string]string{"client": c}
			delay = faults.Duration(time.Duration(rapid.IntRange(0, 15).Draw(t, "after-read-ms")) * time.Millisecond)
		}
		trig.Do = []faults.Action{{At: delay, Kind: faults.Pause, Node: c, Duration: d}}
		s.Triggers = append(s.Triggers, trig)
	}
	faults.SortActions(s.Actions)
	return s
}

// fencedNeverStale runs sys under drawn pauses and clock jumps and asserts
// that the fenced storage never accepted a stale token and no update was
// lost. It counts the operations the fence refused and requires some: a
// property run in which the fence never had a stale token to refuse
// proves nothing about it.
func fencedNeverStale(t *testing.T, sys System, nodes, clients []string) {
	// About one drawn schedule in fifty makes a stale token reach the
	// fence; 500 make missing them all unlikely (and cost about 2 s).
	atLeastChecks(t, 500)
	refused := 0
	rapid.Check(t, func(rt *rapid.T) {
		plan := drawPausesAndClocks(rt, nodes, clients)
		s := Spec{Name: "rapid", System: sys, Network: defaultNetwork, MaxTime: 3 * time.Second}
		out, err := Run(s, Options{Seed: rapid.Uint64Range(1, 1000).Draw(rt, "seed"), NoTrace: true, Schedule: &plan})
		if err != nil {
			rt.Fatal(err)
		}
		for _, r := range out.Results {
			switch r.Checker {
			case "storage", "lost-updates":
				if r.Verdict != checker.OK {
					rt.Fatalf("%s under\n%s", r, plan)
				}
			}
		}
		for _, o := range out.History.Observations {
			switch f := o.Data.(type) {
			case obs.StorageWrite:
				if f.Rejected {
					refused++
				}
			case obs.StorageRead:
				if f.Rejected {
					refused++
				}
			}
		}
	})
	t.Logf("stale operations refused by the fence: %d", refused)
	require.Positive(t, refused, "the fence refused nothing: no drawn schedule produced a stale token, so the property was not exercised")
}

const storageName = "storage"

// atLeastChecks raises rapid's number of checks to n for one test, unless
// -rapid.checks asked for more.
func atLeastChecks(t *testing.T, n int) {
	f := flag.Lookup("rapid.checks")
	old := f.Value.String()
	if cur, err := strconv.Atoi(old); err == nil && cur >= n {
		return
	}
	require.NoError(t, flag.Set("rapid.checks", strconv.Itoa(n)))
	t.Cleanup(func() { _ = flag.Set("rapid.checks", old) })
}

func TestZKFencedStorageNeverTakesAStaleToken(t *testing.T) {
	c := zklock.Default()
	c.FencedStorage = true
	base, err := Get("zk-lock-faults")
	require.NoError(t, err)
	w := base.System.(Locks).Work
	w.JobsPerClient = 3
	sys := Locks{Lock: c, Judges: ZKJudges, Work: w, WaitBound: time.Second, TakeoverBound: c.SessionTimeout + 200*time.Millisecond}
	fencedNeverStale(t, sys, append([]string{zklock.ServerName, zklock.StorageName}, w.ClientNames()...), w.ClientNames())
}

func TestLockManagerFencedStorageNeverTakesAStaleToken(t *testing.T) {
	m := lockmgr.Default()
	m.FencedStorage = true
	w := workload.Locks{Clients: 5, Locks: 2, JobsPerClient: 3, MaxLocksPerJob: 1, Interval: 80 * time.Millisecond, Start: time.Millisecond}
	sys := Locks{Lock: m, Judges: LeaseJudges, Work: w, WaitBound: time.Second, TakeoverBound: time.Second}
	fencedNeverStale(t, sys, append([]string{lockmgr.ManagerName, lockmgr.StorageName}, w.ClientNames()...), w.ClientNames())
}
