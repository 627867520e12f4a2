package reports

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/scenariotest"
	"github.com/stretchr/testify/require"
)

func spansOfClass(v runView, cls string) []viewSpan {
	var out []viewSpan
	for _, s := range v.Spans {
		if s.Class == cls {
			out = append(out, s)
		}
	}
	return out
}

func TestRunViewCarriesEveryEventExactly(t *testing.T) {
	o := scenariotest.Run(t, "2pc-coordinator-crash", 1)
	v := buildRunView(o, HTMLOptions{})
	require.Len(t, v.Ev, evFields*o.Trace.Len())
	at := int64(0)
	for i := 0; i < o.Trace.Len(); i++ {
		e := o.Trace.At(i)
		at += v.Ev[i*evFields]
		require.Equal(t, int64(e.Time), at, "event %d time", i)
		require.Equal(t, int64(e.Kind), v.Ev[i*evFields+1])
		require.Equal(t, int64(e.Node), v.Ev[i*evFields+2])
		require.Equal(t, int64(e.Peer), v.Ev[i*evFields+3])
		require.Equal(t, int64(e.ID), v.Ev[i*evFields+4])
		if p := v.Ev[i*evFields+5]; p >= 0 {
			require.Equal(t, fmtAny(e.Payload), v.Strs[p])
		}
	}
}

func fmtAny(x any) string { return fmt.Sprint(x) }

// focus is the finding the page opens on, which must be checker name's.
func focus(t *testing.T, v runView, name string) viewFinding {
	t.Helper()
	require.GreaterOrEqual(t, v.Focus, 0, "the page opens on a finding")
	f := v.Findings[v.Focus]
	require.Equal(t, name, f.Checker)
	return f
}

func TestBlockedRunOpensOnTheBlockedParticipantsWithTheirLocks(t *testing.T) {
	o := scenariotest.Run(t, "2pc-coordinator-crash", 1)
	v := buildRunView(o, HTMLOptions{})
	f := focus(t, v, "blocking")
	require.Len(t, f.Events, 2, "the vote of each uncertain participant")
	for _, i := range f.Events {
		require.Contains(t, o.Trace.Format(i), "vote c2-t1 yes")
		require.GreaterOrEqual(t, int64(o.Trace.At(i).Time), f.From)
	}
	require.Equal(t, v.End, f.To, "a block lasts to the end of the run")
	blocked := spansOfClass(v, "blocked")
	require.Len(t, blocked, 2)
	labels := blocked[0].Label + " " + blocked[1].Label
	require.Contains(t, labels, "blocked c2-t1 holding acct-1.3")
	require.Contains(t, labels, "blocked c2-t1 holding acct-2.1")
	for _, s := range blocked {
		require.True(t, s.Open)
		require.Equal(t, v.End, s.To)
		require.Greater(t, s.To-s.From, int64(2900*time.Millisecond))
	}
	down := spansOfClass(v, "down")
	require.Len(t, down, 1)
	require.Equal(t, 0, down[0].Lane, "the coordinator's lane")
}

func TestViolationFindingNamesBothConflictingDecisions(t *testing.T) {
	o := scenariotest.Run(t, "3pc-partition", 1)
	v := buildRunView(o, HTMLOptions{})
	f := focus(t, v, "atomicity")
	var lines []string
	for _, i := range f.Events {
		lines = append(lines, o.Trace.Format(i))
		at := int64(o.Trace.At(i).Time)
		require.True(t, f.From <= at && at <= f.To, "the window shows every named event")
	}
	all := strings.Join(lines, "\n")
	require.Contains(t, all, "observe participant-1 decide c2-t1 abort")
	require.Contains(t, all, "observe participant-2 decide c2-t1 commit")
	require.Contains(t, all, "observe coordinator decide c2-t1 commit")
	require.Len(t, f.Events, 3, "only the decisions about c2-t1, not other events at those times")
	require.Less(t, f.To-f.From, int64(20*time.Millisecond), "a window narrow enough to read")
	require.NotEmpty(t, spansOfClass(v, "partition"))

	var b strings.Builder
	require.NoError(t, RunHTML(&b, o, HTMLOptions{}))
	require.Less(t, b.Len(), 3<<20, "a 33,507-event run's page stays under 3 MB")
	require.Equal(t, 33507, o.Trace.Len())
	page := b.String()
	require.Contains(t, page, "33,507 trace events")
	require.Contains(t, page, "9,680 of them handled events")
	start := strings.Index(page, `<script id="run-data" type="application/json">`)
	require.Positive(t, start)
	end := strings.Index(page[start:], "</script>")
	var back runView
	require.NoError(t, json.Unmarshal([]byte(page[start+len(`<script id="run-data" type="application/json">`):start+end]), &back), "the embedded data is valid JSON")
	require.Equal(t, v.Focus, back.Focus)
}

func TestLockRunDrawsBeliefsAgainstTheTrueHolderAndThePause(t *testing.T) {
	o := scenariotest.Run(t, "redis-lock-pause", 1)
	v := buildRunView(o, HTMLOptions{})
	beliefs := spansOfClass(v, "belief")
	require.GreaterOrEqual(t, len(beliefs), 2)
	a, b := beliefs[0], beliefs[1]
	require.NotEqual(t, a.Lane, b.Lane)
	require.Less(t, max(a.From, b.From), min(a.To, b.To), "client-1 and client-2 both believe they hold lock-1 at once")
	pauses := spansOfClass(v, "pause")
	require.Len(t, pauses, 1)
	require.Equal(t, int64(200*time.Millisecond), pauses[0].To-pauses[0].From)
	holders := spansOfClass(v, "holder")
	require.GreaterOrEqual(t, len(holders), 2)
	require.Contains(t, holders[0].Label, "held by client-1")
	require.Contains(t, holders[1].Label, "held by client-2")
	require.LessOrEqual(t, holders[0].To, holders[1].From, "the service never has two holders")
	require.NotEmpty(t, spansOfClass(v, "lease"))
	var storage *viewFinding
	for i := range v.Findings {
		if v.Findings[i].Checker == "storage" {
			storage = &v.Findings[i]
		}
	}
	require.NotNil(t, storage)
	require.Len(t, storage.Events, 1)
	require.Contains(t, o.Trace.Format(storage.Events[0]), "storage storage-write lock-1 from=client-1")
}

func TestFindingWithoutTimesOpensOnTheWholeRun(t *testing.T) {
	o := scenariotest.Run(t, "2pc-bank", 1)
	o.Results = append(o.Results, checker.Result{Checker: "planted", Verdict: checker.Violation, Message: "something at 9.123456789 that never happened"})
	v := buildRunView(o, HTMLOptions{})
	require.Len(t, v.Findings, 1)
	require.Empty(t, v.Findings[0].Events)
	require.Equal(t, int64(0), v.Findings[0].From)
	require.Equal(t, v.End, v.Findings[0].To)
	require.Equal(t, -1, v.Focus, "nothing to open on")
}

func TestRunHTMLRejectsWhatItCannotDraw(t *testing.T) {
	o := scenariotest.Run(t, "2pc-bank", 1)
	var b strings.Builder
	require.Error(t, RunHTML(&b, o, HTMLOptions{From: 2 * time.Second, To: time.Second}))
	require.ErrorContains(t, RunHTML(&b, o, HTMLOptions{From: time.Hour}), "after the run ended")
	o.Trace = nil
	require.Error(t, RunHTML(&b, o, HTMLOptions{}))
}

func TestLeaseEndsWhereTheServerDroppedTheKey(t *testing.T) {
	o := scenariotest.Run(t, "redlock-clock-jump", 1)
	v := buildRunView(o, HTMLOptions{})
	redis3 := -1
	for i, n := range v.Names {
		if n == "redis-3" {
			redis3 = i
		}
	}
	var jumped, full bool
	for _, s := range spansOfClass(v, "lease") {
		if !strings.Contains(s.Label, "for client-1") {
			continue
		}
		if s.Lane == redis3 {
			jumped = s.To-s.From < int64(30*time.Millisecond) // expired at the jump's next tick
		} else {
			full = full || s.To-s.From > int64(60*time.Millisecond) // held until client-1 released
		}
	}
	require.True(t, jumped, "redis-3's clock jumped: client-1's lease there ended early")
	require.True(t, full, "elsewhere client-1's lease lasted until its release")
	require.NotEmpty(t, spansOfClass(v, "clock"))
}
