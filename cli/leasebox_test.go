package cli

// simrun knows the lock kit's test service (cmd/simrun imports it); so do
// these tests.
import _ "github.com/faultline-sim/faultline/protocol/lockkit/kittest"
