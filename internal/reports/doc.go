// Package reports presents results: the summary of one run and of a sweep,
// as text for people and as JSON for programs. Builders read only what
// scenarios and checkers produced, so a later HTML or Markdown report reuses
// the same inputs.
package reports
