package ci

import "testing"

func TestOn(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": false, "0": false, "true": true, "1": true, "yes": true} {
		t.Setenv("CI", v)
		if got := On(); got != want {
			t.Errorf("CI=%q: On() = %v, want %v", v, got, want)
		}
	}
}
