package history_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/faultline-sim/faultline/history"
)

// A test of one's own records operations and checks them: here a read
// that misses a write which returned before it began.
func ExampleCheck() {
	h := history.History{Model: history.Register, Ops: []history.Op{
		{Client: 1, Key: "x", Op: "write", Value: 1, Call: 0, Return: 10},
		{Client: 2, Key: "x", Op: "read", Value: 0, Call: 20, Return: 30},
	}}
	res, err := history.Check(h, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict)
	// Output: violation
}

// The JSON Lines form reads back to the same operations.
func ExampleHistory_Write() {
	data := `{"client": 1, "key": "a", "op": "acquire", "call": 0, "return": 10}
{"client": 2, "key": "a", "op": "acquire", "ok": false, "call": 5}
`
	h, err := history.Parse("locks.jsonl", []byte(data), history.Lock)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = h.Write(os.Stdout)
	_, err = history.Parse("bad.jsonl", []byte(strings.Replace(data, "acquire", "aquire", 1)), history.Lock)
	fmt.Println(err)
	// Output:
	// {"client":1,"key":"a","op":"acquire","call":0,"return":10}
	// {"client":2,"key":"a","op":"acquire","ok":false,"call":5}
	// bad.jsonl:1: op "aquire" is not a lock operation (want acquire, release)
}
