package humanos_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

const (
	ibanDE = "DE89370400440532013000"
	ibanGB = "GB33BUKB20201555555555"
)

// Issue 22 against a real server: Ann reads a 2-of-N payment (IBAN DE…), Mal approves it with the
// IBAN changed; Ann's approval of her view is a *StalePayloadError with the current payload and
// the diff, and changes nothing; by id without a digest it is a *PayloadDigestRequiredError; with
// the current digest it counts.
func TestStaleViewIsRefusedAndCurrentCounts(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "treasury_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "payer", nil)
	annID, ann := srv.Principal(t, "human", "ann", []string{role})
	_, mal := srv.Principal(t, "human", "mal", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description:    "Pay supplier invoice 2231",
		ApprovalPolicy: &humanos.ApprovalPolicy{Required: 2, Eligible: []string{role}},
		Payload:        map[string]any{"iban": ibanDE, "amount": 5000},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := task.ApprovalRequest.ID
	seen, err := ann.GetApproval(ctx, id)
	if err != nil || len(seen.CurrentDigest) != len("sha256:")+64 {
		t.Fatalf("view: %v %+v", err, seen)
	}
	malView, err := mal.GetApproval(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mal.ApproveView(ctx, malView, humanos.ApproveRequest{ApprovalReason: "moved banks", Edits: map[string]any{"iban": ibanGB}}); err != nil {
		t.Fatal(err)
	}
	before, err := srv.Admin.GetApproval(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	_, err = ann.ApproveView(ctx, seen, humanos.ApproveRequest{ApprovalReason: "IBAN checked"})
	var stale *humanos.StalePayloadError
	if !errors.As(err, &stale) || !errors.Is(err, humanos.ErrStalePayload) {
		t.Fatalf("want a *StalePayloadError, got %v", err)
	}
	var herr *humanos.Error
	if !errors.As(err, &herr) || herr.Status != 409 || herr.Code != "stale_payload" {
		t.Fatalf("underlying error: %+v", herr)
	}
	if stale.SeenDigest != seen.CurrentDigest || stale.CurrentDigest != before.CurrentDigest || stale.CurrentDigest == seen.CurrentDigest {
		t.Fatalf("digests: seen %s current %s (view %s, now %s)", stale.SeenDigest, stale.CurrentDigest, seen.CurrentDigest, before.CurrentDigest)
	}
	if stale.CurrentPayload["iban"] != ibanGB || len(stale.Diff) != 1 || stale.Diff[0].Path != "/iban" ||
		string(stale.Diff[0].From) != `"`+ibanDE+`"` || string(stale.Diff[0].To) != `"`+ibanGB+`"` {
		t.Fatalf("current payload / diff: %+v %+v", stale.CurrentPayload, stale.Diff)
	}
	_, err = ann.Approve(ctx, id, humanos.ApproveRequest{ApprovalReason: "ok"})
	var required *humanos.PayloadDigestRequiredError
	if !errors.As(err, &required) || required.APIError.Status != 428 {
		t.Fatalf("want a *PayloadDigestRequiredError, got %v", err)
	}
	after, err := srv.Admin.GetApproval(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Approvals != 1 || after.Status != "pending" || len(after.Decisions) != len(before.Decisions) {
		t.Fatalf("something was written: %+v", after)
	}
	for _, d := range after.Decisions {
		if d.Principal == annID {
			t.Fatalf("Ann's stale approval was recorded: %+v", d)
		}
	}

	res, err := ann.Approve(ctx, id, humanos.ApproveRequest{ApprovalReason: "new IBAN confirmed", PayloadDigest: stale.CurrentDigest})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "approved" || res.PayloadDigest != stale.CurrentDigest {
		t.Fatalf("approval of the current version: %+v", res)
	}
}

// The wire without a server: ApproveView and RejectView send the view's digest (an explicit one
// wins), and a stale_payload answer without a diff reads as Diff == nil.
func TestViewDigestOnTheWire(t *testing.T) {
	var bodies []map[string]any
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var b map[string]any
		_ = json.Unmarshal(raw, &b)
		bodies = append(bodies, b)
		if len(bodies) < 3 {
			_, _ = w.Write([]byte(`{"approvalId":"g","status":"approved"}`))
			return
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(409)
		_, _ = w.Write([]byte(`{"type":"urn:humanos:problem:stale_payload","title":"t","status":409,"code":"stale_payload","detail":"d","seenDigest":"sha256:a","currentDigest":"sha256:b","currentPayload":{"x":1},"diff":null}`))
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	c := humanos.NewClient(humanos.WithBaseURL(ts.URL), humanos.WithAPIKey("k"))
	ctx := testCtx(t)
	view := &humanos.ApprovalRequest{ID: "approval:human:x", CurrentDigest: "sha256:seen"}
	if _, err := c.ApproveView(ctx, view, humanos.ApproveRequest{ApprovalReason: "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RejectView(ctx, view, humanos.RejectRequest{RejectionReason: "no", PayloadDigest: "sha256:mine"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.ApproveView(ctx, view, humanos.ApproveRequest{})
	var stale *humanos.StalePayloadError
	if !errors.As(err, &stale) || stale.Diff != nil || !reflect.DeepEqual(stale.CurrentPayload, map[string]any{"x": float64(1)}) {
		t.Fatalf("stale: %v %+v", err, stale)
	}
	want := []map[string]any{
		{"payloadDigest": "sha256:seen", "approvalReason": "ok"},
		{"payloadDigest": "sha256:mine", "rejectionReason": "no"},
		{"payloadDigest": "sha256:seen"},
	}
	if !reflect.DeepEqual(bodies, want) {
		t.Fatalf("bodies: %+v", bodies)
	}
}
