package humanos_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// The seed's flow on a Client: create with HITL, wait (the approver goroutine decides), and
// execute through a capability worker; RequireExplicitReason is enforced on the approver.
func TestSeedFlowApprovedWithReasonEnforced(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	role, capA, capB := "senior_engineer_"+sfx, "devops_"+sfx, "kubernetes_"+sfx
	_, agent := srv.Principal(t, "agent", "deployer", nil)
	approverID, approver := srv.Principal(t, "human", "ann", []string{role})
	_, executor := srv.Principal(t, "agent", "runner", []string{"executor"})

	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description:          "Deploy billing to production",
		RequiredCapabilities: []string{capA, capB},
		Payload:              map[string]any{"service": "billing", "version": "v1.2.3", "replicas": 3},
		AIProposal:           &humanos.AIProposal{Action: "kubectl rollout billing v1.2.3", Confidence: 0.87, Alternatives: []string{"canary first"}},
		HumanInLoop: &humanos.HITLConfig{
			Enabled: true, ApprovalRequired: "before_execution", ApproverRole: role,
			ApprovalTimeout: 600, RequireExplicitReason: true,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if task.ID == "" || task.ID != task.TaskID || task.Status != humanos.StatusAwaitingApproval || task.ApprovalRequest == nil {
		t.Fatalf("created task: %+v", task)
	}
	if task.ApprovalRequest.AIProposal.Confidence != 0.87 || !task.ApprovalRequest.AIProposal.HasConfidence {
		t.Fatalf("confidence: %+v", task.ApprovalRequest.AIProposal)
	}

	// The worker that runs the approved deploy.
	var handled []map[string]any
	var mu sync.Mutex
	wctx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan error, 1)
	go func() {
		w := &humanos.Worker{Client: executor, Capabilities: []string{capA, capB, "unused_" + sfx}, PollInterval: 100 * time.Millisecond,
			Handler: func(ctx context.Context, ex *humanos.Execution) (any, error) {
				mu.Lock()
				handled = append(handled, ex.Payload)
				mu.Unlock()
				return map[string]any{"deployed": ex.Payload["version"], "executionId": ex.ExecutionID}, nil
			}}
		workerDone <- w.Run(wctx)
	}()

	// The approver: first without a reason (refused), then with one and an edit.
	approverErr := make(chan error, 1)
	go func() {
		gate := testserver.PendingGate(ctx, t, approver, task.ID)
		_, err := approver.Approve(ctx, gate.ID, humanos.ApproveRequest{})
		var herr *humanos.Error
		if !errors.As(err, &herr) || herr.Code != "validation_failed" || herr.Status != 400 || herr.RequestID == "" ||
			!strings.Contains(herr.Detail, "approvalReason") || !errors.Is(err, humanos.ErrValidationFailed) {
			approverErr <- errors.New("approve without a reason: want validation_failed, got " + errString(err))
			return
		}
		res, err := approver.Approve(ctx, gate.ID, humanos.ApproveRequest{ApprovalReason: "change window is open", Edits: map[string]any{"replicas": 5}})
		if err == nil && (res.Status != "approved" || res.TaskStatus != humanos.StatusApproved || res.Provenance.ApprovalSignature == "" || res.ApprovedBy != approverID) {
			err = errors.New("unexpected approve answer")
		}
		approverErr <- err
	}()

	var requests []humanos.ApprovalRequest
	approval, err := agent.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{
		OnApprovalRequest: func(req humanos.ApprovalRequest) { requests = append(requests, req) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-approverErr; err != nil {
		t.Fatal(err)
	}
	if !approval.Approved || !approval.Decided || approval.ApprovedBy != approverID || approval.ApprovalReason != "change window is open" {
		t.Fatalf("approval: %+v", approval)
	}
	if approval.ApprovedPayload["replicas"] != float64(5) || approval.Edits["replicas"] != float64(5) {
		t.Fatalf("the edit is not in the approved payload: %+v", approval.ApprovedPayload)
	}
	if len(requests) != 1 {
		t.Fatalf("OnApprovalRequest called %d times, want 1", len(requests))
	}
	req := requests[0]
	if req.AIProposal.Confidence != 0.87 || req.ApproverRole != role ||
		!strings.Contains(req.AISafetyCheck, "risk ") || !strings.Contains(req.AISafetyCheck, "policy ") {
		t.Fatalf("approval request: confidence %v, role %s, safety check %q", req.AIProposal.Confidence, req.ApproverRole, req.AISafetyCheck)
	}

	result, err := agent.ExecuteTask(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Deployed    string `json:"deployed"`
		ExecutionID string `json:"executionId"`
	}
	if result.Status != humanos.StatusCompleted || result.DecodeResult(&out) != nil || out.Deployed != "v1.2.3" || out.ExecutionID == "" {
		t.Fatalf("executed task: %s %s", result.Status, result.Result)
	}
	mu.Lock()
	if len(handled) != 1 || handled[0]["replicas"] != float64(5) {
		t.Fatalf("worker ran %v, want the edited payload once", handled)
	}
	mu.Unlock()
	stopWorker()
	if err := <-workerDone; err != nil {
		t.Fatal(err)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestRejected(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	role := "dba_lead_" + sfx
	_, agent := srv.Principal(t, "agent", "cleaner", nil)
	approverID, approver := srv.Principal(t, "human", "bob", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description:          "Delete production database backup older than 90 days",
		RequiredCapabilities: []string{"database_administration_" + sfx},
		HumanInLoop:          &humanos.HITLConfig{Enabled: true, ApproverRole: role, ApprovalTimeout: 60},
	})
	if err != nil {
		t.Fatal(err)
	}
	rejected := make(chan struct{})
	go func() {
		defer close(rejected)
		gate := testserver.PendingGate(ctx, t, approver, task.ID)
		if _, err := approver.Reject(ctx, gate.ID, humanos.RejectRequest{RejectionReason: "backup is still referenced by the audit"}); err != nil {
			t.Errorf("reject: %v", err)
		}
	}()
	approval, err := agent.WaitForApproval(ctx, task.ID)
	<-rejected
	if err != nil {
		t.Fatal(err)
	}
	if approval.Approved || !approval.Decided || approval.Status != humanos.StatusRejected ||
		approval.RejectedBy != approverID || approval.RejectionReason != "backup is still referenced by the audit" || approval.ApprovedBy != "" {
		t.Fatalf("rejection: %+v", approval)
	}
	_, err = agent.ExecuteTask(ctx, task.ID)
	if !errors.Is(err, humanos.ErrInvalidState) {
		t.Fatalf("executing a rejected task: want invalid_state, got %v", err)
	}
	// With a handler the server itself refuses.
	_, err = agent.ExecuteTask(ctx, task.ID, humanos.ExecuteOptions{Handler: func(context.Context, *humanos.Execution) (any, error) { return nil, nil }})
	var herr *humanos.Error
	if !errors.As(err, &herr) || herr.Code != "invalid_state" || herr.Status != 409 {
		t.Fatalf("server-side: want 409 invalid_state, got %v", err)
	}
}

// A two-step chain: each step's gate is announced, the second step cannot be decided first, and
// the outcome names both approvers.
func TestChain(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	roleA, roleB := "manager_"+sfx, "cfo_"+sfx
	_, agent := srv.Principal(t, "agent", "payer", nil)
	aID, a := srv.Principal(t, "human", "mia", []string{roleA})
	bID, b := srv.Principal(t, "human", "cho", []string{roleB})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description:   "Wire $250,000 to ACME",
		Payload:       map[string]any{"amount": 250000},
		ApprovalChain: []humanos.ChainStep{{Role: roleA, Reason: "budget owner"}, {Role: roleB, Timeout: 300}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(task.ApprovalChain) != 2 || task.ApprovalChain[1].Status != "waiting" {
		t.Fatalf("chain: %+v", task.ApprovalChain)
	}
	// Step 2 before step 1: out of turn.
	_, err = b.Approve(ctx, task.ApprovalChain[1].ID, humanos.ApproveRequest{ApprovalReason: "fine"})
	if !errors.Is(err, humanos.ErrOutOfTurn) {
		t.Fatalf("out-of-turn approve: %v", err)
	}
	// Each human decides once the waiter has announced their step (as people do: they are told).
	announced := make(chan string, 4)
	approverDone := make(chan struct{})
	go func() {
		defer close(approverDone)
		for _, step := range []struct {
			c      *humanos.Client
			role   string
			reason string
		}{{a, roleA, "in budget"}, {b, roleB, "vendor verified"}} {
			select {
			case r := <-announced:
				if r != step.role {
					t.Errorf("announced %s, want %s", r, step.role)
					return
				}
			case <-ctx.Done():
				t.Errorf("step %s never announced", step.role)
				return
			}
			g := testserver.PendingGate(ctx, t, step.c, task.ID)
			if _, err := step.c.Approve(ctx, g.ID, humanos.ApproveRequest{ApprovalReason: step.reason}); err != nil {
				t.Errorf("step %s: %v", step.role, err)
				return
			}
		}
	}()
	var roles []string
	approval, err := agent.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{
		OnApprovalRequest: func(req humanos.ApprovalRequest) {
			roles = append(roles, req.ApproverRole)
			announced <- req.ApproverRole
		},
	})
	<-approverDone
	if err != nil {
		t.Fatal(err)
	}
	if !approval.Approved || approval.ApprovedBy != bID || approval.ApprovalReason != "vendor verified" ||
		len(approval.Approvers) != 2 || approval.Approvers[0] != aID || approval.Approvers[1] != bID {
		t.Fatalf("chain outcome: %+v", approval)
	}
	if len(roles) != 2 || roles[0] != roleA || roles[1] != roleB {
		t.Fatalf("announced gates: %v", roles)
	}
}

// A 2-of-N quorum: one approval leaves the gate pending, the same person cannot sit twice.
func TestQuorum(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	sfx := testserver.Suffix()
	role := "security_" + sfx
	_, agent := srv.Principal(t, "agent", "iam-bot", nil)
	_, q1 := srv.Principal(t, "human", "q1", []string{role})
	q2ID, q2 := srv.Principal(t, "human", "q2", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description:    "Grant prod IAM role to the data team",
		ApprovalPolicy: &humanos.ApprovalPolicy{Required: 2, Eligible: []string{role}},
	})
	if err != nil {
		t.Fatal(err)
	}
	gateID := task.ApprovalRequest.ID
	if task.ApprovalRequest.Required != 2 {
		t.Fatalf("required: %d", task.ApprovalRequest.Required)
	}
	first, err := q1.Approve(ctx, gateID, humanos.ApproveRequest{ApprovalReason: "scoped to read-only"})
	if err != nil || first.Status != "pending" || first.TaskStatus != humanos.StatusAwaitingApproval {
		t.Fatalf("first of two: %+v %v", first, err)
	}
	if _, err := q1.Approve(ctx, gateID, humanos.ApproveRequest{ApprovalReason: "again"}); !errors.Is(err, humanos.ErrAlreadySeated) {
		t.Fatalf("same person twice: %v", err)
	}
	state, err := agent.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{Timeout: 1500 * time.Millisecond})
	if err != nil || state.Decided || !state.TimedOut || state.Approved {
		t.Fatalf("half a quorum: %+v %v", state, err)
	}
	if _, err := q2.Approve(ctx, gateID, humanos.ApproveRequest{ApprovalReason: "reviewed the policy"}); err != nil {
		t.Fatal(err)
	}
	state, err = agent.WaitForApproval(ctx, task.ID)
	if err != nil || !state.Approved || len(state.Approvers) != 2 || state.ApprovedBy != q2ID {
		t.Fatalf("full quorum: %+v %v", state, err)
	}
}

// A gate decided before WaitForApproval first looked shows in no decision answer; it is still
// announced, once, with its safety summary.
func TestWaitForApprovalAnnouncesAGateDecidedBeforeItLooked(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "comms_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "mailer", nil)
	_, lead := srv.Principal(t, "human", "lead", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Send the Q4 email", Payload: map[string]any{"to": "a@b.c"},
		HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lead.Approve(ctx, task.ApprovalRequest.ID, humanos.ApproveRequest{ApprovalReason: "fine"}); err != nil {
		t.Fatal(err)
	}
	var seen []humanos.ApprovalRequest
	approval, err := agent.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{
		OnApprovalRequest: func(req humanos.ApprovalRequest) { seen = append(seen, req) },
	})
	if err != nil || !approval.Approved {
		t.Fatalf("approval: %+v %v", approval, err)
	}
	if len(seen) != 1 || seen[0].ID != task.ApprovalRequest.ID || seen[0].AISafetyCheck == "" {
		t.Fatalf("announced %+v, want the one gate with its safety check", seen)
	}
}
