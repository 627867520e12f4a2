package live

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/internal/strictjson"
)

// Plan is everything a live run is told to do: when each client starts
// and how many jobs it does, and the faults, each at a time after the
// clients were started or, for a client pause, inside a given job's
// critical section. A seed draws it; it can be saved and run again. The
// run it drives is not deterministic: the servers, the network and the Go
// scheduler are real, so the same plan can give a different history, and
// only the verdict is expected to repeat.
type Plan struct {
	Scenario string       `json:"scenario"`
	Seed     uint64       `json:"seed"`
	Clients  []ClientPlan `json:"clients"`
	Steps    []Step       `json:"steps"`
}

// ClientPlan is one lock client's part.
type ClientPlan struct {
	Name    string `json:"name"`
	StartMs int64  `json:"start_ms"`
	Jobs    int    `json:"jobs"`
	WorkMs  int64  `json:"work_ms"` // time inside the critical section between read and write
}

// Step is one fault. Do is one of:
//
//	kill        kill -9 of server Target (its memory is gone)
//	restart     start server Target again on its port and directory
//	stop, cont  SIGSTOP, SIGCONT of server Target
//	partition   the proxy Target stops forwarding for Client ("" = all)
//	delay       the proxy Target delays Client's traffic by ForMs
//	refuse      the proxy Target closes Client's connections
//	heal        the proxy Target forwards everything again
//	promote     server Target (a replica) becomes master (REPLICAOF NO
//	            ONE) and the proxy Via moves to it
//	pause       client Target stops for ForMs inside the critical
//	            section of its job Job, after reading the storage and
//	            before writing it (Kleppmann's pause: a GC pause, a page
//	            fault, a stopped VM)
//
// AtMs is the time of the step after the clients were started; steps at 0
// are done before any client starts. A pause has no time: it happens when
// the client gets there.
type Step struct {
	AtMs   int64  `json:"at_ms"`
	Do     string `json:"do"`
	Target string `json:"target"`
	Client string `json:"client,omitempty"`
	Via    string `json:"via,omitempty"`
	ForMs  int64  `json:"for_ms,omitempty"`
	Job    int    `json:"job,omitempty"`
	Why    string `json:"why,omitempty"`
}

var stepKinds = map[string]bool{"kill": true, "restart": true, "stop": true, "cont": true, "partition": true,
	"delay": true, "refuse": true, "heal": true, "promote": true, "pause": true}

func (s Step) String() string {
	var b strings.Builder
	if s.Do == "pause" {
		fmt.Fprintf(&b, "in job %d: pause client %s for %dms", s.Job, s.Target, s.ForMs)
	} else {
		fmt.Fprintf(&b, "at %5dms: %s %s", s.AtMs, s.Do, s.Target)
		if s.Client != "" {
			fmt.Fprintf(&b, " for client %s", s.Client)
		}
		if s.Via != "" {
			fmt.Fprintf(&b, " via proxy %s", s.Via)
		}
		if s.Do == "delay" {
			fmt.Fprintf(&b, " by %dms", s.ForMs)
		}
	}
	if s.Why != "" {
		b.WriteString(" (" + s.Why + ")")
	}
	return b.String()
}

// String is the plan for people, one line per client and step.
func (p Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan of %s, seed %d\n", p.Scenario, p.Seed)
	for _, c := range p.Clients {
		fmt.Fprintf(&b, "  client %s starts at %dms, %d %s, %dms of work inside the critical section\n",
			c.Name, c.StartMs, c.Jobs, plural(c.Jobs, "job"), c.WorkMs)
	}
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	return b.String()
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// Marshal is the plan as indented JSON.
func (p Plan) Marshal() []byte { return strictjson.Indent(p) }

// ParsePlan reads a saved plan and checks it against the scenario it
// names: an error names the field at fault.
func ParsePlan(data []byte) (Plan, error) {
	var p Plan
	if err := strictjson.Decode(data, &p); err != nil {
		return p, fmt.Errorf("not a live plan: %w", err)
	}
	sc, err := Get(p.Scenario)
	if err != nil {
		return p, fmt.Errorf("scenario: %w", err)
	}
	return p, p.validate(sc)
}

// maxPlanMs bounds any time in a plan, so a run stays within its minute.
const maxPlanMs = 30_000

func (p Plan) validate(sc *Scenario) error {
	if len(p.Clients) == 0 {
		return fmt.Errorf("clients: none")
	}
	names := map[string]bool{}
	for i, c := range p.Clients {
		switch {
		case c.Name == "" || strings.ContainsAny(c.Name, "-/ "):
			return fmt.Errorf("clients[%d].name %q: want a name without '-', '/' or spaces", i, c.Name)
		case names[c.Name]:
			return fmt.Errorf("clients[%d].name %q: used twice", i, c.Name)
		case c.StartMs < 0 || c.StartMs > maxPlanMs:
			return fmt.Errorf("clients[%d].start_ms %d: want 0..%d", i, c.StartMs, maxPlanMs)
		case c.Jobs < 1 || c.Jobs > 20:
			return fmt.Errorf("clients[%d].jobs %d: want 1..20", i, c.Jobs)
		case c.WorkMs < 0 || c.WorkMs > maxPlanMs:
			return fmt.Errorf("clients[%d].work_ms %d: want 0..%d", i, c.WorkMs, maxPlanMs)
		}
		names[c.Name] = true
	}
	servers, proxies := sc.servers(), sc.proxies()
	for i, s := range p.Steps {
		where := fmt.Sprintf("steps[%d]", i)
		if !stepKinds[s.Do] {
			return fmt.Errorf("%s.do %q: unknown (want kill, restart, stop, cont, partition, delay, refuse, heal, promote or pause)", where, s.Do)
		}
		if s.AtMs < 0 || s.AtMs > maxPlanMs || s.ForMs < 0 || s.ForMs > maxPlanMs {
			return fmt.Errorf("%s: at_ms and for_ms must be within 0..%d", where, maxPlanMs)
		}
		switch s.Do {
		case "kill", "restart", "stop", "cont":
			if !slices.Contains(servers, s.Target) {
				return fmt.Errorf("%s.target %q: not a server of %s (%s)", where, s.Target, sc.Name, strings.Join(servers, ", "))
			}
		case "promote":
			if !slices.Contains(servers, s.Target) || !slices.Contains(proxies, s.Via) {
				return fmt.Errorf("%s: promote needs a server target and a proxy via (servers %s; proxies %s)", where,
					strings.Join(servers, ", "), strings.Join(proxies, ", "))
			}
		case "pause":
			if !names[s.Target] {
				return fmt.Errorf("%s.target %q: not a client of the plan", where, s.Target)
			}
			if s.Job < 1 || s.ForMs == 0 {
				return fmt.Errorf("%s: a pause needs job >= 1 and for_ms > 0", where)
			}
		default:
			if !slices.Contains(proxies, s.Target) {
				return fmt.Errorf("%s.target %q: not a proxy of %s (%s)", where, s.Target, sc.Name, strings.Join(proxies, ", "))
			}
			if s.Client != "" && !names[s.Client] && !slices.Contains(sc.extraDoors(), s.Client) {
				return fmt.Errorf("%s.client %q: not a client of the plan", where, s.Client)
			}
		}
	}
	return nil
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
