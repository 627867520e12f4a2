// Package record keeps the history of a live run: the facts of package obs
// that the real lock clients, the protected storage and the fault runner
// record while the run goes on, each stamped with the real (monotonic)
// time since the run began and the name of the process that recorded it.
//
// History turns the record into the same checker.History a simulated run
// gives, with real-time offsets where the simulator has simulated time, so
// the checkers of package checker judge live runs with the code that
// judges simulated ones.
//
// Unlike the simulated layers, this package is concurrent and reads the
// wall clock: that is what a live run is.
package record
