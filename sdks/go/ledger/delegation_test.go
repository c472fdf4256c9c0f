package ledger

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The cases core wrote (sdks/testdata/delegation-vectors.json, made by
// packages/core/test/delegation.vectors.test.ts): a valid log with on-behalf decisions and forged
// variants. Go must give core's verdict on each: index, check and reason word for word.
type delegationVectors struct {
	Cases []vectorCase `json:"cases"`
}

// vectorCase is one case of a file of sdks/testdata: an export and the verdict it must get (Reason
// only where the file records it; Check "" for a failure that is no named check).
type vectorCase struct {
	Name   string `json:"name"`
	Export string `json:"export"`
	Expect struct {
		OK     bool   `json:"ok"`
		Index  int64  `json:"index"`
		Check  string `json:"check"`
		Reason string `json:"reason"`
	} `json:"expect"`
}

// readTestdata decodes a file of sdks/testdata, shared with the Python tests.
func readTestdata(t *testing.T, name string, into any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatal(err)
	}
}

func TestDelegationVectorsAgreeWithCore(t *testing.T) {
	var v delegationVectors
	readTestdata(t, "delegation-vectors.json", &v)
	valid := 0
	for _, c := range v.Cases {
		if c.Expect.OK {
			valid++
		}
		t.Run(c.Name, func(t *testing.T) {
			rep, err := verifyExport(t, c.Export, "")
			if c.Expect.OK {
				if err != nil || !rep.OK {
					t.Fatalf("want ok, got %+v (%v)", rep, err)
				}
				return
			}
			var bad *VerificationError
			if !errors.As(err, &bad) || bad.Check != rep.Check {
				t.Fatalf("want a VerificationError, got %v (%+v)", err, rep)
			}
			if rep.FirstBadIndex != c.Expect.Index || c.Expect.Check == "" || rep.Check != c.Expect.Check || rep.Reason != c.Expect.Reason {
				t.Fatalf("got (%d, %q, %q), want (%d, %q, %q)", rep.FirstBadIndex, rep.Check, rep.Reason, c.Expect.Index, c.Expect.Check, c.Expect.Reason)
			}
		})
	}
	if valid != 4 || len(v.Cases) < 19 {
		t.Fatalf("%d cases, %d valid: the file lost cases", len(v.Cases), valid)
	}
}

func TestDelegationWindowAndTimes(t *testing.T) {
	for in, want := range map[string]int64{
		"2026-01-10T16:00:00.000Z":  1768060800000,
		"2026-01-10T17:00:00+01:00": 1768060800000,
		"2026-01-10T16:00:00.5Z":    1768060800500,
	} {
		if got, ok := ParseTimeMillis(in); !ok || got != want {
			t.Errorf("ParseTimeMillis(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, bad := range []any{"yesterday", "2026-02-30T00:00:00Z", 12} {
		if _, ok := ParseTimeMillis(bad); ok {
			t.Errorf("ParseTimeMillis(%v) read a time", bad)
		}
	}
	if !InWindow(10, 20, 10) || InWindow(10, 20, 20) {
		t.Error("the window is [start, end)")
	}
	reg := NewDelegationRegistry()
	terms := `{"delegationId":"d1","delegator":"ann","delegate":"bob","roles":["cfo"],"startsAt":"2026-01-10T16:00:00Z","endsAt":"2026-01-10T17:00:00Z"}`
	if f := reg.Fold(3, "delegation.created", json.RawMessage(terms)); f != nil {
		t.Fatal(f.Reason())
	}
	rec := func(at string, idx string) json.RawMessage {
		return json.RawMessage(`{"decidedBy":"bob","onBehalfOf":"ann","role":"cfo","delegation":` + idx + `,"decidedAt":"` + at + `"}`)
	}
	if f := reg.CheckDecision(rec("2026-01-10T16:30:00Z", "3")); f != nil {
		t.Fatal(f.Reason())
	}
	if f := reg.CheckDecision(rec("soon", "3")); f == nil || f.Check != CheckDelegationWindow {
		t.Fatalf("an unreadable time passed: %v", f)
	}
	if f := reg.CheckDecision(rec("2026-01-10T16:30:00Z", "true")); f == nil || f.Check != CheckDelegationUnknown {
		t.Fatalf("a non-number index passed: %v", f)
	}
	if f := reg.CheckDecision(json.RawMessage(`{"decidedBy":"bob","decidedAt":"x"}`)); f != nil {
		t.Fatalf("a decision in its own right failed: %v", f.Reason())
	}
}
