package live

import (
	"testing"
	"time"

	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/stretchr/testify/require"
)

func derived(t *testing.T, build func(rec *record.Recorder)) (*record.Recorder, []record.Fact) {
	rec := record.New()
	build(rec)
	d := redisDerivation{rec: rec, key: "lock", serverAt: func(s string, _ time.Duration) string { return s }}
	return rec, d.facts(rec.Observations(), 10*time.Second)
}

func call(rec *record.Recorder, client, id, op, value string, at time.Duration) {
	rec.RecordAt(client, at, obs.RedisCall{Service: "r", Server: "r", Key: "k", Op: op, Value: value, TTL: 300 * time.Millisecond, ID: id})
}

// answered records a command of client sent at and its reply, ok or
// not, received at replyAt.
func answered(rec *record.Recorder, client, id, op, value string, at time.Duration, ok bool, replyAt time.Duration) {
	call(rec, client, id, op, value, at)
	rec.RecordAt(client, replyAt, obs.RedisReply{Service: "r", Key: "k", ID: id, OK: ok})
}

// only keeps the facts keep accepts.
func only(fs []record.Fact, keep func(record.Fact) bool) []record.Fact {
	var out []record.Fact
	for _, f := range fs {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}

func expiries(fs []record.Fact) []record.Fact {
	return only(fs, func(f record.Fact) bool { _, ok := f.Fact.(obs.LeaseExpired); return ok })
}

func TestDerivedExpiryFollowsTheTTLRule(t *testing.T) {
	rec, fs := derived(t, func(rec *record.Recorder) {
		answered(rec, "a", "a.1", "set-nx", "va", 10*time.Millisecond, true, 11*time.Millisecond)
	})
	ex := expiries(fs)
	require.Len(t, ex, 1)
	want := rec.Offset(time.UnixMilli(rec.Start().Add(10*time.Millisecond).UnixMilli() + 301))
	require.Equal(t, want, ex[0].At, "gone from the millisecond after set + TTL")
	require.Equal(t, obs.LeaseExpired{Lock: "r/k", Client: "a"}, ex[0].Fact)
	require.Equal(t, "r", ex[0].Node)
}

func TestRefusalInsideTheWindowMovesTheExpiry(t *testing.T) {
	_, fs := derived(t, func(rec *record.Recorder) {
		answered(rec, "a", "a.1", "set-nx", "va", 10*time.Millisecond, true, 14*time.Millisecond) // a slow reply: a 4ms window
		answered(rec, "b", "b.1", "set-nx", "vb", 312*time.Millisecond, false, 313*time.Millisecond)
	})
	ex := expiries(fs)
	require.Len(t, ex, 1)
	require.Equal(t, 312*time.Millisecond, ex[0].At, "b was refused, so the key was still there when b asked")
}

func TestReleaseEndsTheHoldingWithoutExpiry(t *testing.T) {
	_, fs := derived(t, func(rec *record.Recorder) {
		answered(rec, "a", "a.1", "set-nx", "va", 10*time.Millisecond, true, 11*time.Millisecond)
		answered(rec, "a", "a.2", "check-del", "va", 50*time.Millisecond, true, 51*time.Millisecond)
	})
	require.Empty(t, expiries(fs))
	holders := only(fs, func(f record.Fact) bool { _, ok := f.Fact.(obs.Holder); return ok })
	require.Equal(t, []record.Fact{
		{At: 11 * time.Millisecond, Node: "r", Fact: obs.Holder{Lock: "lock", Client: "a"}},
		{At: 50 * time.Millisecond, Node: "r", Fact: obs.Holder{Lock: "lock"}},
	}, holders)
}

func TestExtendMovesTheExpiryAndUnansweredCommandsStayPending(t *testing.T) {
	rec, fs := derived(t, func(rec *record.Recorder) {
		answered(rec, "a", "a.1", "set-nx", "va", 10*time.Millisecond, true, 11*time.Millisecond)
		answered(rec, "a", "a.2", "check-extend", "va", 200*time.Millisecond, true, 201*time.Millisecond)
		call(rec, "b", "b.1", "set-nx", "vb", 250*time.Millisecond) // no reply: unknown
	})
	ex := expiries(fs)
	require.Len(t, ex, 1)
	require.Equal(t, rec.Offset(time.UnixMilli(rec.Start().Add(200*time.Millisecond).UnixMilli()+301)), ex[0].At)
	require.Equal(t, []record.Fact{{At: 250 * time.Millisecond, Node: "b", Fact: obs.LockRequest{Lock: "r/k", Req: "b.1"}}},
		only(fs, func(f record.Fact) bool { return f.Node == "b" }), "a request with no answer, pending")
}
