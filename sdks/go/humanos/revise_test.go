package humanos_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// Issue 26 against a real server: the approver requests changes, the agent's WaitForApproval returns
// ChangesRequested with the feedback, the agent revises, the approver's view of version 1 decides
// nothing any more, the revision is approved and is what executes.
func TestRequestChangesReviseReapprove(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "comms_lead_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "drafter", nil)
	leadID, lead := srv.Principal(t, "human", "lead", []string{role})
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Send the Q4 email",
		HumanInLoop: &humanos.HITLConfig{ApproverRole: role},
		Payload:     map[string]any{"body": "Draft 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	view, err := lead.GetApproval(ctx, task.ApprovalRequest.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lead.RequestChanges(ctx, view.ID, humanos.RequestChangesRequest{Feedback: "x", PayloadDigest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"})
	var stale *humanos.StalePayloadError
	if !errors.As(err, &stale) {
		t.Fatalf("a stale digest: want *StalePayloadError, got %v", err)
	}
	asked, err := lead.RequestChangesView(ctx, view, humanos.RequestChangesRequest{Feedback: "Mention the renewal date"})
	if err != nil || asked.TaskStatus != humanos.StatusChangesRequested || asked.Version != 1 {
		t.Fatalf("request changes: %v %+v", err, asked)
	}
	first, err := agent.WaitForApproval(ctx, task.ID)
	if err != nil || !first.ChangesRequested || first.Approved || first.Feedback != "Mention the renewal date" || first.ChangesRequestedBy != leadID {
		t.Fatalf("waiter: %v %+v", err, first)
	}
	revised, err := agent.ReviseTask(ctx, task.ID, humanos.ReviseRequest{Payload: map[string]any{"body": "Draft 2: renewal on 1 March"}})
	if err != nil || revised.Version != 2 || len(revised.Diff) != 1 || revised.Diff[0].Path != "/body" {
		t.Fatalf("revise: %v %+v", err, revised)
	}
	var herr *humanos.Error
	if _, err := lead.ApproveView(ctx, view, humanos.ApproveRequest{ApprovalReason: "ok"}); !errors.As(err, &herr) || herr.Code != "already_decided" {
		t.Fatalf("the view of version 1 must decide nothing: %v", err)
	}
	again, err := lead.GetApproval(ctx, revised.ApprovalRequest.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lead.ApproveView(ctx, again, humanos.ApproveRequest{ApprovalReason: "good now"}); err != nil {
		t.Fatal(err)
	}
	second, err := agent.WaitForApproval(ctx, task.ID)
	if err != nil || !second.Approved || second.ChangesRequested || second.Version != 2 {
		t.Fatalf("second wait: %v %+v", err, second)
	}
	exec, err := agent.StartExecution(ctx, task.ID, humanos.StartOptions{})
	if err != nil || !reflect.DeepEqual(exec.Payload, map[string]any{"body": "Draft 2: renewal on 1 March"}) {
		t.Fatalf("execution: %v %+v", err, exec)
	}
}

// Approving an alternative: its payload is what executes, and the agent learns which one.
func TestApproveAnAlternative(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "dba_lead_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "dba-bot", nil)
	_, lead := srv.Principal(t, "human", "dba", []string{role})
	archive := map[string]any{"backupId": "b-7", "action": "archive"}
	task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Delete backup b-7",
		HumanInLoop: &humanos.HITLConfig{ApproverRole: role},
		Payload:     map[string]any{"backupId": "b-7", "action": "delete"},
		AIProposal: &humanos.AIProposal{
			Alternatives:        []string{"Archive to cold storage instead"},
			AlternativePayloads: []map[string]any{archive},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	view, err := lead.GetApproval(ctx, task.ApprovalRequest.ID)
	if err != nil {
		t.Fatal(err)
	}
	var herr *humanos.Error
	if _, err := lead.ApproveView(ctx, view, humanos.ApproveRequest{ApprovalReason: "x", Alternative: humanos.Alt(5)}); !errors.As(err, &herr) || herr.Code != "invalid_alternative" {
		t.Fatalf("out of range: %v", err)
	}
	if _, err := lead.ApproveView(ctx, view, humanos.ApproveRequest{ApprovalReason: "archive it", Alternative: humanos.Alt(0)}); err != nil {
		t.Fatal(err)
	}
	outcome, err := agent.WaitForApproval(ctx, task.ID)
	if err != nil || outcome.Alternative == nil || outcome.Alternative.Index != 0 || outcome.Alternative.Action != "Archive to cold storage instead" {
		t.Fatalf("outcome: %v %+v", err, outcome)
	}
	exec, err := agent.StartExecution(ctx, task.ID, humanos.StartOptions{})
	if err != nil || !reflect.DeepEqual(exec.Payload, archive) {
		t.Fatalf("execution: %v %+v", err, exec)
	}
}
