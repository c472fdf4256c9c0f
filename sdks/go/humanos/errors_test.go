package humanos_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

func wantCode(t *testing.T, what string, err error, code string, status int) *humanos.Error {
	t.Helper()
	var herr *humanos.Error
	if !errors.As(err, &herr) {
		t.Fatalf("%s: want a *humanos.Error %s, got %v", what, code, err)
	}
	if herr.Code != code || herr.Status != status || herr.RequestID == "" || herr.Detail == "" {
		t.Fatalf("%s: want %d %s with a request id, got %d %s (%q, request %q)", what, status, code, herr.Status, herr.Code, herr.Detail, herr.RequestID)
	}
	return herr
}

// Typed errors from a real server: stable codes, statuses, problem bodies, request ids.
func TestTypedErrors(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	role := "reviewer_" + sfx
	_, agent := srv.Principal(t, "agent", "typed", nil)
	_, human := srv.Principal(t, "human", "rev", []string{role})

	bad := humanos.NewClient(humanos.WithBaseURL(srv.URL), humanos.WithAPIKey("hos_not-a-real-token"))
	_, err := bad.GetTask(ctx, "task:human:000000000000000000000000")
	wantCode(t, "bad token", err, "unauthorized", 401)
	if !errors.Is(err, humanos.ErrUnauthorized) {
		t.Fatal("errors.Is(ErrUnauthorized)")
	}

	_, err = agent.GetTask(ctx, "task:human:0123456789abcdef01234567")
	herr := wantCode(t, "unknown task", err, "not_found", 404)
	if herr.Problem["type"] != "urn:humanos:problem:not_found" || !strings.Contains(herr.Error(), "404 not_found") {
		t.Fatalf("problem body: %+v / %s", herr.Problem, herr.Error())
	}
	_, err = agent.GetTask(ctx, "nonsense")
	wantCode(t, "malformed id", err, "invalid_id", 400)

	_, err = agent.CreateTask(ctx, humanos.CreateTaskRequest{Description: ""})
	wantCode(t, "empty description", err, "validation_failed", 400)

	// Idempotency: the same key and body is the same task; another body with it is refused.
	req := humanos.CreateTaskRequest{Description: "Publish the release notes", IdempotencyKey: "key-" + sfx,
		HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role}}
	first, err := agent.CreateTask(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := agent.CreateTask(ctx, req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("replayed create: %v %v", again, err)
	}
	req.Description = "Publish other release notes"
	_, err = agent.CreateTask(ctx, req)
	wantCode(t, "reused key", err, "idempotency_key_reused", 409)

	// Who may decide.
	_, err = agent.Approve(ctx, first.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "me"})
	wantCode(t, "agent approves", err, "agent_cannot_decide", 403)
	_, err = human.Reject(ctx, first.ApprovalRequest.ID, humanos.RejectRequest{RejectionReason: "  "})
	wantCode(t, "blank rejection reason", err, "validation_failed", 400)
	_, err = human.Approve(ctx, first.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "ok", ApprovedBy: "did:human:someone-else"})
	wantCode(t, "approvedBy of another", err, "approved_by_mismatch", 403)
	ok, err := human.Approve(ctx, first.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "fine", IdempotencyKey: "go-approve-1"})
	if err != nil {
		t.Fatal(err)
	}
	// The same decision retried with its key gets the first answer back, not already_decided.
	replayed, err := human.Approve(ctx, first.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "fine", IdempotencyKey: "go-approve-1"})
	if err != nil || !replayed.ApprovedAt.Equal(ok.ApprovedAt) || replayed.Provenance.LedgerIndex != ok.Provenance.LedgerIndex {
		t.Fatalf("replayed approve: %+v %v", replayed, err)
	}
	_, err = human.Approve(ctx, first.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "again"})
	wantCode(t, "decided twice", err, "already_decided", 409)
	if !errors.Is(err, humanos.ErrAlreadyDecided) || errors.Is(err, humanos.ErrNotFound) {
		t.Fatal("errors.Is on sentinels")
	}
	// Cancel after approval but before execution works; then it is gone for good.
	if tk, err := agent.CancelTask(ctx, first.ID, "the release slipped"); err != nil || tk.Status != humanos.StatusCancelled {
		t.Fatalf("cancel: %+v %v", tk, err)
	}
	state, err := agent.WaitForApproval(ctx, first.ID)
	if err != nil || !state.Cancelled || state.Approved {
		t.Fatalf("after cancel: %+v %v", state, err)
	}
	_, err = agent.ExecuteTask(ctx, first.ID, humanos.ExecuteOptions{Handler: func(context.Context, *humanos.Execution) (any, error) { return nil, nil }})
	wantCode(t, "execute a cancelled task", err, "invalid_state", 409)

	// A network failure is typed too.
	down := humanos.NewClient(humanos.WithBaseURL("http://127.0.0.1:1"), humanos.WithRetries(0))
	_, err = down.GetTask(ctx, first.ID)
	if !errors.Is(err, humanos.ErrNetwork) {
		t.Fatalf("refused connection: %v", err)
	}
	var nerr *humanos.Error
	if !errors.As(err, &nerr) || nerr.Status != 0 || nerr.Unwrap() == nil {
		t.Fatalf("network error: %+v", nerr)
	}
}

// Retries: a create that meets 503s is retried with the same Idempotency-Key; a 4xx is not
// retried; a cancelled context stops at once. (A local stand-in server: failures on demand.)
func TestRetriesReuseTheIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	var requestIDs []string
	calls := 0
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/v1/humanos/tasks":
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			requestIDs = append(requestIDs, r.Header.Get("X-Request-Id"))
			if r.Header.Get("Authorization") != "Bearer tok" || !json.Valid(body) {
				w.WriteHeader(400)
				return
			}
			if len(keys) < 3 {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(503)
				_, _ = w.Write([]byte(`{"code":"unavailable","status":503,"detail":"restarting"}`))
				return
			}
			w.WriteHeader(201)
			_, _ = w.Write([]byte(`{"taskId":"task:human:0123456789abcdef01234567","status":"approved","policy":{"id":"built-in","version":1}}`))
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("X-Request-Id", "req-from-server")
			w.WriteHeader(409)
			_, _ = w.Write([]byte(`{"code":"already_decided","status":409,"detail":"approval x is already approved"}`))
		}
	}))
	defer stub.Close()
	c := humanos.NewClient(humanos.WithBaseURL(stub.URL), humanos.WithAPIKey("tok"), humanos.WithRetries(3))
	ctx := context.Background()
	task, err := c.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Restart the queue"})
	if err != nil || task.ID != "task:human:0123456789abcdef01234567" {
		t.Fatalf("create through 503s: %+v %v", task, err)
	}
	if len(keys) != 3 || keys[0] == "" || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Fatalf("idempotency keys across retries: %v", keys)
	}
	if requestIDs[0] == requestIDs[1] {
		t.Fatal("each attempt should carry its own request id")
	}
	calls = 0
	_, err = c.Approve(ctx, "approval:human:0123456789abcdef01234567", humanos.ApproveRequest{ApprovalReason: "x"})
	var herr *humanos.Error
	if !errors.As(err, &herr) || herr.Code != "already_decided" || herr.RequestID != "req-from-server" || calls != 1 {
		t.Fatalf("a 409 is final: %v (calls %d)", err, calls)
	}
	// Only 3 retries: a server that keeps failing gives the last error.
	keys = nil
	c2 := humanos.NewClient(humanos.WithBaseURL(stub.URL), humanos.WithAPIKey("tok"), humanos.WithRetries(1))
	_, err = c2.CreateTask(ctx, humanos.CreateTaskRequest{Description: "x"})
	if !errors.As(err, &herr) || herr.Code != "unavailable" || herr.Status != 503 || len(keys) != 2 {
		t.Fatalf("retries exhausted: %v (%d attempts)", err, len(keys))
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.GetTask(cctx, "task:human:0123456789abcdef01234567"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	tctx, cancel2 := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	if _, err := c.GetTask(tctx, "x"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired context: %v", err)
	}
}

func TestSafetyCheckSummary(t *testing.T) {
	got := humanos.SafetyCheck(humanos.RiskAssessment{Level: "medium", Factors: []string{"irreversible_action", "production_data"}},
		&humanos.PolicyApplied{ID: "built-in", Version: 1, Reason: "policy floor: medium risk requires human approval"})
	want := "risk medium (irreversible_action, production_data); no mitigations stated; policy built-in v1: policy floor: medium risk requires human approval"
	if got != want {
		t.Fatalf("got %q", got)
	}
}

func TestHITLConfigWire(t *testing.T) {
	b, _ := json.Marshal(humanos.HITLConfig{ApproverRole: "x"})
	if string(b) != `{"approverRole":"x"}` {
		t.Fatalf("unset Enabled must not be sent as false: %s", b)
	}
	b, _ = json.Marshal(humanos.HITLConfig{Disable: true})
	if string(b) != `{"enabled":false}` {
		t.Fatalf("Disable: %s", b)
	}
	b, _ = json.Marshal(humanos.HITLConfig{Enabled: true, ApprovalTimeout: 600, RequireExplicitReason: true})
	if string(b) != `{"enabled":true,"approvalTimeout":600,"requireExplicitReason":true}` {
		t.Fatalf("seed config: %s", b)
	}
}
