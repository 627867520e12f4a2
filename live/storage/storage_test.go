package storage

import (
	"testing"

	"github.com/faultline-sim/faultline/checker"
	"github.com/faultline-sim/faultline/live/record"
	"github.com/faultline-sim/faultline/obs"
	"github.com/stretchr/testify/require"
)

func TestUnfencedAcceptsAStaleWriteAndTheCheckerSeesTheLostUpdate(t *testing.T) {
	rec := record.New()
	s := New(rec, false)
	v1, x1, err := s.Read("a", "k", 1)
	require.NoError(t, err)
	v2, x2, err := s.Read("b", "k", 2)
	require.NoError(t, err)
	_, err = s.Write("b", "k", 2, v2, x2+1)
	require.NoError(t, err)
	_, err = s.Write("a", "k", 1, v1, x1+1) // stale: based on version 0
	require.NoError(t, err)
	ver, val := s.Value("k")
	require.Equal(t, int64(2), ver)
	require.Equal(t, int64(1), val, "one increment lost")
	require.Equal(t, checker.Violation, checker.LostUpdates{}.Check(rec.History(rec.Now())).Verdict)
}

func TestFencedRefusesStaleReadsAndWrites(t *testing.T) {
	rec := record.New()
	s := New(rec, true)
	v1, x1, err := s.Read("a", "k", 1)
	require.NoError(t, err)
	v2, x2, err := s.Read("b", "k", 2)
	require.NoError(t, err)
	_, err = s.Write("a", "k", 1, v1, x1+1)
	require.ErrorIs(t, err, ErrFenced)
	_, _, err = s.Read("a", "k", 1)
	require.ErrorIs(t, err, ErrFenced)
	_, err = s.Write("b", "k", 2, v2, x2+1)
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
