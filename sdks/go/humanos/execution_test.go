package humanos_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// approvedTask creates a task with capabilities caps and has a human approve it.
// The gate's role is role ("" for a fresh one): its holders can see the task.
func approvedTask(ctx context.Context, t *testing.T, srv *testserver.Server, agent *humanos.Client, desc string, caps []string, role string) *humanos.CreatedTask {
	t.Helper()
	if role == "" {
		role = "approver_" + testserver.Suffix()
	}
	_, approver := srv.Principal(t, "human", "appr", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: desc, RequiredCapabilities: caps, Payload: map[string]any{"rows": 120},
		HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := approver.Approve(ctx, task.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "ok"}); err != nil {
		t.Fatal(err)
	}
	return task
}

// A worker runs a task; a human overrides it mid-run: the handler's context is cancelled with
// task_overridden, the worker reports nothing, and the human finishes the task.
func TestWorkerOverridden(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	capability := "reconcile_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "reconciler", nil)
	_, executor := srv.Principal(t, "agent", "worker", []string{"executor"})
	opsRole := "ops_" + testserver.Suffix()
	humanID, human := srv.Principal(t, "human", "ops", []string{opsRole})
	task := approvedTask(ctx, t, srv, agent, "Reconcile ledger accounts", []string{capability}, opsRole)

	started := make(chan *humanos.Execution, 1)
	cause := make(chan error, 1)
	errs := make(chan error, 10)
	var done atomic.Int32
	w := &humanos.Worker{
		Client: executor, Capabilities: []string{capability}, PollInterval: 100 * time.Millisecond,
		LeaseSeconds: 10, HeartbeatInterval: 200 * time.Millisecond,
		Handler: func(hctx context.Context, ex *humanos.Execution) (any, error) {
			started <- ex
			<-hctx.Done()
			cause <- context.Cause(hctx)
			return nil, hctx.Err()
		},
		OnError: func(err error) { errs <- err },
		OnDone:  func(*humanos.Task) { done.Add(1) },
	}
	wctx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- w.Run(wctx) }()

	var ex *humanos.Execution
	select {
	case ex = <-started:
	case <-ctx.Done():
		t.Fatal("the worker never claimed the task")
	}
	if ex.TaskID != task.ID || ex.Payload["rows"] != float64(120) || ex.ExecutionID == "" || ex.LeaseID == "" || ex.Grant.PayloadDigest != ex.PayloadDigest {
		t.Fatalf("execution: %+v", ex)
	}
	key, err := agent.LedgerPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := key.Ed25519()
	if err != nil || !ex.Grant.Verify(pub) {
		t.Fatalf("the execution grant does not verify with the ledger key (%v)", err)
	}
	// The requester may not take over; a human may.
	if _, err := agent.OverrideTask(ctx, task.ID, humanos.OverrideRequest{Reason: "x"}); !errors.Is(err, humanos.ErrAgentCannotDecide) {
		t.Fatalf("agent override: %v", err)
	}
	ov, err := human.OverrideTask(ctx, task.ID, humanos.OverrideRequest{Reason: "numbers look off; I will finish by hand"})
	if err != nil || ov.Status != humanos.StatusOverridden || ov.OverriddenBy != humanID {
		t.Fatalf("override: %+v %v", ov, err)
	}
	select {
	case c := <-cause:
		if !errors.Is(c, humanos.ErrTaskOverridden) {
			t.Fatalf("handler context cancelled with %v, want task_overridden", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was not cancelled after the override")
	}
	select {
	case err := <-errs:
		var herr *humanos.Error
		if !errors.As(err, &herr) || herr.Code != "task_overridden" || herr.Status != 409 {
			t.Fatalf("worker error: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not report the override")
	}
	// The stopped executor can no longer complete.
	if _, err := executor.CompleteTask(ctx, task.ID, "late", humanos.FinishOptions{LeaseID: ex.LeaseID}); !errors.Is(err, humanos.ErrTaskOverridden) {
		t.Fatalf("late completion: %v", err)
	}
	// The waiting requester sees the human's completion.
	waited := make(chan *humanos.Task, 1)
	go func() {
		tk, err := agent.ExecuteTask(ctx, task.ID)
		if err != nil {
			t.Errorf("ExecuteTask: %v", err)
		}
		waited <- tk
	}()
	time.Sleep(300 * time.Millisecond)
	if _, err := human.CompleteTask(ctx, task.ID, map[string]any{"fixedBy": humanID}); err != nil {
		t.Fatal(err)
	}
	tk := <-waited
	if tk == nil || tk.Status != humanos.StatusCompleted || tk.OverriddenBy != humanID {
		t.Fatalf("finished task: %+v", tk)
	}
	stop()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	if done.Load() != 0 {
		t.Fatal("the worker reported an overridden task as done")
	}
}

// Graceful shutdown: cancelling Run's context lets the running handler finish and complete.
func TestWorkerGracefulShutdown(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	capability := "export_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "exporter", nil)
	_, executor := srv.Principal(t, "agent", "worker", []string{"executor"})
	task := approvedTask(ctx, t, srv, agent, "Export the quarterly report", []string{capability}, "")
	started := make(chan struct{})
	release := make(chan struct{})
	w := &humanos.Worker{
		Client: executor, Capabilities: []string{capability}, Concurrency: 2, PollInterval: 100 * time.Millisecond,
		Handler: func(hctx context.Context, ex *humanos.Execution) (any, error) {
			close(started)
			<-release
			if hctx.Err() != nil {
				return nil, hctx.Err()
			}
			return "exported", nil
		},
	}
	wctx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- w.Run(wctx) }()
	<-started
	stop()
	select {
	case <-runDone:
		t.Fatal("Run returned while a handler was still running")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	tk, err := agent.GetTask(ctx, task.ID)
	if err != nil || tk.Status != humanos.StatusCompleted || string(tk.Result) != `"exported"` {
		t.Fatalf("after shutdown: %+v %v", tk, err)
	}
}

// The caller executes with a handler: success completes, an error fails the task; without a
// handler a task no worker can claim is refused at once.
func TestExecuteWithHandler(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	_, agent := srv.Principal(t, "agent", "mailer", nil)

	task := approvedTask(ctx, t, srv, agent, "Send the Q4 email to the team", nil, "")
	if _, err := agent.ExecuteTask(ctx, task.ID); !errors.Is(err, humanos.ErrNoExecutor) {
		t.Fatalf("no capabilities, no handler: %v", err)
	}
	var reports int
	done, err := agent.ExecuteTask(ctx, task.ID, humanos.ExecuteOptions{
		HeartbeatInterval: 100 * time.Millisecond,
		Handler: func(hctx context.Context, ex *humanos.Execution) (any, error) {
			c := 0.9
			if err := ex.Report(hctx, humanos.Progress{Confidence: &c, Progress: "sent 10 of 12"}); err != nil {
				return nil, err
			}
			reports++
			time.Sleep(250 * time.Millisecond) // a few heartbeats
			return map[string]any{"sent": 12}, nil
		},
	})
	if err != nil || done.Status != humanos.StatusCompleted || string(done.Result) != `{"sent":12}` || reports != 1 {
		t.Fatalf("handler run: %+v %v", done, err)
	}
	if done.Confidence == nil || *done.Confidence != 0.9 {
		t.Fatalf("reported confidence not recorded: %v", done.Confidence)
	}

	failing := approvedTask(ctx, t, srv, agent, "Send the Q1 email to the team", nil, "")
	boom := errors.New("smtp refused")
	_, err = agent.ExecuteTask(ctx, failing.ID, humanos.ExecuteOptions{Handler: func(context.Context, *humanos.Execution) (any, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("handler error: %v", err)
	}
	tk, err := agent.GetTask(ctx, failing.ID)
	if err != nil || tk.Status != humanos.StatusFailed || string(tk.Error) != `{"message":"smtp refused"}` {
		t.Fatalf("failed task: %+v %v", tk, err)
	}
	// Waiting on a failed task reports the failure.
	if _, err := agent.ExecuteTask(ctx, failing.ID); !errors.Is(err, humanos.ErrTaskFailed) {
		t.Fatalf("waiting on a failed task: %v", err)
	}
}

// Under all_decisions an in-run decision opens a gate the handler waits on; the human's edit is
// what the handler acts on. A rejected decision says not to go ahead.
func TestInRunDecisions(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "data_lead_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "migrator", nil)
	_, human := srv.Principal(t, "human", "lead", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Migrate the orders table",
		HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role, ApprovalRequired: "all_decisions", ApprovalTimeout: 120},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := human.Approve(ctx, task.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "go"}); err != nil {
		t.Fatal(err)
	}
	decided := make(chan struct{})
	go func() {
		defer close(decided)
		for i, verdict := range []string{"approve", "reject"} {
			var gate humanos.ApprovalRequest
			for gate.ID == "" || gate.Kind != "decision" {
				gate = testserver.PendingGate(ctx, t, human, task.ID)
				if ctx.Err() != nil {
					return
				}
			}
			var err error
			if verdict == "approve" {
				_, err = human.Approve(ctx, gate.ID, humanos.ApproveRequest{ApprovalReason: "batch size is fine", Edits: map[string]any{"batch": 500}})
			} else {
				_, err = human.Reject(ctx, gate.ID, humanos.RejectRequest{RejectionReason: "never drop it"})
			}
			if err != nil {
				t.Errorf("decision %d: %v", i, err)
				return
			}
		}
	}()
	var first, second *humanos.InRunOutcome
	done, err := agent.ExecuteTask(ctx, task.ID, humanos.ExecuteOptions{Handler: func(hctx context.Context, ex *humanos.Execution) (any, error) {
		c := 0.8
		var err error
		if first, err = ex.SubmitDecision(hctx, humanos.InRunDecision{Action: "copy rows in batches", Confidence: &c, Payload: map[string]any{"batch": 5000}}); err != nil {
			return nil, err
		}
		if second, err = ex.SubmitDecision(hctx, humanos.InRunDecision{Action: "drop the old table", Payload: map[string]any{"table": "orders_old"}}); err != nil {
			return nil, err
		}
		return map[string]any{"batch": first.Payload["batch"]}, nil
	}})
	<-decided
	if err != nil {
		t.Fatal(err)
	}
	if !first.Approved || first.AutoApproved || first.Payload["batch"] != float64(500) {
		t.Fatalf("first decision: %+v", first)
	}
	if second.Approved || !second.Decided || second.Status != "rejected" {
		t.Fatalf("second decision: %+v", second)
	}
	if done.Status != humanos.StatusCompleted || string(done.Result) != `{"batch":500}` {
		t.Fatalf("task: %s %s", done.Status, done.Result)
	}
}

// ExecuteTask without a Handler refuses a payload that is not the approved one (409
// payload_mismatch) before waiting for workers; nothing runs and nothing is written. The approved
// payload (keys in any order) is accepted.
func TestExecuteTaskWithoutHandlerRefusesAnotherPayload(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	_, agent := srv.Principal(t, "agent", "payer", nil)
	task := approvedTask(ctx, t, srv, agent, "Export rows", []string{"export_" + testserver.Suffix()}, "")
	before, err := agent.LedgerCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = agent.ExecuteTask(ctx, task.ID, humanos.ExecuteOptions{Payload: map[string]any{"rows": 120000}, Timeout: 5 * time.Second})
	var herr *humanos.Error
	if !errors.As(err, &herr) || !errors.Is(err, humanos.ErrPayloadMismatch) || herr.Status != 409 {
		t.Fatalf("want 409 payload_mismatch, got %v", err)
	}
	after, err := agent.GetTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != humanos.StatusApproved || herr.Problem["approvedDigest"] != after.PayloadDigest {
		t.Fatalf("task after the refusal: %s (digest %s, problem %v)", after.Status, after.PayloadDigest, herr.Problem)
	}
	if cp, err := agent.LedgerCheckpoint(ctx); err != nil || cp.Size != before.Size {
		t.Fatalf("the ledger grew from %d: %+v %v", before.Size, cp, err)
	}
	_, err = agent.ExecuteTask(ctx, task.ID, humanos.ExecuteOptions{Payload: map[string]any{"rows": 120}, Timeout: 300 * time.Millisecond})
	if !errors.Is(err, humanos.ErrTimeout) {
		t.Fatalf("the approved payload should wait for the workers, got %v", err)
	}
}
