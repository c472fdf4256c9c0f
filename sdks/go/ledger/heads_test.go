package ledger

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

// headsLog signs a log whose entries belong to tasks (nil: no task), with a checkpoint after each
// entry that carries the task-heads line from size headsFrom on (except at legacyAt); badHeadsAt
// signs a wrong heads root at that size.
func headsLog(t *testing.T, tasks []*string, headsFrom, legacyAt, badHeadsAt uint64) *Bundle {
	t.Helper()
	l := newFakeLog(t)
	heads := &TaskHeads{}
	for seq, id := range tasks {
		e := map[string]any{"v": 1, "seq": seq, "type": "task.feedback", "at": "t", "actor": "a", "taskId": nil, "data": map[string]any{}}
		column := json.RawMessage("null")
		if id != nil {
			e["taskId"] = *id
			column, _ = json.Marshal(*id)
		}
		text, err := CanonicalizeValue(e)
		if err != nil {
			t.Fatal(err)
		}
		leaf := LeafHash(text)
		l.tree.Append(leaf)
		if id != nil {
			heads.Add(*id, leaf)
		}
		l.bundle.Entries = append(l.bundle.Entries, Entry{Index: int64(seq), Entry: string(text), LeafHash: hex.EncodeToString(leaf), TaskIDColumn: column})
		size := l.tree.Size()
		root, _ := l.tree.Root(size)
		cp := Checkpoint{Origin: l.origin, Size: size, Root: root}
		if size >= headsFrom && size != legacyAt {
			h := heads.Root()
			if size == badHeadsAt {
				h.Root = LeafHash(h.Root)
			}
			cp.Extensions = []string{"humanos-task-heads " + itoa(h.Size) + " " + base64.StdEncoding.EncodeToString(h.Root)}
		}
		note, err := SignNote(cp.Text(), l.origin, l.key)
		if err != nil {
			t.Fatal(err)
		}
		l.bundle.Checkpoints = append(l.bundle.Checkpoints, note)
	}
	return l.bundle
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func ids(names ...string) []*string {
	out := make([]*string, len(names))
	for i, n := range names {
		if n != "" {
			n := n
			out[i] = &n
		}
	}
	return out
}

var headsTasks = ids("t1", "t2", "", "t1", "t3", "t2", "t2", "", "t1")

func TestTaskHeadsVerify(t *testing.T) {
	rep, err := Verify(headsLog(t, headsTasks, 0, 0, 0), VerifyOptions{})
	if err != nil || !rep.OK || rep.CheckpointsVerified != len(headsTasks) {
		t.Fatalf("honest log: %+v %v", rep, err)
	}
	// A legacy log, and one whose heads lines start later, verify.
	for _, from := range []uint64{4, 100} {
		if _, err := Verify(headsLog(t, headsTasks, from, 0, 0), VerifyOptions{}); err != nil {
			t.Fatalf("heads from %d: %v", from, err)
		}
	}
	wantBad(t, headsLog(t, headsTasks, 0, 0, 5), VerifyOptions{}, 4, "the task heads of the first 5 entries differ from the signed checkpoint's (bad entry in [4, 5))")
	wantBad(t, headsLog(t, headsTasks, 3, 6, 0), VerifyOptions{}, -1, "the checkpoint of size 6 signs no task-heads root, though an earlier one does")
}

func TestTaskIDColumn(t *testing.T) {
	b := headsLog(t, headsTasks, 0, 0, 0)
	for _, column := range []string{`"task:agent:decoy"`, `null`} {
		bad := clone(b)
		bad.Entries[3].TaskIDColumn = json.RawMessage(column)
		wantBad(t, bad, VerifyOptions{}, 3, `the stored taskId column (`+column+`) differs from the signed entry's taskId ("t1")`)
	}
	bad := clone(b)
	bad.Entries[2].TaskIDColumn = json.RawMessage(`"t1"`)
	wantBad(t, bad, VerifyOptions{}, 2, `the stored taskId column ("t1") differs from the signed entry's taskId (null)`)
	// Parsed from an export line, the column is kept.
	line := `{"type":"header","format":"humanos-ledger/1","origin":"o","publicKey":"k","size":1}` + "\n" +
		`{"type":"entry","index":0,"entry":"{}","leafHash":"00","taskId":"t9"}` + "\n"
	parsed, err := ParseExport(strings.NewReader(line))
	if err != nil || string(parsed.Entries[0].TaskIDColumn) != `"t9"` {
		t.Fatalf("parsed %+v %v", parsed, err)
	}
}

func TestDecisionRows(t *testing.T) {
	l := buildLog(t)
	idx := l.bundle.Decisions[0].LedgerIndex
	honest := clone(l.bundle)
	honest.Decisions[0].Row = &DecisionRow{ApprovalID: "approval:human:1", PrincipalID: "did:human:ann", Verdict: "approved", PayloadDigest: "sha256:00"}
	if _, err := Verify(honest, VerifyOptions{}); err != nil {
		t.Fatalf("honest row: %v", err)
	}
	for _, edit := range []func(r *DecisionRow){
		func(r *DecisionRow) { r.Verdict = "rejected" },
		func(r *DecisionRow) { r.PrincipalID = "did:human:mallory" },
		func(r *DecisionRow) { r.PayloadDigest = "sha256:ff" },
		func(r *DecisionRow) { r.ApprovalID = "approval:human:2" },
	} {
		bad := clone(honest)
		row := *honest.Decisions[0].Row
		edit(&row)
		bad.Decisions[0].Row = &row
		wantBad(t, bad, VerifyOptions{}, idx, "the stored decision row (verdict, decider, digest) differs from the signed decision")
	}
}

func TestTaskHeadsLineParsing(t *testing.T) {
	root := base64.StdEncoding.EncodeToString(make([]byte, 32))
	h, err := TaskHeadsFromExtensions([]string{"other 1", "humanos-task-heads 3 " + root})
	if err != nil || h == nil || h.Size != 3 {
		t.Fatalf("%+v %v", h, err)
	}
	for _, bad := range [][]string{{"humanos-task-heads 03 " + root}, {"humanos-task-heads 3 " + root, "humanos-task-heads 3 " + root}} {
		if _, err := TaskHeadsFromExtensions(bad); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}
