package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// The built-in scenarios are the files in builtin/, one scenario each,
// named after the file; they are compiled into the binary.
//
//go:embed builtin/*.yaml
var builtinFiles embed.FS

// BuiltinFile is the text of a built-in scenario's file, as `simrun show`
// prints it.
func BuiltinFile(name string) ([]byte, bool) {
	b, err := builtinFiles.ReadFile("builtin/" + name + ".yaml")
	return b, err == nil
}

// BuiltinNames lists the built-in scenarios, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtinFiles, "builtin")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// Each built-in is parsed afresh on every Get, after every init has run,
// so a protocol registered in any init (RegisterCommit) can be named. A
// built-in file that does not parse is a build mistake (a test parses
// them all), not a run-time condition.
func init() {
	for _, name := range BuiltinNames() {
		register(name, func() Spec {
			data, _ := BuiltinFile(name)
			s, err := Parse("builtin/"+name+".yaml", data)
			if err != nil {
				panic(fmt.Sprintf("scenarios: built-in %v", err))
			}
			return s
		})
	}
}
