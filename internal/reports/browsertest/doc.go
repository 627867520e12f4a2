// Package browsertest opens every kind of Faultline report — run (ok,
// blocked, violation), shrink, sweep, compare and porcupine's pictures — in
// headless Chromium through chromedp, and checks what a person would see:
// no script errors, the highlighted finding inside the first viewport,
// counts that agree, nothing overflowing. It builds simrun and writes the
// reports with it, as a user would. Screenshots of the first viewport are
// saved as test artifacts (in $FAULTLINE_ARTIFACTS, else a temporary
// directory) and their paths logged.
//
// Without Chromium the tests skip, unless CI=true, where they fail.
package browsertest
