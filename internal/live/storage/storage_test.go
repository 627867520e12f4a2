package storage

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/internal/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/stretchr/testify/require"
)

// read is what a client's read saw.
type read struct{ version, value int64 }

// race starts the lost-update race on storage, fenced or not: a, with
// token 1, then b, with token 2, read k at its first version.
func race(t *testing.T, fenced bool) (*record.Recorder, *Storage, read, read) {
	rec := record.New()
	s := New(rec, fenced)
	var r [2]read
	for i, client := range []string{"a", "b"} {
		v, x, err := s.Read(client, "k", int64(i+1))
		require.NoError(t, err)
		r[i] = read{v, x}
	}
	return rec, s, r[0], r[1]
}

func TestUnfencedAcceptsAStaleWriteAndTheCheckerSeesTheLostUpdate(t *testing.T) {
	rec, s, a, b := race(t, false)
	_, err := s.Write("b", "k", 2, b.version, b.value+1)
	require.NoError(t, err)
	_, err = s.Write("a", "k", 1, a.version, a.value+1) // stale: based on version 0
	require.NoError(t, err)
	ver, val := s.Value("k")
	require.Equal(t, int64(2), ver)
	require.Equal(t, int64(1), val, "one increment lost")
	require.Equal(t, checker.Violation, checker.LostUpdates{}.Check(rec.History(rec.Now())).Verdict)
}

func TestFencedRefusesStaleReadsAndWrites(t *testing.T) {
	rec, s, a, b := race(t, true)
	_, err := s.Write("a", "k", 1, a.version, a.value+1)
	require.ErrorIs(t, err, ErrFenced)
	_, _, err = s.Read("a", "k", 1)
	require.ErrorIs(t, err, ErrFenced)
	_, err = s.Write("b", "k", 2, b.version, b.value+1)
	require.NoError(t, err)
	h := rec.History(rec.Now())
	require.Equal(t, checker.OK, checker.LostUpdates{}.Check(h).Verdict)
	require.Equal(t, checker.OK, checker.StorageSafety{Quorum: 1, Fenced: true}.Check(h).Verdict)
	rejected := 0
	for _, o := range h.Observations {
		switch f := o.Data.(type) {
		case obs.StorageWrite:
			if f.Rejected {
				rejected++
			}
		case obs.StorageRead:
			if f.Rejected {
				rejected++
			}
		}
	}
	require.Equal(t, 2, rejected)
}
