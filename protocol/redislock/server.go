package redislock

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
)

// Persistence is what of a server's dataset survives its crash.
type Persistence uint8

const (
	// PersistNone keeps the dataset in memory only: a restart comes back
	// empty, every lock it held forgotten.
	PersistNone Persistence = iota
	// PersistAOF appends every write to the append-only file, fsynced
	// before the reply (appendfsync always). Expiry times are kept as
	// absolute times on the server's clock, as Redis rewrites PX to
	// PEXPIREAT, so a key whose TTL ran out while the server was down is
	// dropped on load.
	PersistAOF
)

func (p Persistence) String() string { return [...]string{"none", "aof"}[p] }

// MarshalText writes the mode's name, as scenario files give it.
func (p Persistence) MarshalText() ([]byte, error) {
	if p > PersistAOF {
		return nil, fmt.Errorf("unknown persistence %d", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads "none" or "aof".
func (p *Persistence) UnmarshalText(b []byte) error {
	switch string(b) {
	case "none":
		*p = PersistNone
	case "aof":
		*p = PersistAOF
	default:
		return fmt.Errorf("unknown persistence %q (known: none, aof)", b)
	}
	return nil
}

// ServerConfig describes one Redis server.
type ServerConfig struct {
	Service     string // the logical Redis it belongs to
	Persistence Persistence
	// Peer is the other server of a master/replica pair; "" for a
	// standalone master (every Redlock instance).
	Peer           string
	StartAsReplica bool
	// ReplicationInterval is the tick of the asynchronous replication
	// stream: a write reaches the replica up to this much (plus the
	// network delay) after the master acknowledged it.
	ReplicationInterval time.Duration
	// FailoverAfter: a replica that has heard nothing from a master for
	// this long promotes itself (the work of Sentinel, folded in).
	FailoverAfter time.Duration
	// FsyncEverySec syncs the append-only file once a second instead of
	// before every reply (appendfsync everysec; a planted bug of Redlock).
	FsyncEverySec bool
}

// role is a server's place in replication.
type role uint8

const (
	master  role = iota // serves clients, expires keys, streams to the replica
	replica             // refuses clients, applies the master's stream, may be promoted
)

func (r role) String() string { return [...]string{"master", "replica"}[r] }

// entry is one key. Expires is on the server's own clock: a clock that
// jumps or runs fast ends the key's life early.
type entry struct {
	Value   string
	Owner   string // the client that set it
	Expires time.Duration
	HasTTL  bool
}

// Durable keys of a server.
const (
	aofKey   = "aof/"  // entry: the append-only file, one record per live key
	epochKey = "epoch" // int: replication epoch (Sentinel's configuration, kept whatever the persistence)
)

type expiryTimer struct {
	Key   string
	Value string
}
type replicationTimer struct{}

type fsyncTimer struct{}

func (fsyncTimer) String() string { return "fsync" }

// fsync syncs the append-only file after a write, before the reply, as
// appendfsync always does; with everysec a timer does it once a second.
func (s *Server) fsync(env *sim.Env) {
	if !s.cfg.FsyncEverySec {
		env.Sync()
	}
}

func (t expiryTimer) String() string    { return "expire " + t.Key + " " + t.Value }
func (replicationTimer) String() string { return "replication-tick" }

// Server is a simulated Redis server.
type Server struct {
	cfg     ServerConfig
	role    role
	epoch   int
	keys    map[string]entry
	expiry  map[string]sim.TimerID
	peer    sim.NodeID
	hasPeer bool
	seq     int // replication messages sent (master) or last applied (replica)
	silent  int // replication ticks without word from a master (replica)
	// held collects holder facts while a command is applied, so they are
	// recorded after the command itself (see execute).
	held *[]obs.Holder
}

// NewServer makes a server's volatile state; pass it as the node factory.
func NewServer(cfg ServerConfig) *Server { return &Server{cfg: cfg} }

// Start recovers what persistence kept. A server that has a peer and has
// crashed before comes back as a replica, as Sentinel reconfigures a
// failed master: whatever it still holds is stale, and it is dropped.
func (s *Server) Start(env *sim.Env) {
	s.keys = map[string]entry{}
	s.expiry = map[string]sim.TimerID{}
	s.epoch, _ = sim.Load[int](env, epochKey)
	if s.cfg.FsyncEverySec && s.durable() {
		env.SetTimer(time.Second, fsyncTimer{})
	}
	if s.cfg.Peer != "" {
		s.peer, s.hasPeer = env.Lookup(s.cfg.Peer)
	}
	s.role = master
	if s.hasPeer && (s.cfg.StartAsReplica || env.Incarnation() > 0) {
		s.role = replica
	}
	if env.Incarnation() > 0 && s.hasPeer {
		env.Observe(obs.RedisRole{Service: s.cfg.Service, Role: s.role.String(), Epoch: s.epoch})
	}
	for _, k := range env.Keys(aofKey) {
		e, _ := sim.Load[entry](env, k)
		key := strings.TrimPrefix(k, aofKey)
		if s.role == replica {
			// It held this key as master before its crash; a resync replaces
			// its data, so that authority is gone.
			env.Delete(k)
			env.Observe(obs.Holder{Lock: key, Durable: true})
			continue
		}
		s.keys[key] = e
		if s.due(env, e) {
			s.expire(env, key)
			continue
		}
		env.Observe(obs.Holder{Lock: key, Client: e.Owner, Durable: true})
		s.armExpiry(env, key, e)
	}
	if s.hasPeer {
		env.SetTimer(s.cfg.ReplicationInterval, replicationTimer{})
	}
}

func (s *Server) durable() bool { return s.cfg.Persistence == PersistAOF }

func (s *Server) due(env *sim.Env, e entry) bool { return e.HasTTL && env.Now() >= e.Expires }

// lookup reads a key, expiring it first if its time has come: Redis
// expires lazily on access as well as actively, so a key past its TTL is
// never seen, however late the expiry timer.
func (s *Server) lookup(env *sim.Env, key string) (entry, bool) {
	e, ok := s.keys[key]
	if !ok {
		return entry{}, false
	}
	if s.role == master && s.due(env, e) {
		s.expire(env, key)
		return entry{}, false
	}
	return e, true
}

// holder records the server's authoritative state of key; a replica has
// no authority and records nothing.
func (s *Server) holder(env *sim.Env, key, owner string) {
	if s.role != master {
		return
	}
	f := obs.Holder{Lock: key, Client: owner, Durable: s.durable()}
	if s.held != nil {
		*s.held = append(*s.held, f)
		return
	}
	env.Observe(f)
}

func (s *Server) set(env *sim.Env, key string, e entry) {
	s.keys[key] = e
	if s.durable() {
		env.Put(aofKey+key, e)
		s.fsync(env)
	}
	s.holder(env, key, e.Owner)
	s.armExpiry(env, key, e)
}

func (s *Server) del(env *sim.Env, key string) {
	delete(s.keys, key)
	env.CancelTimer(s.expiry[key])
	delete(s.expiry, key)
	if s.durable() {
		env.Delete(aofKey + key)
		s.fsync(env)
	}
	s.holder(env, key, "")
}

// expire deletes a key whose TTL ran out and only then records the expiry:
// with append-only persistence the delete is synced first, so a crash
// inside the expiry (a mid-crash before the sync) leaves no recorded
// expiry of a key the restarted server reloads and expires again.
func (s *Server) expire(env *sim.Env, key string) {
	e := s.keys[key]
	outer := s.held
	var held []obs.Holder
	s.held = &held
	s.del(env, key)
	s.held = outer
	env.Observe(obs.RedisExpired{Service: s.cfg.Service, Key: key, Value: e.Value, Client: e.Owner})
	for _, f := range held {
		if outer != nil {
			*outer = append(*outer, f)
		} else {
			env.Observe(f)
		}
	}
}

func (s *Server) armExpiry(env *sim.Env, key string, e entry) {
	env.CancelTimer(s.expiry[key])
	delete(s.expiry, key)
	if e.HasTTL && s.role == master {
		s.expiry[key] = env.SetTimer(e.Expires-env.Now(), expiryTimer{Key: key, Value: e.Value})
	}
}

// Receive handles client commands and the replication stream.
func (s *Server) Receive(env *sim.Env, from sim.NodeID, m sim.Message) {
	switch m := m.(type) {
	case Command:
		env.Send(from, s.execute(env, env.NameOf(from), m))
	case Replicate:
		s.onReplicate(env, from, m)
	}
}

// execute runs one command atomically, as Redis runs a command or a Lua
// script to completion before the next. The command is applied (durably,
// with append-only persistence) before it is recorded as served
// (obs.RedisServed), and the lock's new holder is recorded after that: a
// crash at either record — a crash point — finds the effect and the
// records agreeing, so the history never has a served command that did not
// take effect, nor an effect without its command.
func (s *Server) execute(env *sim.Env, client string, c Command) Reply {
	r := Reply{ID: c.ID}
	if s.role != master {
		r.NotMaster = true
		return r
	}
	e, exists := s.lookup(env, c.Key)
	var apply func()
	switch c.Op {
	case OpSetNX, OpSet:
		if c.Op == OpSet || !exists {
			n := entry{Value: c.Value, Owner: client}
			if c.TTL > 0 {
				n.HasTTL, n.Expires = true, env.Now()+c.TTL
			}
			apply = func() { s.set(env, c.Key, n) }
		}
	case OpGet:
		r.Value = e.Value
		r.OK = exists
	case OpDel:
		if exists {
			apply = func() { s.del(env, c.Key) }
		}
	case OpCheckDel:
		if exists && e.Value == c.Value {
			apply = func() { s.del(env, c.Key) }
		}
	case OpPExpire, OpCheckExtend:
		if exists && (c.Op == OpPExpire || e.Value == c.Value) {
			apply = func() {
				e.HasTTL, e.Expires = true, env.Now()+c.TTL
				s.keys[c.Key] = e
				if s.durable() {
					env.Put(aofKey+c.Key, e)
					s.fsync(env)
				}
				s.armExpiry(env, c.Key, e)
			}
		}
	}
	var held []obs.Holder
	if apply != nil {
		r.OK = true
		s.held = &held
		apply()
		s.held = nil
	}
	env.Observe(obs.RedisServed{Service: s.cfg.Service, Key: c.Key, Client: client, ID: c.ID, OK: r.OK, Value: r.Value})
	for _, f := range held {
		env.Observe(f)
	}
	return r
}

// Timer handles active expiry and the replication tick.
func (s *Server) Timer(env *sim.Env, tag any) {
	switch t := tag.(type) {
	case expiryTimer:
		e, ok := s.keys[t.Key]
		if !ok || e.Value != t.Value || s.role != master {
			return
		}
		if s.due(env, e) {
			s.expire(env, t.Key)
		} else {
			// The clock was set back: by it the key has time left.
			s.armExpiry(env, t.Key, e)
		}
	case replicationTimer:
		s.tick(env)
		env.SetTimer(s.cfg.ReplicationInterval, replicationTimer{})
	case fsyncTimer:
		env.Sync()
		env.SetTimer(time.Second, fsyncTimer{})
	}
}

// tick streams the dataset to the replica (master) or counts the silence
// of the master and promotes itself when it has lasted FailoverAfter
// (replica). Silence is counted in ticks, which follow the monotonic
// clock, so a jump of the replica's wall clock cannot fake a failure.
func (s *Server) tick(env *sim.Env) {
	if s.role == replica {
		s.silent++
		if time.Duration(s.silent)*s.cfg.ReplicationInterval >= s.cfg.FailoverAfter {
			s.promote(env)
		}
		return
	}
	s.seq++
	snap := Replicate{Epoch: s.epoch, Seq: s.seq}
	for _, k := range slices.Sorted(maps.Keys(s.keys)) {
		e, ok := s.lookup(env, k)
		if !ok {
			continue
		}
		var ttl time.Duration
		if e.HasTTL {
			ttl = e.Expires - env.Now()
		}
		snap.Keys = append(snap.Keys, Entry{Key: k, Value: e.Value, Owner: e.Owner, TTL: ttl})
	}
	env.Send(s.peer, snap)
}

// promote makes this replica the master of a new epoch: it records the
// dataset it has — which lacks whatever the old master acknowledged but
// had not yet streamed — as the service's state from now on.
func (s *Server) promote(env *sim.Env) {
	s.role = master
	s.epoch++
	s.seq = 0
	env.Put(epochKey, s.epoch)
	env.Sync()
	env.Observe(obs.RedisRole{Service: s.cfg.Service, Role: master.String(), Epoch: s.epoch})
	for _, k := range slices.Sorted(maps.Keys(s.keys)) {
		e := s.keys[k]
		if s.due(env, e) {
			s.expire(env, k)
			continue
		}
		s.holder(env, k, e.Owner)
		s.armExpiry(env, k, e)
	}
}

// demote gives up mastership to a master of a later epoch (or the same
// epoch and a smaller name, so two servers promoted at once agree): every
// key it held stops counting, and its data is replaced by the stream.
func (s *Server) demote(env *sim.Env, epoch int) {
	for _, k := range slices.Sorted(maps.Keys(s.keys)) {
		s.del(env, k)
	}
	s.role = replica
	s.epoch = epoch
	env.Put(epochKey, s.epoch)
	env.Sync()
	env.Observe(obs.RedisRole{Service: s.cfg.Service, Role: replica.String(), Epoch: s.epoch})
}

func (s *Server) onReplicate(env *sim.Env, from sim.NodeID, m Replicate) {
	if m.Epoch < s.epoch {
		return // a deposed master's stream
	}
	if s.role == master {
		if m.Epoch == s.epoch && env.Name() < env.NameOf(from) {
			return // the other one yields
		}
		s.demote(env, m.Epoch)
	}
	if m.Epoch == s.epoch && m.Seq <= s.seq {
		return // older than what was applied (reordered)
	}
	if m.Epoch > s.epoch {
		s.epoch = m.Epoch
		env.Put(epochKey, s.epoch)
	}
	s.seq, s.silent = m.Seq, 0
	for _, k := range slices.Sorted(maps.Keys(s.keys)) {
		if s.durable() {
			env.Delete(aofKey + k)
		}
	}
	s.keys = map[string]entry{}
	for _, x := range m.Keys {
		e := entry{Value: x.Value, Owner: x.Owner}
		if x.TTL > 0 {
			e.HasTTL, e.Expires = true, env.Now()+x.TTL
		}
		s.keys[x.Key] = e
		if s.durable() {
			env.Put(aofKey+x.Key, e)
		}
	}
	env.Sync() // the epoch and the dataset of this stream, as one
}
