package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCompareRefusesBadInputWithExit2(t *testing.T) {
	for _, args := range [][]string{
		{"compare", "--format", "pdf"},
		{"compare", "--protocols", "4pc"},
		{"compare", "--fault-classes", "meteor"},
		{"compare", "--seeds", "0"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and a one-line error", args, code, errb.String())
		}
	}
}

func TestComparePrintsEveryFormat(t *testing.T) {
	args := []string{"compare", "--seeds", "1-2", "--protocols", "2pc,paxoscommit", "--fault-classes", "none,coordinator-crash"}
	var out, errb bytes.Buffer
	if code := run(append(args, "--format", "json"), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Rows) != 4 {
		t.Fatalf("want 4 rows, got %d", len(doc.Rows))
	}
	for _, r := range doc.Rows {
		for _, k := range []string{"protocol", "fault_class", "messages_per_txn", "commit_latency_p99_ms", "decided_fraction", "safety_violation_runs"} {
			if _, ok := r[k]; !ok {
				t.Errorf("row %v lacks %s", r, k)
			}
		}
		if r["protocol"] == "2pc" && r["fault_class"] == "none" && r["decided_fraction"] != 1.0 {
			t.Errorf("fault-free 2pc decided %v of its transactions", r["decided_fraction"])
		}
	}
	for format, want := range map[string]string{"text": "paxoscommit  coordinator-crash", "markdown": "| paxoscommit | coordinator-crash |"} {
		out.Reset()
		if code := run(append(args, "--format", format), &out, &errb); code != 0 || !strings.Contains(out.String(), want) {
			t.Errorf("%s: exit %d, output lacks %q:\n%s", format, code, want, out.String())
		}
	}
}
