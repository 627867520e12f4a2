// Package plant is the one mechanism by which a protocol offers planted
// bugs: deliberate mistakes, each off by default, that a test or
// `simrun --bug NAME` switches on to prove the checkers catch what they
// claim to catch.
//
// A protocol declares its bugs once, as a Catalog in a stable order (the
// order listings and error messages show them in), keeps the enabled ones
// in a Set field of its configuration, and asks Set.On at the one place in
// its code where the mistake is made. Catalog.Enable is the only way into
// a Set, so an unknown name is refused with the known ones listed and the
// closest one suggested (obs.Closest, the suggestion fact names get too).
// A Set is a value: copying a configuration copies its bugs, and enabling
// one on a copy never changes the original.
//
// A configuration that implements Planter (its catalog, its Set, and
// itself with another Set) gets WithBug for free: With(cfg, name).
package plant
