package ci

import "os"

// On reports whether the environment variable CI says this is a CI run:
// set and not "false" or "0". CI services set CI=true, some CI=1; a
// developer who exports CI=false means no.
func On() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}
