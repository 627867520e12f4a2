// Package optimistic is the seed article's optimistic locking: a versioned
// key-value store and clients that read a value with its version, compute,
// and write back only if the version is still the one they read
// (compare-and-set). A conflict means someone else got there first: the
// client reads again and retries with the new data. Nothing is ever locked.
//
// The workload is the seed's inventory, where "overselling must be
// prevented": each order reads an item's stock, gives up if too few units
// are left, and otherwise sets the stock to stock-units at the version it
// read. Clients resend an unanswered request (lockkit.Pending); the store
// answers a resent compare-and-set from its durable record of each
// client's last one (lockkit.Replies), so an order is never applied twice.
//
// Planted bug (Bugs, ignore-version): the store applies an update whatever version
// it names — the lost update optimistic locking exists to prevent.
package optimistic
