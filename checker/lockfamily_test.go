package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLockFamilyCarriesItsOptions(t *testing.T) {
	cs := LockFamily(LockLinearizable{Timeout: 7}, true, 3)
	require.Equal(t, []Checker{LockLinearizable{Timeout: 7}, MutualExclusion{Fenced: true}, LostUpdates{},
		StorageSafety{Quorum: 3, Fenced: true}}, cs)
	cs = LockFamily(nil, false, 1)
	require.Equal(t, []Checker{MutualExclusion{}, LostUpdates{}, StorageSafety{Quorum: 1}}, cs)
	for _, c := range cs {
		require.Equal(t, ClassSafety, c.Class(), c.Name())
	}
}
