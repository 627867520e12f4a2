package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	pathpkg "path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/faults"
	"github.com/faultline-sim/faultline/protocol/lockkit"
	"github.com/faultline-sim/faultline/protocol/optimistic"
	"github.com/faultline-sim/faultline/protocol/plant"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
	"go.yaml.in/yaml/v3"
)

// A scenario file is one YAML document (see README, "Scenario files"):
//
//	name, description, expect
//	system:   protocol, bugs, params (the protocol's configuration)
//	topology: what exists (participants, clients, locks, items)
//	workload: what the clients do
//	network:  the default link
//	faults:   actions, triggers, random (the nemesis)
//	checkers: name -> options
//	limits:   max-time, max-events
//	liveness: at, bound
//
// Parse reads it strictly; EncodeSpec writes a Spec back with every value
// explicit, so the file no longer depends on any default.

// fileDoc is the top level of a file. The sections whose shape depends on
// the protocol's family stay raw until the protocol is known.
type fileDoc struct {
	Name        string
	Description string
	Expect      string
	System      fileSystem
	Topology    yaml.Node
	Workload    yaml.Node
	Network     *faults.LinkSpec
	Faults      fileFaults
	Checkers    yaml.Node
	Limits      fileLimits
	Liveness    *Liveness
}

type fileSystem struct {
	Protocol string
	Bugs     []string
	Params   yaml.Node
}

type fileFaults struct {
	Actions  []faults.Action
	Triggers []faults.Trigger
	Random   *faults.Nemesis
	Unsynced string // the storage fault: keep, lose or torn (faults.Schedule.Unsynced)
}

type fileLimits struct {
	MaxTime   time.Duration
	MaxEvents int
}

// The families' topology and workload sections.
type (
	commitTopology struct {
		Participants           int
		AccountsPerParticipant int
		InitialBalance         int64
		Clients                int
	}
	commitWorkload struct {
		Transfers int
		Interval  time.Duration
		MaxAmount int64
		Start     time.Duration
	}
	lockTopology struct {
		Clients int
		Locks   int
	}
	lockWorkload struct {
		JobsPerClient  int
		MaxLocksPerJob int
		Interval       time.Duration
		Start          time.Duration
		// Jobs, if given, is the workload itself: the clients are those
		// the jobs name and the other fields must be left out.
		Jobs []workload.LockJob `yaml:",omitempty"`
	}
	inventoryTopology struct {
		Items        int
		InitialStock int64
		Clients      int
	}
	inventoryWorkload struct {
		OrdersPerClient int
		MaxUnits        int64
		Interval        time.Duration
		Start           time.Duration
	}
)

// The protocol families a file can name.
const (
	familyCommit    = "commit"
	familyLocks     = "locks"
	familyInventory = "inventory"
)

// protocolEntry is a protocol a file can name: its family, its default
// configuration (a struct whose exported fields are the file's
// system.params) and, for a lock service, its judges.
type protocolEntry struct {
	family string
	def    any
	judges LockJudges
}

var protocolRegistry = map[string]protocolEntry{}

func registerProtocol(name string, e protocolEntry) {
	if _, dup := protocolRegistry[name]; dup {
		panic("scenarios: protocol " + name + " registered twice")
	}
	if t := reflect.TypeOf(e.def); t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("scenarios: protocol %s: configuration %v is not a struct", name, t))
	}
	protocolRegistry[name] = e
}

// ProtocolNames lists every protocol a scenario file can name, sorted.
func ProtocolNames() []string { return sortedKeys(protocolRegistry) }

// ProtocolParams lists the parameters a file may set under
// system.params for the named protocol, with their default values.
func ProtocolParams(name string) ([]string, error) {
	e, ok := protocolRegistry[name]
	if !ok {
		return nil, unknownProtocol(name)
	}
	var out []string
	v := reflect.ValueOf(e.def)
	for _, f := range fieldsOf(v.Type()) {
		out = append(out, f.key+": "+encode(v.FieldByIndex(f.index), false).Value)
	}
	return out, nil
}

func unknownProtocol(name string) error {
	names := ProtocolNames()
	return fmt.Errorf("unknown protocol %q (did you mean %q? known: %s)", name, closest(name, names), strings.Join(names, ", "))
}

// maxCount bounds the counts of a file's protocol parameters and
// topology (participants, clients, instances), maxWork its workload
// (transfers, jobs, orders, in all): far above any useful scenario, low
// enough that a typo of a few digits is refused instead of building a world
// whose links (one per pair of nodes) fill the memory.
const (
	maxCount  = 256
	maxWork   = 100000
	maxFaults = 10000
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads a scenario file; file names it in errors, which are
// *FileError values carrying the line and field.
func Parse(file string, data []byte) (s Spec, err error) {
	d := newDecoder(file)
	defer func() {
		// A protocol's Build may panic on a setting its Validate let
		// through (two nodes of one name); a file must never crash the
		// tool.
		if r := recover(); r != nil {
			s, err = Spec{}, d.errAt(1, "", "cannot build this scenario: %s", strings.ReplaceAll(fmt.Sprint(r), "\n", "; "))
		}
	}()
	syntax := func(err error) error {
		msg := strings.ReplaceAll(err.Error(), "\n", "; ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return d.errAt(line, "", "%s", m[2])
		}
		return d.errAt(1, "", "%s", strings.TrimPrefix(msg, "yaml: "))
	}
	var root, more yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return Spec{}, d.errAt(1, "", "empty file")
		}
		return Spec{}, syntax(err)
	}
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		if err != nil {
			return Spec{}, syntax(err)
		}
		return Spec{}, d.errAt(more.Line, "", "a second YAML document: a file is one scenario")
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return Spec{}, d.errAt(1, "", "empty file")
	}
	var fd fileDoc
	if err := d.decodeStruct(root.Content[0], reflect.ValueOf(&fd).Elem(), "", "key"); err != nil {
		return Spec{}, err
	}
	return d.build(root.Content[0], &fd)
}

func (d *decoder) build(top *yaml.Node, fd *fileDoc) (Spec, error) {
	require := func(ok bool, key string) error {
		if ok {
			return nil
		}
		return d.errAt(top.Line, key, "missing")
	}
	for _, err := range []error{require(fd.Name != "", "name"), require(fd.Expect != "", "expect"), require(fd.System.Protocol != "", "system.protocol")} {
		if err != nil {
			return Spec{}, err
		}
	}
	expect, err := checker.ParseVerdict(fd.Expect)
	if err != nil {
		return Spec{}, d.errPath("expect", err)
	}
	s := Spec{Name: fd.Name, Description: fd.Description, Expect: expect,
		Network: defaultNetwork, MaxTime: fd.Limits.MaxTime, MaxEvents: fd.Limits.MaxEvents,
		Faults: faults.Schedule{Actions: fd.Faults.Actions, Triggers: fd.Faults.Triggers, Unsynced: fd.Faults.Unsynced}, Nemesis: fd.Faults.Random, Liveness: fd.Liveness}
	if _, err := sim.ParseUnsynced(fd.Faults.Unsynced); err != nil {
		return Spec{}, d.errPath("faults.unsynced", err)
	}
	if fd.Network != nil {
		s.Network = *fd.Network
	}
	if _, given := d.lines["faults.random.base"]; s.Nemesis != nil && !given {
		s.Nemesis.Base = s.Network // the link a slow or lossy episode restores
	}
	entry, ok := protocolRegistry[fd.System.Protocol]
	if !ok {
		return Spec{}, d.errPath("system.protocol", unknownProtocol(fd.System.Protocol))
	}
	cfg := reflect.New(reflect.TypeOf(entry.def)).Elem()
	cfg.Set(reflect.ValueOf(entry.def))
	if err := d.section(&fd.System.Params, cfg, "system.params", "parameter of "+fd.System.Protocol, maxCount); err != nil {
		return Spec{}, err
	}
	if s.System, err = d.family(entry, cfg.Interface(), fd); err != nil {
		return Spec{}, err
	}
	for i, b := range fd.System.Bugs {
		if s.System, err = s.System.WithBug(b); err != nil {
			return Spec{}, d.errPath(fmt.Sprintf("system.bugs[%d]", i), err)
		}
	}
	if err := d.checkers(&fd.Checkers, &s); err != nil {
		return Spec{}, err
	}
	if err := d.limits(&s); err != nil {
		return Spec{}, err
	}
	if err := d.faults(&s); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// section decodes an optional raw section into v, whose value is the
// default of every key the file leaves out, and refuses counts out of
// range.
func (d *decoder) section(n *yaml.Node, v reflect.Value, path, what string, limit int) error {
	if n.Kind == 0 {
		return nil
	}
	if err := d.decodeStruct(n, v, path, what); err != nil {
		return err
	}
	for _, f := range fieldsOf(v.Type()) {
		fv := v.FieldByIndex(f.index)
		if fv.Kind() == reflect.Int && fv.Type() != durationType {
			if c := fv.Int(); c > int64(limit) {
				return d.errPath(path+"."+f.key, fmt.Errorf("%d is too large (at most %d)", c, limit))
			}
		}
	}
	return nil
}

// family makes the system of the protocol's family from the
// configuration and the topology and workload sections.
func (d *decoder) family(e protocolEntry, cfg any, fd *fileDoc) (System, error) {
	params := func(err error) error {
		if err == nil {
			return nil
		}
		return d.errPath("system.params", err)
	}
	switch e.family {
	case familyCommit:
		p := cfg.(txn.Protocol)
		b := workload.DefaultBank()
		topo := commitTopology{Participants: b.Banks, AccountsPerParticipant: b.AccountsPerBank, InitialBalance: b.InitialBalance, Clients: b.Clients}
		work := commitWorkload{Transfers: b.Transfers, Interval: b.Interval, MaxAmount: b.MaxAmount, Start: b.Start}
		if err := d.section(&fd.Topology, reflect.ValueOf(&topo).Elem(), "topology", "key of the commit topology", maxCount); err != nil {
			return nil, err
		}
		if err := d.section(&fd.Workload, reflect.ValueOf(&work).Elem(), "workload", "key of the bank workload", maxWork); err != nil {
			return nil, err
		}
		b = workload.Bank{Banks: topo.Participants, AccountsPerBank: topo.AccountsPerParticipant, InitialBalance: topo.InitialBalance, Clients: topo.Clients,
			Transfers: work.Transfers, Interval: work.Interval, MaxAmount: work.MaxAmount, Start: work.Start}
		if err := params(p.Validate()); err != nil {
			return nil, err
		}
		if topo.Participants*topo.AccountsPerParticipant > maxWork {
			return nil, d.errPath("topology.accounts-per-participant", fmt.Errorf("%d accounts in all is too many (at most %d)", topo.Participants*topo.AccountsPerParticipant, maxWork))
		}
		if topo.Participants < 2 {
			return nil, d.errPath("topology.participants", fmt.Errorf("must be at least 2 (a transfer spans two), got %d", topo.Participants))
		}
		if err := b.Validate(); err != nil {
			return nil, d.errPath("topology", err)
		}
		return CommitBank{Commit: p, Bank: b}, nil
	case familyLocks:
		p := cfg.(lockkit.Protocol)
		def := workload.DefaultLocks()
		topo := lockTopology{Clients: def.Clients, Locks: def.Locks}
		work := lockWorkload{JobsPerClient: def.JobsPerClient, MaxLocksPerJob: def.MaxLocksPerJob, Interval: def.Interval, Start: def.Start}
		if err := d.section(&fd.Topology, reflect.ValueOf(&topo).Elem(), "topology", "key of the lock topology", maxCount); err != nil {
			return nil, err
		}
		if err := d.section(&fd.Workload, reflect.ValueOf(&work).Elem(), "workload", "key of the lock workload", maxWork); err != nil {
			return nil, err
		}
		l := Locks{Lock: p, Judges: e.judges}
		if _, scripted := d.lines["workload.jobs"]; scripted {
			for _, k := range []string{"topology", "workload.jobs-per-client", "workload.max-locks-per-job", "workload.interval", "workload.start"} {
				if _, given := d.lines[k]; given {
					return nil, d.errPath(k, errors.New("not allowed with workload.jobs: the jobs say which clients do what, and when"))
				}
			}
			if len(work.Jobs) == 0 {
				return nil, d.errPath("workload.jobs", errors.New("empty"))
			}
			clients := map[string]bool{}
			for i, j := range work.Jobs {
				if j.ID == "" || j.Client == "" || len(j.Locks) == 0 || j.At < 0 {
					return nil, d.errPath(fmt.Sprintf("workload.jobs[%d]", i), errors.New("a job needs an id, a client, a start not below 0 and at least one lock"))
				}
				if clients[j.Client] = true; len(clients) > maxCount {
					return nil, d.errPath(fmt.Sprintf("workload.jobs[%d].client", i), fmt.Errorf("more than %d clients", maxCount))
				}
			}
			l.Jobs = work.Jobs
		} else {
			if topo.Clients*work.JobsPerClient > maxWork {
				return nil, d.errPath("workload.jobs-per-client", fmt.Errorf("%d jobs in all is too many (at most %d)", topo.Clients*work.JobsPerClient, maxWork))
			}
			l.Work = workload.Locks{Clients: topo.Clients, Locks: topo.Locks, JobsPerClient: work.JobsPerClient, MaxLocksPerJob: work.MaxLocksPerJob,
				Interval: work.Interval, Start: work.Start}
			if err := l.Work.Validate(); err != nil {
				return nil, d.errPath("workload", err)
			}
		}
		return l, params(p.Validate())
	case familyInventory:
		c := cfg.(optimistic.Config)
		def := workload.DefaultInventory()
		topo := inventoryTopology{Items: def.Items, InitialStock: def.InitialStock, Clients: def.Clients}
		work := inventoryWorkload{OrdersPerClient: def.OrdersPerClient, MaxUnits: def.MaxUnits, Interval: def.Interval, Start: def.Start}
		if err := d.section(&fd.Topology, reflect.ValueOf(&topo).Elem(), "topology", "key of the inventory topology", maxCount); err != nil {
			return nil, err
		}
		if err := d.section(&fd.Workload, reflect.ValueOf(&work).Elem(), "workload", "key of the inventory workload", maxWork); err != nil {
			return nil, err
		}
		if topo.Clients*work.OrdersPerClient > maxWork {
			return nil, d.errPath("workload.orders-per-client", fmt.Errorf("%d orders in all is too many (at most %d)", topo.Clients*work.OrdersPerClient, maxWork))
		}
		v := InventorySystem{Store: c, Work: workload.Inventory{Items: topo.Items, InitialStock: topo.InitialStock, Clients: topo.Clients,
			OrdersPerClient: work.OrdersPerClient, MaxUnits: work.MaxUnits, Interval: work.Interval, Start: work.Start}}
		if err := v.Work.Validate(); err != nil {
			return nil, d.errPath("workload", err)
		}
		return v, params(c.Validate())
	}
	panic("scenarios: unknown family " + e.family)
}

// checkers applies the checkers section: each key names a checker the
// system offers, its value that checker's options. Without the section
// every checker the system offers runs.
func (d *decoder) checkers(n *yaml.Node, s *Spec) error {
	if n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return d.errAt(n.Line, "checkers", "want a mapping from checker names to their options, got %s", kindName(n))
	}
	type named struct {
		name string
		line int
	}
	var chosen []named
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, opts := n.Content[i], n.Content[i+1]
		name, err := d.scalar(k, "checkers", "a checker name")
		if err != nil {
			return err
		}
		path := "checkers." + name
		if slices.ContainsFunc(chosen, func(c named) bool { return c.name == name }) {
			return d.errAt(k.Line, path, "given twice")
		}
		chosen = append(chosen, named{name, k.Line})
		if err := d.checkerOptions(name, opts, s, path); err != nil {
			return err
		}
	}
	if len(chosen) == 0 {
		return d.errAt(n.Line, "checkers", "empty: a run judged by no checker would pass whatever happened")
	}
	offered := checkerNames(s.System.Checkers(s))
	s.Checks = []string{}
	for _, c := range chosen {
		if !slices.Contains(offered, c.name) {
			hint := ""
			if c.name == "liveness" && s.Liveness == nil {
				hint = "; it needs a liveness section"
			}
			return d.errAt(c.line, "checkers."+c.name, "not a checker of %s%s (did you mean %q? have: %s)", s.System.Protocol(), hint,
				closest(c.name, offered), strings.Join(offered, ", "))
		}
		s.Checks = append(s.Checks, c.name)
	}
	return nil
}

type blockingOptions struct{ MinFor time.Duration }
type boundOptions struct{ Bound time.Duration }

// checkerOptions sets one checker's options. They live where the checkers
// are made from: the spec (blocking) or the system (takeover, progress).
func (d *decoder) checkerOptions(name string, n *yaml.Node, s *Spec, path string) error {
	switch name {
	case "blocking":
		o := blockingOptions{MinFor: s.MinBlocked}
		if err := d.decodeStruct(n, reflect.ValueOf(&o).Elem(), path, "option of blocking"); err != nil {
			return err
		}
		if o.MinFor < 0 {
			return d.errPath(path+".min-for", fmt.Errorf("%v is negative", o.MinFor))
		}
		s.MinBlocked = o.MinFor
		return nil
	case "takeover", "progress":
		var o boundOptions
		if err := d.decodeStruct(n, reflect.ValueOf(&o).Elem(), path, "option of "+name); err != nil {
			return err
		}
		if o.Bound <= 0 {
			return d.errPath(path+".bound", fmt.Errorf("must be positive, got %v", o.Bound))
		}
		switch sys := s.System.(type) {
		case Locks:
			if name == "takeover" {
				sys.TakeoverBound = o.Bound
			} else {
				sys.WaitBound = o.Bound
			}
			s.System = sys
		case InventorySystem:
			if name == "progress" {
				sys.ProgressBound = o.Bound
				s.System = sys
			}
		}
		return nil
	}
	if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") && !(n.Kind == yaml.MappingNode && len(n.Content) == 0) {
		return d.errAt(n.Line, path, "%s takes no options; write %s: {}", name, name)
	}
	return nil
}

func checkerNames(cs []checker.Checker) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name()
	}
	return out
}

// limits checks the run limits and the liveness phase.
func (d *decoder) limits(s *Spec) error {
	switch {
	case s.MaxTime < 0:
		return d.errPath("limits.max-time", fmt.Errorf("%v is negative", s.MaxTime))
	case s.MaxEvents < 0:
		return d.errPath("limits.max-events", fmt.Errorf("%d is negative", s.MaxEvents))
	case s.MaxTime == 0 && s.MaxEvents == 0:
		return d.errPath("limits", errors.New("needs max-time or max-events"))
	}
	if l := s.Liveness; l != nil {
		if l.At <= 0 || l.Bound <= 0 {
			return d.errPath("liveness", fmt.Errorf("at and bound must be positive, got %v and %v", l.At, l.Bound))
		}
		if s.MaxTime > 0 && s.MaxTime < l.At+l.Bound {
			return d.errPath("limits.max-time", fmt.Errorf("%v ends before the liveness deadline %v", s.MaxTime, l.At+l.Bound))
		}
	}
	return nil
}

// faults checks the fault plan against the fact vocabulary and against
// the nodes the system builds (a world is built, not run, to learn them).
func (d *decoder) faults(s *Spec) error {
	w, err := sim.New(sim.Config{Seed: 1, Network: s.Network.Sim(), MaxTime: time.Second, NoTrace: true})
	if err != nil {
		return d.errPath("network", err)
	}
	if err := s.System.Build(w, 1); err != nil {
		return d.errPath("system", err)
	}
	known := func(n string) bool { _, ok := w.Lookup(n); return ok }
	for i, a := range s.Faults.Actions {
		if err := a.Validate(known); err != nil {
			return d.errPath(fmt.Sprintf("faults.actions[%d]", i), err)
		}
	}
	anyNode := func(string) bool { return true }
	for i, t := range s.Faults.Triggers {
		path := fmt.Sprintf("faults.triggers[%d]", i)
		probe := faults.Schedule{Triggers: []faults.Trigger{{On: t.On, Where: t.Where, Do: []faults.Action{{Kind: faults.HealAll}}}}}
		if err := probe.Validate(anyNode); err != nil {
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			sub := path + ".on"
			if strings.HasPrefix(err.Error(), `"where"`) {
				sub = path + ".where"
			}
			return d.errPath(sub, err)
		}
		switch {
		case t.Node != "" && !known(t.Node):
			return d.errPath(path+".node", fmt.Errorf("unknown node %q (have: %s)", t.Node, strings.Join(w.Names(), ", ")))
		case t.Skip < 0 || t.Times < 0:
			return d.errPath(path, errors.New("skip and times must not be negative"))
		case len(t.Do) == 0:
			return d.errPath(path+".do", errors.New("no action"))
		}
		for j, a := range t.Do {
			if err := a.Validate(known); err != nil {
				return d.errPath(fmt.Sprintf("%s.do[%d]", path, j), err)
			}
		}
	}
	if n := s.Nemesis; n != nil {
		if n.Targets, err = d.nodeList(w, "faults.random.targets", n.Targets); err != nil {
			return err
		}
		if n.Others, err = d.nodeList(w, "faults.random.others", n.Others); err != nil {
			return err
		}
		if err := n.Validate(); err != nil {
			return d.errPath("faults.random", err)
		}
		total := 0.0
		for _, r := range []float64{n.CrashRate, n.PartitionRate, n.SlowRate, n.LossRate, n.PauseRate, n.ClockRate} {
			total += r
		}
		// Swarm mode may double each rate; a plan of more faults than this
		// is a typo in a rate or the window, not a test.
		if faults := 2 * total * time.Duration(n.Stop-n.Start).Seconds(); faults > maxFaults {
			return d.errPath("faults.random", fmt.Errorf("rates and window give up to %.0f faults a run (at most %d)", faults, maxFaults))
		}
	}
	return nil
}

// nodeList expands a list of node names in which a pattern
// ("participant-*", path.Match syntax) stands for every node it matches,
// in the order the system adds them: so a file that changes how many
// participants or clients there are need not change its random faults.
// A name or pattern that names no node is an error.
func (d *decoder) nodeList(w *sim.World, key string, names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for j, name := range names {
		path := fmt.Sprintf("%s[%d]", key, j)
		if !strings.ContainsAny(name, "*?[\\") {
			if _, ok := w.Lookup(name); !ok {
				return nil, d.errPath(path, fmt.Errorf("unknown node %q (have: %s)", name, strings.Join(w.Names(), ", ")))
			}
			add(name)
			continue
		}
		if _, err := pathpkg.Match(name, ""); err != nil {
			return nil, d.errPath(path, fmt.Errorf("pattern %q: %w", name, err))
		}
		matched := false
		for _, n := range w.Names() {
			if ok, _ := pathpkg.Match(name, n); ok {
				matched = true
				add(n)
			}
		}
		if !matched {
			return nil, d.errPath(path, fmt.Errorf("pattern %q matches no node (have: %s)", name, strings.Join(w.Names(), ", ")))
		}
	}
	return out, nil
}

// EncodeSpec writes a scenario as a file Parse reads back to the same
// scenario: every protocol parameter, the topology, workload, network,
// checkers with their options and the limits are written out, so the file
// does not change meaning when a default does. A system that is not one
// of the families (a System of one's own) has no file form.
func EncodeSpec(s Spec) ([]byte, error) {
	var (
		cfg        any
		topo, work *yaml.Node
	)
	switch sys := s.System.(type) {
	case CommitBank:
		if sys.Transfers != nil {
			return nil, fmt.Errorf("scenario %s: a workload of explicit transfers has no file form", s.Name)
		}
		b := sys.Bank
		cfg = sys.Commit
		topo = encode(reflect.ValueOf(commitTopology{Participants: b.Banks, AccountsPerParticipant: b.AccountsPerBank, InitialBalance: b.InitialBalance, Clients: b.Clients}), false)
		work = encode(reflect.ValueOf(commitWorkload{Transfers: b.Transfers, Interval: b.Interval, MaxAmount: b.MaxAmount, Start: b.Start}), false)
	case Locks:
		cfg = sys.Lock
		if sys.Jobs != nil {
			work = mapping("jobs", encode(reflect.ValueOf(sys.Jobs), false))
		} else {
			w := sys.Work
			topo = encode(reflect.ValueOf(lockTopology{Clients: w.Clients, Locks: w.Locks}), false)
			work = encode(reflect.ValueOf(lockWorkload{JobsPerClient: w.JobsPerClient, MaxLocksPerJob: w.MaxLocksPerJob, Interval: w.Interval, Start: w.Start}), false)
		}
	case InventorySystem:
		w := sys.Work
		cfg = sys.Store
		topo = encode(reflect.ValueOf(inventoryTopology{Items: w.Items, InitialStock: w.InitialStock, Clients: w.Clients}), false)
		work = encode(reflect.ValueOf(inventoryWorkload{OrdersPerClient: w.OrdersPerClient, MaxUnits: w.MaxUnits, Interval: w.Interval, Start: w.Start}), false)
	default:
		return nil, fmt.Errorf("scenario %s: system %T has no file form", s.Name, s.System)
	}
	proto, err := registeredName(cfg)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	var bugs *yaml.Node
	if p, ok := cfg.(interface{ Enabled() plant.Set }); ok && !p.Enabled().Empty() {
		bugs = encode(reflect.ValueOf(p.Enabled().Names()), false)
	}
	var fs *yaml.Node
	if len(s.Faults.Actions)+len(s.Faults.Triggers) > 0 || s.Nemesis != nil || s.Faults.Unsynced != "" {
		fs = mapping("actions", nonEmpty(s.Faults.Actions), "triggers", nonEmpty(s.Faults.Triggers))
		if s.Faults.Unsynced != "" {
			fs.Content = append(fs.Content, str("unsynced"), str(s.Faults.Unsynced))
		}
		if s.Nemesis != nil {
			n := *s.Nemesis
			if n.Base == s.Network {
				n.Base = faults.LinkSpec{} // left out: the network's default link
			}
			fs.Content = append(fs.Content, str("random"), encode(reflect.ValueOf(n), true))
		}
	}
	var live *yaml.Node
	if s.Liveness != nil {
		live = encode(reflect.ValueOf(*s.Liveness), false)
	}
	doc := mapping(
		"name", str(s.Name),
		"description", str(s.Description),
		"expect", str(string(s.Expect)),
		"system", mapping("protocol", str(proto), "bugs", bugs, "params", encode(reflect.ValueOf(cfg), false)),
		"topology", topo,
		"workload", work,
		"network", encode(reflect.ValueOf(s.Network), false),
		"faults", fs,
		"checkers", encodeCheckers(s),
		"limits", encode(reflect.ValueOf(fileLimits{MaxTime: s.MaxTime, MaxEvents: s.MaxEvents}), false),
		"liveness", live,
	)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}}); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	return buf.Bytes(), enc.Close()
}

func nonEmpty[T any](xs []T) *yaml.Node {
	if len(xs) == 0 {
		return nil
	}
	return encode(reflect.ValueOf(xs), true)
}

func encodeCheckers(s Spec) *yaml.Node {
	n := mapping()
	for _, c := range s.Checkers() {
		var opts *yaml.Node
		switch c := c.(type) {
		case checker.Blocking:
			opts = encode(reflect.ValueOf(blockingOptions{MinFor: c.MinFor}), false)
		case checker.Takeover:
			opts = encode(reflect.ValueOf(boundOptions{Bound: c.Bound}), false)
		case checker.ZKTakeover:
			opts = encode(reflect.ValueOf(boundOptions{Bound: c.Bound}), false)
		case checker.Progress:
			opts = encode(reflect.ValueOf(boundOptions{Bound: c.Bound}), false)
		default:
			opts = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		opts.Style = yaml.FlowStyle
		n.Content = append(n.Content, str(c.Name()), opts)
	}
	return n
}

// registeredName is the name under which a file names cfg's protocol: its
// own name if that is registered with the same configuration type, else
// the first registered name of that type (2pc-coop's configuration is
// 2pc's with cooperative: true).
func registeredName(cfg any) (string, error) {
	t := reflect.TypeOf(cfg)
	if n, ok := cfg.(interface{ Name() string }); ok {
		if e, ok := protocolRegistry[n.Name()]; ok && reflect.TypeOf(e.def) == t {
			return n.Name(), nil
		}
	}
	for _, name := range ProtocolNames() {
		if reflect.TypeOf(protocolRegistry[name].def) == t {
			return name, nil
		}
	}
	return "", fmt.Errorf("protocol configuration %v is not registered (RegisterCommit, RegisterLock)", t)
}
