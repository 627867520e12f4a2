// Package faults describes faults as data: timed actions (crash, restart,
// partition, heal, link changes, clock jumps and drift, pauses), triggers
// that fire actions when a protocol records a matching observation, and the
// nemesis, a seeded generator of random schedules.
//
// A trigger names a fact kind of package obs's vocabulary in "on" and
// attributes of it in "where"; Parse and Validate refuse a kind, attribute
// or value outside the vocabulary, naming the closest one, because a
// misspelt trigger would never fire and the run would pass as if the fault
// had been tried.
//
// Actions name nodes by role ("coordinator", "participant-2") rather than by
// id, so one schedule can be run against every protocol that has those
// roles. Schedules are plain structs with JSON tags: they print, save, load
// and (later) shrink without any knowledge of the protocol under test.
//
// An effect-crash action names its point by the node's handler run and an
// effect within it (sim.Effect) instead of by time: it crashes the node
// inside that handler right after that durable write, send, timer or
// record, or as it returns ("last"). Package explore's crash points are
// such actions, so a crash-point run is saved and replayed like any run,
// and in a schedule the shrinker removes one like any other action.
package faults
