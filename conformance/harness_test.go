package conformance

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/faultline-sim/faultline/realserver"
	"github.com/faultline-sim/faultline/realserver/realservertest"
	"github.com/faultline-sim/faultline/sim"
)

// defaultChecks is how many random sequences each test runs unless
// -rapid.checks or RAPID_CHECKS asks for more: enough to cover every kind
// of step, and cheap enough for every `go test ./...`.
const defaultChecks = 50

// budget bounds each test's sequences in real time by default, so that a
// test with its server's start-up stays under a minute; sequences that
// would start after it are not run (the test logs how many ran).
const budget = 50 * time.Second

// maxBudget bounds a test whose count was asked for (-rapid.checks or
// RAPID_CHECKS): its budget grows with the count, up to this; a sequence
// asked for and not run then fails the test instead of passing unseen.
// (go test's own -timeout, 10 minutes by default, may need raising.)
const maxBudget = time.Hour

// budgetFor is the time budget of a test that runs checks sequences where
// by default it runs perDefault in the default budget: that budget for
// each perDefault sequences asked for, at least the default budget and at
// most maxBudget.
func budgetFor(checks, perDefault int, asked bool) time.Duration {
	if !asked || perDefault <= 0 {
		return budget
	}
	b := budget * time.Duration((checks+perDefault-1)/perDefault)
	return min(max(b, budget), maxBudget)
}

// verbose (env CONFORMANCE_VERBOSE=1) logs every sequence's transcript.
var verbose = os.Getenv("CONFORMANCE_VERBOSE") != ""

// asked is set when -rapid.checks or RAPID_CHECKS chose the count.
var asked bool

func TestMain(m *testing.M) {
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { asked = asked || f.Name == "rapid.checks" })
	asked = asked || os.Getenv("RAPID_CHECKS") != ""
	if !asked {
		flag.Set("rapid.checks", fmt.Sprint(defaultChecks))
	}
	// A failure against a real server replays only roughly (its timing is
	// real): the printed seed is the record, not a file in the source tree.
	flag.Set("rapid.nofailfile", "true")
	code := m.Run()
	realserver.CloseAll() // the shared ZooKeeper
	if kids, err := realserver.Children(); err != nil || len(kids) > 0 {
		fmt.Fprintf(os.Stderr, "conformance: processes left running after the tests: %v %v\n", kids, err)
		code = 1
	}
	os.Exit(code)
}

var shared struct {
	sync.Once
	zk  *realserver.Server
	err error
}

// sharedZooKeeper is one ZooKeeper for all the tests of the package: a JVM
// takes seconds to start, and each sequence works in lock directories of
// its own.
func sharedZooKeeper(t *testing.T) *realserver.Server {
	shared.Do(func() {
		shared.zk, shared.err = realserver.StartZooKeeper(context.Background(), realserver.ZKOptions{TickTime: zkTick, MaxSessionTimeout: maxZKSession})
	})
	realservertest.Require(t, shared.err)
	return shared.zk
}

// perTest is how many sequences the running test does by default (the
// measure of its time budget when a count is asked for).
var perTest = defaultChecks

// fewerChecks lowers the default count for one slow test; a count asked
// for is left alone (and given the time it needs at this test's pace).
func fewerChecks(t *testing.T, n int) {
	perTest = n
	t.Cleanup(func() { perTest = defaultChecks })
	if asked {
		return
	}
	flag.Set("rapid.checks", fmt.Sprint(n))
	t.Cleanup(func() { flag.Set("rapid.checks", fmt.Sprint(defaultChecks)) })
}

// tally counts what one test compared, for its log line and the report.
type tally struct {
	start     time.Time
	budget    time.Duration // see budgetFor
	asked     bool          // the count was asked for: a sequence not run fails the test
	sequences int           // sequences run against both servers
	late      int           // sequences not run: the time budget was spent
	steps     int           // replies (and event lists) compared
	expired   int           // of them, replies about a key whose TTL had run out
	boundary  int           // sequences cut short at an expiry boundary (see expiries.near)
	events    int           // steps after which some session was told of a deletion
	faults    int           // kill -9 and restart, failover, session expiry
}

func newTally(t *testing.T) *tally {
	checks, _ := strconv.Atoi(flag.Lookup("rapid.checks").Value.String())
	y := &tally{start: time.Now(), budget: budgetFor(checks, perTest, asked), asked: asked}
	t.Cleanup(func() {
		t.Logf("%d sequences run, %d not run for want of time (budget %v), %d replies compared (%d after a TTL ran out, %d with watch events), %d faults, %d sequences cut at an expiry boundary, %v",
			y.sequences, y.late, y.budget, y.steps, y.expired, y.events, y.faults, y.boundary, time.Since(y.start).Round(time.Millisecond))
		if err := y.shortfall(); err != nil {
			t.Error(err)
		}
	})
	return y
}

// over reports, and counts, a sequence that would start after the budget.
func (y *tally) over() bool {
	if time.Since(y.start) > y.budget {
		y.late++
		return true
	}
	return false
}

// shortfall is the error of a test whose count was asked for and which
// did not run every sequence: skipped sequences must not pass as checked.
func (y *tally) shortfall() error {
	if !y.asked || y.late == 0 {
		return nil
	}
	return fmt.Errorf("%d of the sequences asked for (-rapid.checks or RAPID_CHECKS) were not run: the %v budget was spent after %d; ask for fewer or run this test alone",
		y.late, y.budget, y.sequences)
}

// planned is one message the driver sends at a simulated time.
type planned struct {
	at  time.Duration
	to  string
	msg sim.Message
}

// arrival is one message the driver received.
type arrival struct {
	at  time.Duration
	msg sim.Message
}

// driver is the simulated client of the differential tests: it replays,
// at the simulated times matching the real run, the requests the real
// client sent, and keeps every answer.
type driver struct {
	plan []planned
	got  []arrival
}

type sendTimer int

func (t sendTimer) String() string { return fmt.Sprintf("send #%d", int(t)) }

func (d *driver) Start(env *sim.Env) {
	for i, p := range d.plan {
		env.SetTimer(p.at-env.Now(), sendTimer(i))
	}
}

func (d *driver) Timer(env *sim.Env, tag any) {
	p := d.plan[tag.(sendTimer)]
	to, ok := env.Lookup(p.to)
	if !ok {
		panic("conformance: no node " + p.to)
	}
	env.Send(to, p.msg)
}

func (d *driver) Receive(env *sim.Env, _ sim.NodeID, m sim.Message) {
	d.got = append(d.got, arrival{at: env.Now(), msg: m})
}

// act is a fault on the simulated world at the time it happened to the
// real server (kill -9, restart, a cut link).
type act struct {
	name string
	f    func(*sim.World)
}

type timed struct {
	at  time.Duration
	act act
}

func (a act) Apply(w *sim.World) { a.f(w) }
func (a act) String() string     { return a.name }

// mid is the simulated time of a real request: somewhere between sending
// and the answer the server ran it; the middle is as good as any, because
// replies near a time boundary are not compared (expiries.near).
func mid(a, b time.Duration) time.Duration { return a + (b-a)/2 }

// must fails a rapid check with a disagreement.
func must(t *rapid.T, err error) {
	if err != nil {
		t.Fatal(err)
	}
}

// transcript formats the steps of a failing sequence.
func transcript(lines []string) string { return "\n\t" + strings.Join(lines, "\n\t") }
