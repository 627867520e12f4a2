// Package faults describes faults as data: timed actions (crash, restart,
// partition, heal, link changes, clock jumps and drift, pauses), triggers
// that fire actions when a protocol records a matching observation, and the
// nemesis, a seeded generator of random schedules.
//
// Actions name nodes by role ("coordinator", "participant-2") rather than by
// id, so one schedule can be run against every protocol that has those
// roles. Schedules are plain structs with JSON tags: they print, save, load
// and (later) shrink without any knowledge of the protocol under test.
package faults
