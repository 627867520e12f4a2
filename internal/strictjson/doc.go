// Package strictjson reads and writes the project's hand-editable JSON
// files (fault schedules, run files, live plans, recorded histories) one
// way: a typo in a field name, or anything after the value, is an error
// rather than something silently ignored, and the saved form is indented
// with a final newline. Lines reads JSON Lines files (recorded histories,
// sweep rows) with the number of each line, for errors that name it.
package strictjson
