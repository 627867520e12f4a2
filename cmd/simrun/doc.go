// Command simrun is Faultline's command line (package cli): list the
// scenarios, run one seed, sweep a range of seeds in parallel, shrink a
// failing run, enumerate crash points, replay a saved run, compare the
// commit protocols, check a recorded history.
package main
