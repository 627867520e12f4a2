package faket

import "fmt"

// T records what it is told. Fatal and FailNow only mark the failure: the
// caller goes on, so what comes after (rapid's shrinking, a check's
// report) still reaches T. Skipping is not expected and panics.
type T struct {
	TestName string
	Errors   []string // every Error/Errorf/Fatal/Fatalf message, in order
	Logs     []string
	failed   bool
}

func (f *T) Helper()      {}
func (f *T) Name() string { return f.TestName }

func (f *T) Logf(format string, args ...any) { f.Logs = append(f.Logs, fmt.Sprintf(format, args...)) }
func (f *T) Log(args ...any)                 { f.Logs = append(f.Logs, fmt.Sprint(args...)) }

func (f *T) Errorf(format string, args ...any) {
	f.failed = true
	f.Errors = append(f.Errors, fmt.Sprintf(format, args...))
}
func (f *T) Error(args ...any)                 { f.Errorf("%s", fmt.Sprint(args...)) }
func (f *T) Fatalf(format string, args ...any) { f.Errorf(format, args...) }
func (f *T) Fatal(args ...any)                 { f.Error(args...) }
func (f *T) FailNow()                          { f.failed = true }
func (f *T) Fail()                             { f.failed = true }
func (f *T) Failed() bool                      { return f.failed }

func (f *T) Skipf(string, ...any) { panic("faket: skip") }
func (f *T) Skip(...any)          { panic("faket: skip") }
func (f *T) SkipNow()             { panic("faket: skip") }
