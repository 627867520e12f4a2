package checker

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
)

// Progress looks for deadlock and starvation: lock requests left without
// an answer for longer than the bound, and live clients that did not
// finish their jobs. It also reports every wait-for cycle the manager
// found, with its victim, and every request it refused for waiting too
// long, so a run shows how each deadlock ended. Stalls are findings with
// verdict "blocked", not safety violations.
type Progress struct {
	// From is when waiting starts to count: 0, or the time every fault is
	// healed, since a crashed manager or a partition excuses any wait.
	From time.Duration
	// Bound is the longest a lock request may wait (after From) without an
	// answer before it counts as deadlocked or starved.
	Bound time.Duration
	// Jobs is how many jobs each client must finish by the end.
	Jobs map[string]int
}

func (Progress) Name() string    { return "progress" }
func (Progress) Class() Class    { return ClassLiveness }
func (Progress) Needs() []string { return progressFacts }

type wait struct {
	client    string
	lock      string
	call, ret time.Duration
	answered  bool
}

// Check runs the check.
func (p Progress) Check(h *History) Result {
	var waits []wait
	open := map[reqKey]int{}
	done := map[string]map[string]bool{}
	type cycle struct {
		text   string
		victim string
	}
	var cycleList []cycle
	var timeouts []string
	lastDone := map[string]time.Duration{}
	var longestTimeout time.Duration
	for _, o := range h.Observations {
		node := h.name(o.Node)
		switch f := o.Data.(type) {
		case obs.LockRequest:
			open[reqKey{node, f.Req}] = len(waits)
			end, _ := crashAfter(h, o.Node, o.Time, h.End)
			waits = append(waits, wait{client: node, lock: f.Lock, call: o.Time, ret: end})
		case obs.LockGranted:
			if i, ok := open[reqKey{node, f.Req}]; ok {
				waits[i].ret, waits[i].answered = o.Time, true
			}
		case obs.LockDenied:
			if i, ok := open[reqKey{node, f.Req}]; ok {
				waits[i].ret, waits[i].answered = o.Time, true
			}
		case obs.JobDone:
			if done[node] == nil {
				done[node] = map[string]bool{}
			}
			done[node][f.Job] = true
			lastDone[node] = o.Time
		case obs.Deadlock:
			cycleList = append(cycleList, cycle{fmt.Sprintf("%s: wait-for cycle %s on %s; victim %s (its request refused)",
				at(o.Time), strings.Join(f.Cycle, " -> "), f.Lock, f.Victim), f.Victim})
		case obs.WaitTimeout:
			timeouts = append(timeouts, fmt.Sprintf("%s: %s refused %s after waiting %v (wait timeout, no cycle detection)",
				at(o.Time), f.Lock, f.Client, f.Waited))
			longestTimeout = max(longestTimeout, f.Waited)
		}
	}
	var cycles []string
	for _, c := range cycleList {
		line := c.text
		if t, ok := lastDone[c.victim]; ok && len(done[c.victim]) >= p.Jobs[c.victim] {
			line += fmt.Sprintf("; %s finished its jobs at %s", c.victim, at(t))
		}
		cycles = append(cycles, line)
	}
	var stalls evidence
	var longest time.Duration
	for _, w := range waits {
		longest = max(longest, w.ret-w.call)
		if from := max(w.call, p.From); w.ret-from > p.Bound {
			state := "answered"
			if !w.answered {
				state = "no answer by " + at(w.ret)
			}
			stalls.add("%s waited for %s from %s for %v (%s)", w.client, w.lock, at(w.call), (w.ret - w.call).Round(time.Microsecond), state)
		}
	}
	clients := make([]string, 0, len(p.Jobs))
	total := 0
	for c, n := range p.Jobs {
		clients = append(clients, c)
		total += n
	}
	sort.Strings(clients)
	var unfinished, down []string
	for _, c := range clients {
		if got := len(done[c]); got < p.Jobs[c] {
			s := fmt.Sprintf("%s finished %d of %d jobs", c, got, p.Jobs[c])
			if h.up(c) {
				unfinished = append(unfinished, s)
			} else {
				down = append(down, s+" (down at the end)")
			}
		}
	}
	var ev []string
	ev = append(ev, cycles...)
	ev = append(ev, timeouts...)
	resolved := ""
	switch {
	case len(cycles) > 0:
		resolved = fmt.Sprintf("; %d wait-for %s found and broken", len(cycles), plural(len(cycles), "cycle"))
	case len(timeouts) > 0:
		resolved = fmt.Sprintf("; %d %s refused by the wait timeout, after up to %v", len(timeouts), plural(len(timeouts), "request"), longestTimeout)
	}
	if stalls.count == 0 && len(unfinished) == 0 {
		msg := fmt.Sprintf("every client finished its jobs (%d clients, %d jobs)", len(clients)-len(down), total)
		if len(down) > 0 {
			msg = fmt.Sprintf("every live client finished its jobs; %s", strings.Join(down, ", "))
		}
		if len(waits) > 0 {
			msg += fmt.Sprintf("; longest wait for a lock %v", longest.Round(time.Microsecond))
		}
		msg += resolved
		return Result{Checker: "progress", Verdict: OK, Message: msg, Evidence: capped(ev)}
	}
	ev = append(append(append([]string{}, unfinished...), stalls.lines...), ev...)
	var parts []string
	if stalls.count > 0 {
		parts = append(parts, fmt.Sprintf("%d lock %s waited longer than %v (deadlock or starvation)", stalls.count, plural(stalls.count, "request"), p.Bound))
	}
	if len(unfinished) > 0 {
		parts = append(parts, fmt.Sprintf("%d live %s did not finish", len(unfinished), plural(len(unfinished), "client")))
	}
	return Result{Checker: "progress", Verdict: Blocked, Evidence: capped(ev),
		Message: strings.Join(parts, "; ") + "; first: " + ev[0]}
}

func capped(lines []string) []string {
	if len(lines) > maxEvidence {
		return append(lines[:maxEvidence:maxEvidence], fmt.Sprintf("... and %d more", len(lines)-maxEvidence))
	}
	return lines
}

// up reports whether the named node was up at the end.
func (h *History) up(name string) bool {
	for i, n := range h.Names {
		if n == name && i < len(h.Up) {
			return h.Up[i]
		}
	}
	return false
}
