package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A ledger built here the way the server builds it: canonical entries, a signed decision record,
// a signed checkpoint after every append.
type fakeLog struct {
	origin string
	key    ed25519.PrivateKey
	bundle *Bundle
	tree   MemoryTree
}

func newFakeLog(t *testing.T) *fakeLog {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	origin := "humanos.ledger/test"
	return &fakeLog{origin: origin, key: key, bundle: &Bundle{Origin: origin, PublicKey: DIDKeyFromPublicKey(pub)}}
}

func (l *fakeLog) append(t *testing.T, typ string, approvalID string, data map[string]any) {
	t.Helper()
	seq := len(l.bundle.Entries)
	e := map[string]any{"v": 1, "seq": seq, "type": typ, "at": "2026-01-01T00:00:00.000Z", "actor": "did:agent:a", "taskId": "task:human:1", "data": data}
	if approvalID != "" {
		e["approvalId"] = approvalID
	}
	text, err := CanonicalizeValue(e)
	if err != nil {
		t.Fatal(err)
	}
	leaf := LeafHash(text)
	l.tree.Append(leaf)
	l.bundle.Entries = append(l.bundle.Entries, Entry{Index: int64(seq), Entry: string(text), LeafHash: hex.EncodeToString(leaf)})
	root, _ := l.tree.Root(l.tree.Size())
	note, err := SignNote(Checkpoint{Origin: l.origin, Size: l.tree.Size(), Root: root}.Text(), l.origin, l.key)
	if err != nil {
		t.Fatal(err)
	}
	l.bundle.Checkpoints = append(l.bundle.Checkpoints, note)
	l.bundle.Size = int64(l.tree.Size())
}

func (l *fakeLog) decide(t *testing.T, approvalID string) {
	t.Helper()
	rec := DecisionRecord{Type: "humanos.decision/v1", Origin: l.origin, ApprovalID: approvalID, TaskID: "task:human:1",
		Verdict: "approved", DecidedBy: "did:human:ann", DecidedAt: "2026-01-01T00:00:01.000Z", Reason: "looks right",
		Edits: json.RawMessage(`{"amount":1.50}`), PayloadDigest: "sha256:00"}
	canon, err := CanonicalizeValue(rec)
	if err != nil {
		t.Fatal(err)
	}
	sig := "0x" + hex.EncodeToString(ed25519.Sign(l.key, canon))
	var recMap map[string]any
	_ = json.Unmarshal(canon, &recMap)
	l.append(t, "approval.decided", approvalID, map[string]any{"record": recMap, "signature": sig})
	l.bundle.Decisions = append(l.bundle.Decisions, StoredDecision{LedgerIndex: int64(len(l.bundle.Entries) - 1), Record: canon, Signature: sig})
}

func buildLog(t *testing.T) *fakeLog {
	l := newFakeLog(t)
	for i := 0; i < 5; i++ {
		l.append(t, "task.created", "", map[string]any{"n": i, "text": fmt.Sprintf("entry %d \u2014 é", i)})
	}
	l.decide(t, "approval:human:1")
	for i := 0; i < 4; i++ {
		l.append(t, "task.completed", "", map[string]any{"n": i})
	}
	return l
}

func clone(b *Bundle) *Bundle {
	c := *b
	c.Entries = append([]Entry(nil), b.Entries...)
	c.Checkpoints = append([]string(nil), b.Checkpoints...)
	c.Decisions = append([]StoredDecision(nil), b.Decisions...)
	return &c
}

func wantBad(t *testing.T, b *Bundle, opts VerifyOptions, index int64, reason string) {
	t.Helper()
	rep, err := Verify(b, opts)
	var ve *VerificationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a VerificationError (%s), got %v", reason, err)
	}
	if rep.OK || ve.Index != index || rep.FirstBadIndex != index || !strings.Contains(ve.Reason, reason) {
		t.Fatalf("want bad at %d (%q), got %+v / %v", index, reason, rep, err)
	}
}

func TestVerifyBuiltLog(t *testing.T) {
	l := buildLog(t)
	rep, err := Verify(l.bundle, VerifyOptions{TrustedPublicKey: l.bundle.PublicKey})
	if err != nil || !rep.OK || rep.Size != 10 || rep.CheckpointsVerified != 10 || rep.DecisionsVerified != 1 {
		t.Fatalf("clean log: %+v %v", rep, err)
	}

	// A changed entry (its stored leaf hash dropped so the checkpoint catches it).
	b := clone(l.bundle)
	b.Entries[3].Entry = strings.Replace(b.Entries[3].Entry, `"n":3`, `"n":4`, 1)
	wantBad(t, b, VerifyOptions{}, 3, "leaf hash")
	b.Entries[3].LeafHash = ""
	wantBad(t, b, VerifyOptions{}, 3, "differs from the signed checkpoint")

	// A deleted entry, and two swapped entries.
	b = clone(l.bundle)
	b.Entries = append(b.Entries[:2], b.Entries[3:]...)
	wantBad(t, b, VerifyOptions{}, 2, "missing or reordered")
	b = clone(l.bundle)
	b.Entries[1], b.Entries[2] = b.Entries[2], b.Entries[1]
	wantBad(t, b, VerifyOptions{}, 1, "missing or reordered")

	// Another key: it is none of the log's keys.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	wantBad(t, l.bundle, VerifyOptions{TrustedPublicKey: DIDKeyFromPublicKey(other)}, -1, "not one of the log's signing keys")

	// A stored decision edited after the fact.
	b = clone(l.bundle)
	b.Decisions[0].Record = json.RawMessage(strings.Replace(string(b.Decisions[0].Record), "looks right", "looks fine", 1))
	wantBad(t, b, VerifyOptions{}, 5, "stored decision differs")

	// A truncated log: the last checkpoint covers more than is present.
	b = clone(l.bundle)
	b.Entries = b.Entries[:7]
	wantBad(t, b, VerifyOptions{}, 7, "only 7 are present")
}

func TestVerifyPinnedCheckpoint(t *testing.T) {
	l := buildLog(t)
	pub, _ := PublicKeyFromDIDKey(l.bundle.PublicKey)
	trusted, err := OpenCheckpoint(l.bundle.Checkpoints[6], l.origin, pub)
	if err != nil || trusted.Size != 7 {
		t.Fatalf("checkpoint 7: %+v %v", trusted, err)
	}
	if _, err := Verify(l.bundle, VerifyOptions{Trusted: &trusted}); err != nil {
		t.Fatalf("log extends the trusted checkpoint: %v", err)
	}
	// A shorter log (entries and their checkpoints removed) fails naming the trusted size.
	b := clone(l.bundle)
	b.Entries, b.Checkpoints, b.Decisions = b.Entries[:5], b.Checkpoints[:5], nil
	if _, err := Verify(b, VerifyOptions{}); err != nil {
		t.Fatalf("a consistent prefix verifies on its own: %v", err)
	}
	wantBad(t, b, VerifyOptions{Trusted: &trusted}, 5, "fewer than the trusted checkpoint's size 7")
	// A fork: a different root at the trusted size.
	fork := trusted
	fork.Root = LeafHash([]byte("another history"))
	wantBad(t, l.bundle, VerifyOptions{Trusted: &fork}, 0, "differ from the trusted checkpoint of size 7")
}

func TestNotes(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	note, err := SignNote("humanos.ledger/x\n3\n"+strings.Repeat("A", 43)+"=\n", "humanos.ledger/x", key)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := OpenCheckpoint(note, "humanos.ledger/x", pub)
	if err != nil || cp.Size != 3 {
		t.Fatalf("%+v %v", cp, err)
	}
	if _, err := OpenCheckpoint(strings.Replace(note, "\n3\n", "\n4\n", 1), "humanos.ledger/x", pub); err == nil {
		t.Fatal("a changed size verified")
	}
	if _, err := OpenCheckpoint(note, "humanos.ledger/y", pub); err == nil {
		t.Fatal("another origin verified")
	}
	did := DIDKeyFromPublicKey(pub)
	back, err := PublicKeyFromDIDKey(did)
	if err != nil || !back.Equal(pub) || !strings.HasPrefix(did, "did:key:z6Mk") {
		t.Fatalf("did:key round trip: %s %v", did, err)
	}
	if !strings.HasPrefix(NoteVerifierKey("humanos.ledger/x", pub), "humanos.ledger/x+") {
		t.Fatal("verifier key")
	}
}
