package redislock

// The Lua scripts that OpCheckDel and OpCheckExtend stand for, as the seed
// article's RedisDistributedLock sends them with EVAL (one key, KEYS[1] the
// lock, ARGV[1] the acquisition's value). Real clients send these texts;
// package conformance checks the simulated server against redis-server
// running them.
const (
	// CheckDelScript: delete the lock only if it still holds our value.
	CheckDelScript = `if redis.call("get", KEYS[1]) == ARGV[1] then
return redis.call("del", KEYS[1])
else
return 0
end`
	// CheckExtendScript is the seed's extend: ARGV[2] is the new TTL in
	// whole seconds (EXPIRE).
	CheckExtendScript = `if redis.call("get", KEYS[1]) == ARGV[1] then
return redis.call("expire", KEYS[1], ARGV[2])
else
return 0
end`
	// CheckExtendMsScript is the same with the TTL in milliseconds
	// (PEXPIRE), which the simulated TTLs of tens of milliseconds need.
	CheckExtendMsScript = `if redis.call("get", KEYS[1]) == ARGV[1] then
return redis.call("pexpire", KEYS[1], ARGV[2])
else
return 0
end`
)
