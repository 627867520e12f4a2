// Command jepsenconv converts Jepsen register logs into the JSON Lines
// histories `simrun check --model register` reads (see package
// internal/jepsen for the mapping).
//
//	jepsenconv FILE              # to standard output
//	jepsenconv -o DIR FILE...    # DIR/NAME.jsonl for each FILE
//
// Exit status 2 on bad usage or a malformed log, naming file and line.
package main
