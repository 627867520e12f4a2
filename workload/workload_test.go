package workload

import (
	"slices"
	"strings"
	"testing"
)

func TestPerClientKeepsOrderAndFirstAppearance(t *testing.T) {
	jobs := []LockJob{{ID: "a", Client: "c2"}, {ID: "b", Client: "c1"}, {ID: "c", Client: "c2"}}
	by, clients := PerClient(jobs, func(j LockJob) string { return j.Client })
	if !slices.Equal(clients, []string{"c2", "c1"}) {
		t.Errorf("clients %v, want [c2 c1]", clients)
	}
	if got := by["c2"]; len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" {
		t.Errorf("c2's jobs %v, want a then c", got)
	}
	if got := Names(3, LockName); !slices.Equal(got, []string{"lock-1", "lock-2", "lock-3"}) {
		t.Errorf("Names: %v", got)
	}
}

func TestValidateNamesTheField(t *testing.T) {
	b := DefaultBank()
	b.AccountsPerBank = 0
	l := DefaultLocks()
	l.MaxLocksPerJob = l.Locks + 1
	v := DefaultInventory()
	v.Interval = 0
	for _, c := range []struct {
		err  error
		want string
	}{
		{DefaultBank().Validate(), ""}, {DefaultLocks().Validate(), ""}, {DefaultInventory().Validate(), ""},
		{b.Validate(), "bank workload: accounts per bank must be at least 1, got 0"},
		{l.Validate(), "lock workload: max locks per job must be in 1..3, got 4"},
		{v.Validate(), "inventory workload: interval must be positive, got 0s"},
	} {
		if c.want == "" && c.err != nil || c.want != "" && (c.err == nil || !strings.Contains(c.err.Error(), c.want)) {
			t.Errorf("got %v, want %q", c.err, c.want)
		}
	}
}
