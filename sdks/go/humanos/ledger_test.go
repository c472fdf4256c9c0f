package humanos_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
	"github.com/human/sdk-go/ledger"
)

// The Go verifier on the server's real export: it verifies; a decision's provenance checks out with
// only the public key; a tampered export is caught at the tampered index; checkpoint pinning holds
// across growth and refuses a shorter log naming its size.
func TestLedgerVerifyRealExport(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	role := "auditor_" + sfx
	_, agent := srv.Principal(t, "agent", "ledger", nil)
	humanID, human := srv.Principal(t, "human", "ledger", []string{role})

	keyInfo, err := agent.LedgerPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keyInfo.Ed25519()
	if err != nil {
		t.Fatal(err)
	}
	before, err := agent.LedgerCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Rotate the signing key",
		Payload: map[string]any{"note": "é — \u2028 \"quoted\"", "n": 1.5e-7}, HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := human.Approve(ctx, task.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "scheduled rotation " + sfx, Feedback: "ok", Edits: map[string]any{"n": 2}})
	if err != nil {
		t.Fatal(err)
	}

	// Provenance, with only the public key: the checkpoint is signed, the decision record is signed,
	// and the entry is in the log the checkpoint commits to.
	p := res.Provenance
	cp, err := ledger.OpenCheckpoint(p.Checkpoint, keyInfo.Origin, pub)
	if err != nil || int64(cp.Size) != p.TreeSize {
		t.Fatalf("provenance checkpoint: %+v %v", cp, err)
	}
	feedback := "ok"
	record := ledger.DecisionRecord{Type: "humanos.decision/v1", Origin: keyInfo.Origin, ApprovalID: res.ApprovalID, TaskID: task.ID,
		Verdict: "approved", DecidedBy: humanID, DecidedAt: res.ApprovedAt.UTC().Format("2006-01-02T15:04:05.000Z"), Reason: "scheduled rotation " + sfx,
		Feedback: &feedback, Edits: json.RawMessage(`{"n":2}`), PayloadDigest: res.PayloadDigest}
	if !ledger.VerifyDecisionSignature(record, p.ApprovalSignature, pub) {
		t.Fatal("the decision record's signature does not verify")
	}
	record.Reason = "another reason"
	if ledger.VerifyDecisionSignature(record, p.ApprovalSignature, pub) {
		t.Fatal("a changed record verified")
	}

	raw, err := srv.Admin.ExportLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ledger.ParseExport(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	report, err := ledger.Verify(b, ledger.VerifyOptions{TrustedPublicKey: keyInfo.PublicKey})
	if err != nil || !report.OK || report.Size != int64(len(b.Entries)) || report.DecisionsVerified == 0 || report.CheckpointsVerified == 0 {
		t.Fatalf("real export: %+v %v", report, err)
	}
	entry := b.Entries[p.LedgerIndex]
	proof := make([][]byte, len(p.InclusionProof))
	for i, h := range p.InclusionProof {
		proof[i], _ = ledger.DecodeHex(h)
	}
	if err := ledger.VerifyInclusion(uint64(p.LedgerIndex), cp.Size, ledger.LeafHash([]byte(entry.Entry)), proof, cp.Root); err != nil {
		t.Fatalf("inclusion of the decision: %v", err)
	}
	if !strings.Contains(entry.Entry, `"type":"approval.decided"`) {
		t.Fatalf("entry %d is not the decision: %s", p.LedgerIndex, entry.Entry)
	}

	// Tampering: change the decision's reason inside the exported entry.
	tampered := bytes.Replace(raw, []byte("scheduled rotation "+sfx), []byte("scheduled rotatiom "+sfx), 1)
	tb, err := ledger.ParseExport(bytes.NewReader(tampered))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ledger.Verify(tb, ledger.VerifyOptions{TrustedPublicKey: keyInfo.PublicKey})
	var bad *ledger.VerificationError
	if !errors.As(err, &bad) || bad.Index != p.LedgerIndex {
		t.Fatalf("tampered export: want bad at %d, got %v", p.LedgerIndex, err)
	}
	// The same without the stored leaf hashes: the signed checkpoints still catch it.
	var stripped bytes.Buffer
	for _, line := range bytes.Split(tampered, []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil && m["type"] == "entry" {
			delete(m, "leafHash")
			line, _ = json.Marshal(m)
		}
		stripped.Write(line)
		stripped.WriteByte('\n')
	}
	sb, err := ledger.ParseExport(&stripped)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ledger.Verify(sb, ledger.VerifyOptions{TrustedPublicKey: keyInfo.PublicKey})
	if !errors.As(err, &bad) || bad.Index > p.LedgerIndex {
		t.Fatalf("tampered export without leaf hashes: %v", err)
	}
	// Another key proves nothing.
	_, err = ledger.Verify(b, ledger.VerifyOptions{TrustedPublicKey: ledger.DIDKeyFromPublicKey(make([]byte, 32))})
	if !errors.As(err, &bad) || bad.Reason != "the trusted public key is not one of the log's signing keys" {
		t.Fatalf("wrong key: %v", err)
	}

	// Pinning: the checkpoint from before this test still holds; the client proves consistency.
	report, err = srv.Admin.VerifyLedger(ctx, humanos.VerifyLedgerOptions{TrustedPublicKey: keyInfo.PublicKey, TrustedCheckpoint: before.Checkpoint})
	if err != nil || !report.OK {
		t.Fatalf("pinned verification: %+v %v", report, err)
	}
	latest, err := srv.Admin.CheckConsistency(ctx, before.Checkpoint, pub)
	if err != nil || int64(latest.Size) < before.Size+2 {
		t.Fatalf("consistency from the pinned checkpoint: %+v %v", latest, err)
	}
	// A log cut back below the trusted size fails, naming the size.
	beforeCP, _ := ledger.OpenCheckpoint(before.Checkpoint, keyInfo.Origin, pub)
	short := &ledger.Bundle{Origin: b.Origin, PublicKey: b.PublicKey, Entries: b.Entries[:beforeCP.Size-1]}
	for _, note := range b.Checkpoints {
		if c, err := ledger.ParseCheckpoint(note); err == nil && c.Size < beforeCP.Size {
			short.Checkpoints = append(short.Checkpoints, note)
		}
	}
	for _, d := range b.Decisions {
		if d.LedgerIndex < int64(beforeCP.Size-1) {
			short.Decisions = append(short.Decisions, d)
		}
	}
	if _, err := ledger.Verify(short, ledger.VerifyOptions{TrustedPublicKey: keyInfo.PublicKey}); err != nil {
		t.Fatalf("the cut log is self-consistent: %v", err)
	}
	_, err = ledger.Verify(short, ledger.VerifyOptions{TrustedPublicKey: keyInfo.PublicKey, Trusted: &beforeCP})
	if !errors.As(err, &bad) || !strings.Contains(bad.Reason, "trusted checkpoint's size") || !strings.Contains(bad.Reason, "size "+itoa(beforeCP.Size)) {
		t.Fatalf("shorter than the pinned checkpoint: %v", err)
	}

	// A non-auditor cannot export.
	if _, err := agent.ExportLedger(ctx); !errors.Is(err, humanos.ErrForbidden) {
		t.Fatalf("agent export: %v", err)
	}
	hist, err := agent.TaskHistory(ctx, task.ID)
	if err != nil || len(hist.Events) < 3 || !hist.Events[0].Verified {
		t.Fatalf("history: %+v %v", hist, err)
	}
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
