package resource

import (
	"github.com/faultline-sim/faultline/obs"
	"github.com/faultline-sim/faultline/sim"
	"github.com/faultline-sim/faultline/workload"
)

// JobsDoneKey is a lock client's durable count of finished jobs, so a
// restarted client resumes at the next one.
const JobsDoneKey = "jobs-done"

// Jobs is what every lock client does the same way: walk its job list in
// order, resume it after a restart, and number its requests so that those
// of a new incarnation never collide with the old one's.
type Jobs struct {
	List     []workload.LockJob
	next     int
	inc, seq int
}

// Resume picks up at the first unfinished job; call it from Start.
func (j *Jobs) Resume(env *sim.Env) {
	j.inc, j.seq = env.Incarnation(), 0
	if v, ok := env.Get(JobsDoneKey); ok {
		j.next = v.(int)
	}
}

// Inc is the incarnation requests are numbered in.
func (j *Jobs) Inc() int { return j.inc }

// NextSeq is the next request number of this incarnation.
func (j *Jobs) NextSeq() int {
	j.seq++
	return j.seq
}

// NewReq numbers a new request.
func (j *Jobs) NewReq() Req { return Req{Inc: j.inc, Seq: j.NextSeq()} }

// Finished reports whether every job is done.
func (j *Jobs) Finished() bool { return j.next >= len(j.List) }

// Current is the job under way (or next to start).
func (j *Jobs) Current() workload.LockJob { return j.List[j.next] }

// Arm sets a timer with tag for the current job's start; it returns false
// when there is no job left.
func (j *Jobs) Arm(env *sim.Env, tag any) bool {
	if j.Finished() {
		return false
	}
	env.SetTimer(j.Current().At-env.Now(), tag)
	return true
}

// Complete records the current job as done, durably, and moves on.
func (j *Jobs) Complete(env *sim.Env) {
	env.Observe(obs.JobDone{Job: j.Current().ID})
	j.next++
	env.Put(JobsDoneKey, j.next)
}
