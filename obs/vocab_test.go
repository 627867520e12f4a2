package obs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestKebabNamesFollowTheFields(t *testing.T) {
	for in, want := range map[string]string{"Txn": "txn", "AllYes": "all-yes", "ReadVersion": "read-version", "OK": "ok", "TTL": "ttl", "ID": "id", "Czxid": "czxid", "HTTPServer": "http-server"} {
		require.Equal(t, want, kebab(in), in)
	}
}

// The attributes triggers matched when each fact wrote its own Attr switch
// keep their names and text.
func TestAttributesAreDerivedFromTheStructs(t *testing.T) {
	cases := []struct {
		f     Fact
		attr  string
		value string
	}{
		{VotesIn{Txn: "t1", AllYes: true}, "all-yes", "true"},
		{VotesIn{Txn: "t1"}, "txn", "t1"},
		{Begin{Txn: "t", Participants: []string{"a", "b", "c"}}, "participants", "3"},
		{Decide{Txn: "t", Commit: true, Via: ViaCoordinator}, "via", "coordinator"},
		{Decide{Txn: "t", Commit: true}, "commit", "true"},
		{PreCommit{Acked: true}, "acked", "true"},
		{LockGranted{Lock: "l", Req: "r", Token: 7}, "token", "7"},
		{LockDenied{Reason: DenyDeadlock}, "reason", "deadlock"},
		{LeaveCS{Why: LeaveLeaseEnding}, "why", "lease-ending"},
		{StorageWrite{ReadVersion: 3}, "read-version", "3"},
		{RedisCall{Key: "lock-1"}, "lock", "lock-1"},
		{RedisCall{Key: "lock-1"}, "key", "lock-1"},
		{WaitTimeout{Waited: 150 * time.Millisecond}, "waited", "150ms"},
		{Holder{Token: 4}, "token", "4"},
	}
	for _, c := range cases {
		got, ok := AttrOf(c.f, c.attr)
		require.True(t, ok, "%s has %s", c.f.Kind(), c.attr)
		require.Equal(t, c.value, got, "%s %s", c.f.Kind(), c.attr)
	}
	_, ok := AttrOf(VotesIn{}, "all_yes")
	require.False(t, ok)
}

func TestVocabularyListsEveryKindWithTypedAttributes(t *testing.T) {
	v := Vocabulary()
	require.Len(t, v, len(KindNames()))
	require.GreaterOrEqual(t, len(v), 41)
	byName := map[string]KindInfo{}
	for _, k := range v {
		require.NotEmpty(t, k.Doc, k.Name)
		byName[k.Name] = k
	}
	d, ok := byName["decide"]
	require.True(t, ok)
	require.Equal(t, []string{"txn", "commit", "via"}, d.AttrNames())
	require.Equal(t, EnumType, d.Attrs[2].Type)
	require.Contains(t, d.Attrs[2].Values, "presumed-abort")
	require.Equal(t, "votes-in txn:string all-yes:bool", kinds["votes-in"].Describe())
	require.True(t, strings.HasPrefix(kinds["redis-call"].Describe(), "redis-call service:string server:string key|lock:string"), kinds["redis-call"].Describe())
}

func TestConformsCatchesAnUndeclaredValue(t *testing.T) {
	require.NoError(t, Conforms(Decide{Via: ViaPeer}))
	require.ErrorContains(t, Conforms(Decide{Via: "gossip"}), `via="gossip" is not a declared value`)
	// A plain string field whose values the tag lists.
	require.NoError(t, Conforms(ZKReturn{Op: "exists", Err: "no-node"}))
	require.ErrorContains(t, Conforms(ZKReturn{Op: "exists", Err: "nonode"}), `err="nonode" is not a declared value (no-node, session-expired)`)
	k, err := Lookup("redis-call")
	require.NoError(t, err)
	require.ErrorContains(t, k.CheckWhere(map[string]string{"op": "setnx"}), `attribute op has no value "setnx" (did you mean "set-nx"?`)
}

func TestClosestPrefersTheNearestName(t *testing.T) {
	require.Equal(t, "votes-in", Closest("votes-inn", KindNames()))
	require.Equal(t, "all-yes", Closest("all_yes", []string{"txn", "all-yes"}))
	require.Equal(t, "", Closest("x", nil))
	require.Equal(t, "coordinator", Closest("coord", kinds["decide"].Attrs[2].values()))
}
