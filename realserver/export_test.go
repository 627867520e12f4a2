package realserver

// ZKServing lets the external tests ask whether a ZooKeeper answers.
var ZKServing = zkServing
