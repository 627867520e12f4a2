package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/protocol/twopc"
	"github.com/faultline-sim/faultline/protocol/txn"
	"github.com/stretchr/testify/require"
)

func TestEveryBuiltinFileParsesUnderItsOwnName(t *testing.T) {
	names := BuiltinNames()
	require.Len(t, names, 49)
	for _, n := range names {
		data, ok := BuiltinFile(n)
		require.True(t, ok, n)
		s, err := Parse(n+".yaml", data)
		require.NoError(t, err, n)
		require.Equal(t, n, s.Name, "the file's name field is its file name")
	}
}

// Writing a scenario and reading it back gives the same runs, and writing
// that again gives the same text: the written form is complete.
func TestEncodeThenParseGivesTheSameScenario(t *testing.T) {
	for _, s := range All() {
		text, err := EncodeSpec(s)
		require.NoError(t, err, s.Name)
		back, err := Parse(s.Name+".yaml", text)
		require.NoError(t, err, "%s\n%s", s.Name, text)
		again, err := EncodeSpec(back)
		require.NoError(t, err)
		require.Equal(t, string(text), string(again), s.Name)
		a, err := Run(s, Options{Seed: 2})
		require.NoError(t, err)
		b, err := Run(back, Options{Seed: 2})
		require.NoError(t, err)
		require.Equal(t, a.TraceHash, b.TraceHash, s.Name)
		require.Equal(t, a.Verdict, b.Verdict, s.Name)
	}
}

// base is a small valid file the error cases below break one line of.
const base = `name: t
description: one line
expect: ok
system:
  protocol: 2pc
  params:
    vote-timeout: 100ms
topology:
  participants: 3
workload:
  transfers: 10
faults:
  triggers:
    - on: votes-in
      node: coordinator
      where: {all-yes: "true"}
      do:
        - {kind: crash, node: coordinator}
        - {at: 200ms, kind: restart, node: coordinator}
checkers:
  atomicity: {}
  blocking: {min-for: 100ms}
limits:
  max-time: 3s
`

func TestTheBaseFileRuns(t *testing.T) {
	s, err := Parse("t.yaml", []byte(base))
	require.NoError(t, err)
	out, err := Run(s, Options{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, checker.OK, out.Verdict, "%v", out.Results)
	require.Equal(t, []string{"atomicity", "blocking"}, []string{out.Results[0].Checker, out.Results[1].Checker}, "only the chosen checkers")
	require.Len(t, out.Results, 2)
}

// Each mistake is refused with the file, the line and the field.
func TestFileErrorsNameFileLineAndField(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown key", "description: one line", "descripton: one line", `t.yaml:2: descripton: unknown key (did you mean "description"?`},
		{"unknown nested key", "  participants: 3", "  participant: 3", `t.yaml:9: topology.participant: unknown key of the commit topology (did you mean "participants"?`},
		{"wrong type", "  participants: 3", "  participants: three", `t.yaml:9: topology.participants: want a whole number, got "three"`},
		{"wrong type of a duration", "  max-time: 3s", "  max-time: 3", `t.yaml:24: limits.max-time: want a duration such as 150ms, got "3"`},
		{"a list for a number", "  transfers: 10", "  transfers: [10]", `t.yaml:11: workload.transfers: want a whole number, got a list`},
		{"impossible value", "  participants: 3", "  participants: 0", `t.yaml:9: topology.participants: must be at least 2`},
		{"impossible protocol value", "    vote-timeout: 100ms", "    vote-timeout: -5ms", `t.yaml:6: system.params: 2pc: VoteTimeout must be positive`},
		{"too large", "  participants: 3", "  participants: 1000000", `t.yaml:9: topology.participants: 1000000 is too large`},
		{"unknown protocol parameter", "    vote-timeout: 100ms", "    vote-timout: 100ms", `t.yaml:7: system.params.vote-timout: unknown parameter of 2pc (did you mean "vote-timeout"? known: vote-timeout, unilateral-abort, resend-interval, inquiry-interval, cooperative)`},
		{"unknown protocol", "  protocol: 2pc", "  protocol: 2pcc", `t.yaml:5: system.protocol: unknown protocol "2pcc" (did you mean "2pc"?`},
		{"unknown fact in a trigger", "    - on: votes-in", "    - on: votes-inn", `t.yaml:14: faults.triggers[0].on: "on": unknown fact kind "votes-inn"`},
		{"unknown attribute in a trigger", `where: {all-yes: "true"}`, `where: {allyes: "true"}`, `t.yaml:16: faults.triggers[0].where: "where":`},
		{"unknown node in a trigger", "      node: coordinator", "      node: coordinater", `t.yaml:15: faults.triggers[0].node: unknown node "coordinater"`},
		{"unknown node in an action", "{kind: crash, node: coordinator}", "{kind: crash, node: nobody}", `t.yaml:18: faults.triggers[0].do[0]:`},
		{"unknown fault kind", "{kind: crash, node: coordinator}", "{kind: crush, node: coordinator}", `t.yaml:18: faults.triggers[0].do[0]:`},
		{"unknown checker", "  atomicity: {}", "  atomicty: {}", `t.yaml:21: checkers.atomicty: not a checker of 2pc (did you mean "atomicity"?`},
		{"checker option", "  blocking: {min-for: 100ms}", "  blocking: {min: 100ms}", `t.yaml:22: checkers.blocking.min: unknown option of blocking (did you mean "min-for"? known: min-for)`},
		{"liveness checker without a phase", "  atomicity: {}", "  liveness: {}", `t.yaml:21: checkers.liveness: not a checker of 2pc; it needs a liveness section`},
		{"verdict", "expect: ok", "expect: fine", `t.yaml:3: expect:`},
		{"no limit", "  max-time: 3s", "  max-events: 0", `t.yaml:23: limits: needs max-time or max-events`},
		{"yaml syntax", "  participants: 3", "  participants: [3", `t.yaml:`},
		{"key twice", "  transfers: 10", "  transfers: 10\n  transfers: 12", `t.yaml:12: workload.transfers: given twice`},
		{"empty checkers", "checkers:\n  atomicity: {}\n  blocking: {min-for: 100ms}", "checkers: {}", `t.yaml:20: checkers: empty`},
		{"two documents", "  max-time: 3s", "  max-time: 3s\n---\nname: u", `t.yaml:25: a second YAML document`},
		{"a quoted bool", "    vote-timeout: 100ms", "    vote-timeout: 100ms\n    cooperative: \"true\"", `t.yaml:8: system.params.cooperative: want true or false, got "true"`},
		{"wrong type of a number", "faults:\n", "faults:\n  random:\n    loss: lots\n", `t.yaml:14: faults.random.loss: want a number, got "lots"`},
		{"a quoted number", "faults:\n", "faults:\n  random:\n    loss: \"0.3\"\n", `t.yaml:14: faults.random.loss: want a number, got "0.3"`},
		{"anchors", "  transfers: 10", "  transfers: &n 10", `t.yaml:11: workload.transfers: anchors and aliases are not supported`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(base, c.old, c.new, 1)
			require.NotEqual(t, base, text, "the case changes the file")
			_, err := Parse("t.yaml", []byte(text))
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
			require.NotContains(t, err.Error(), "\n", "one line")
			_, ok := err.(*FileError)
			require.True(t, ok, "%T", err)
		})
	}
}

// A run file carries its scenario resolved: after the built-in scenario
// and the protocol's default configuration change, it still replays bit
// for bit, where a file naming only the scenario would not.
func TestARunFileReplaysAfterBuiltinDefaultsChange(t *testing.T) {
	const name = "2pc-coordinator-crash-restart"
	s, err := Get(name)
	require.NoError(t, err)
	out, err := Run(s, Options{Seed: 4})
	require.NoError(t, err)
	saved, err := ParseRunFile(Record(out).Marshal())
	require.NoError(t, err)
	require.NotEmpty(t, saved.ScenarioFile)

	oldScenario, oldProto := registry[name], protocolRegistry["2pc"]
	t.Cleanup(func() { registry[name], protocolRegistry["2pc"] = oldScenario, oldProto })
	p := twopc.Default()
	p.VoteTimeout = 40 * time.Millisecond
	protocolRegistry["2pc"] = protocolEntry{family: familyCommit, def: txn.Protocol(p)}
	registry[name] = func() Spec {
		s := oldScenario()
		sys := s.System.(CommitBank)
		sys.Commit = p
		sys.Bank.Banks = 4
		s.System = sys
		return s
	}

	again, err := Replay(saved, 0)
	require.NoError(t, err)
	require.Equal(t, out.TraceHash, again.TraceHash)
	require.Equal(t, out.Verdict, again.Verdict)

	byName := saved
	byName.ScenarioFile = ""
	diverged, err := Replay(byName, 0)
	require.NoError(t, err)
	require.NotEqual(t, out.TraceHash, diverged.TraceHash, "the changed defaults do change a run that only names its scenario")
}

func TestProtocolParamsListsEveryParameterWithItsDefault(t *testing.T) {
	ps, err := ProtocolParams("3pc")
	require.NoError(t, err)
	require.Equal(t, []string{"vote-timeout: 100ms", "unilateral-abort: 0", "resend-interval: 30ms", "uncertain-timeout: 150ms", "collect-window: 20ms"}, ps)
	_, err = ProtocolParams("4pc")
	require.ErrorContains(t, err, `unknown protocol "4pc"`)
}

// The random faults' base link, left out, is the scenario's network, so
// a file that changes the network changes what slow and lossy episodes
// restore too.
func TestTheNemesisBaseFollowsTheNetwork(t *testing.T) {
	data, _ := BuiltinFile("2pc-bank-faults")
	text := strings.Replace(string(data), "network:\n  latency: 1ms", "network:\n  latency: 5ms", 1)
	require.NotEqual(t, string(data), text)
	s, err := Parse("f.yaml", []byte(text))
	require.NoError(t, err)
	require.Equal(t, 5*time.Millisecond, time.Duration(s.Nemesis.Base.Latency))
	text = strings.Replace(text, "    swarm: true", "    base: {latency: 2ms}\n    swarm: true", 1)
	s, err = Parse("f.yaml", []byte(text))
	require.NoError(t, err)
	require.Equal(t, 2*time.Millisecond, time.Duration(s.Nemesis.Base.Latency), "given, it is kept")
}

// A pattern in the random faults' node lists follows the topology: five
// participants, five targets besides the coordinator.
func TestNodePatternsFollowTheTopology(t *testing.T) {
	data, _ := BuiltinFile("2pc-bank-faults")
	require.Contains(t, string(data), "targets: [coordinator, participant-*]")
	s, err := Parse("f.yaml", data)
	require.NoError(t, err)
	require.Equal(t, []string{"coordinator", "participant-1", "participant-2", "participant-3"}, s.Nemesis.Targets)
	five := strings.Replace(string(data), "participants: 3", "participants: 5", 1)
	s, err = Parse("f.yaml", []byte(five))
	require.NoError(t, err)
	require.Equal(t, []string{"coordinator", "participant-1", "participant-2", "participant-3", "participant-4", "participant-5"}, s.Nemesis.Targets)
	require.Len(t, s.Nemesis.Others, 4)

	_, err = Parse("f.yaml", []byte(strings.Replace(string(data), "crash-rate: 3", "crash-rate: 6000", 1)))
	require.ErrorContains(t, err, "f.yaml:28: faults.random: rates and window give up to 12014 faults a run (at most 10000)")
	_, err = Parse("f.yaml", []byte(strings.Replace(string(data), "participant-*]", "acceptor-*]", 1)))
	require.ErrorContains(t, err, `f.yaml:29: faults.random.targets[1]: pattern "acceptor-*" matches no node`)
	_, err = Parse("f.yaml", []byte(strings.Replace(string(data), "participant-*]", `"participant-["]`, 1)))
	require.ErrorContains(t, err, `f.yaml:29: faults.random.targets[1]: pattern "participant-[": syntax error in pattern`)
}
