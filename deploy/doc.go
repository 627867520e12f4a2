// Package deploy holds no code: it is the home of sweep-job.yaml, the
// Kubernetes Indexed Job that runs one simrun sweep as shards, and of the
// test that checks it (and the repository's Dockerfile) against what
// simrun accepts.
package deploy
