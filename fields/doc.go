// Package fields is the one validation of settings: a workload, a network
// link, a protocol's configuration. Check walks a configuration's fields in
// order and keeps the first complaint, which names what is checked and the
// field, so every Validate in the project says a bad value the same way.
//
// It imports nothing of the project, so the kernel (sim) can use it
// without depending on protocol code.
package fields
