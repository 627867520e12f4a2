// Package faultlinetest runs Faultline scenarios from a user's own go
// test: over a range of seeds (Seeds), or under fault schedules that
// rapid draws and shrinks (Faults). A run with a safety violation fails the
// test with everything needed to act on it: the seed, the fault schedule
// shrunk to the faults that matter, each checker's verdict and evidence,
// and a command that replays the run from a run file written for it.
//
//	func TestMyLockSurvivesCrashes(t *testing.T) {
//		s, err := scenarios.Get("mylock-faults")
//		require.NoError(t, err)
//		faultlinetest.Seeds(t, s, 1, 200, faultlinetest.Options{})
//	}
package faultlinetest
