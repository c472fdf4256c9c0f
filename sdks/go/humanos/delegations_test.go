package humanos_test

import (
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// Delegation against a real server: create, the inbox "on behalf of", an approval by the delegate
// naming both, change, end, and refusals with stable codes.
func TestDelegation(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "finance_" + testserver.Suffix()
	annID, ann := srv.Principal(t, "human", "ann", []string{role})
	bobID, bob := srv.Principal(t, "human", "bob", nil)
	carlID, _ := srv.Principal(t, "human", "carl", []string{role})
	_, agent := srv.Principal(t, "agent", "bot", nil)

	d, err := ann.CreateDelegation(ctx, humanos.DelegationRequest{
		Delegate: bobID, EndsAt: time.Now().Add(time.Hour), OutOfOffice: true, Message: "away",
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Delegator != annID || d.Delegate != bobID || d.State != "active" || !d.OutOfOffice || len(d.Roles) != 1 {
		t.Fatalf("delegation: %+v", d)
	}
	received, err := bob.Delegations(ctx, humanos.DelegationsQuery{Side: "delegate"})
	if err != nil || len(received) != 1 || received[0].ID != d.ID {
		t.Fatalf("received: %v %+v", err, received)
	}

	created, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Pay invoice 12",
		HumanInLoop: &humanos.HITLConfig{ApproverRole: role},
	})
	if err != nil {
		t.Fatal(err)
	}
	gate := testserver.PendingGate(ctx, t, bob, created.ID)
	if gate.OnBehalfOf == nil || gate.OnBehalfOf.Delegator != annID || gate.OnBehalfOf.DelegationID != d.ID {
		t.Fatalf("inbox item not marked on behalf of %s: %+v", annID, gate.OnBehalfOf)
	}
	if _, err := bob.ApproveView(ctx, &gate, humanos.ApproveRequest{}); err != nil {
		t.Fatal(err)
	}
	view, err := ann.GetApproval(ctx, gate.ID)
	if err != nil || len(view.Decisions) != 1 || view.Decisions[0].Principal != bobID || view.Decisions[0].OnBehalfOf != annID {
		t.Fatalf("decision: %v %+v", err, view)
	}

	later := time.Now().Add(2 * time.Hour)
	changed, err := ann.UpdateDelegation(ctx, d.ID, humanos.DelegationChange{EndsAt: later})
	if err != nil || !changed.EndsAt.Equal(later.UTC().Truncate(time.Millisecond)) {
		t.Fatalf("changed: %v %+v", err, changed)
	}
	ended, err := bob.EndDelegation(ctx, d.ID, "back early")
	if err != nil || ended.State != "ended" || ended.EndReason != "back early" {
		t.Fatalf("ended: %v %+v", err, ended)
	}
	_, err = ann.EndDelegation(ctx, d.ID, "")
	wantCode(t, "end twice", err, "delegation_ended", 409)

	_, err = ann.CreateDelegation(ctx, humanos.DelegationRequest{Delegate: annID, EndsAt: time.Now().Add(time.Hour)})
	wantCode(t, "to self", err, "delegation_to_self", 400)
	_, err = ann.CreateDelegation(ctx, humanos.DelegationRequest{Delegate: carlID, EndsAt: time.Now().Add(time.Hour)})
	wantCode(t, "co-seat", err, "delegate_holds_seat", 409)
	_, err = ann.CreateDelegation(ctx, humanos.DelegationRequest{Delegate: bobID, EndsAt: time.Now().Add(31 * 24 * time.Hour)})
	wantCode(t, "too long", err, "delegation_too_long", 400)
}
