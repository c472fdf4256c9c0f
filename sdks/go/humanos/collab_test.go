package humanos_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// Comments, claims and assignment through the Go SDK against a real server (issue 26).
func TestCommentsClaimsAssignment(t *testing.T) {
	srv := testserver.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	role := "finance_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "payer", nil)
	annID, ann := srv.Principal(t, "human", "ann", []string{role})
	bobID, bob := srv.Principal(t, "human", "bob", []string{role})
	_, lead := srv.Principal(t, "human", "lead", []string{role, "approval_lead"})
	created, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
		Description: "Pay invoice 9",
		Payload:     map[string]any{"amount": 90},
		HumanInLoop: &humanos.HITLConfig{ApproverRole: role},
	})
	if err != nil {
		t.Fatal(err)
	}
	gate := testserver.PendingGate(ctx, t, ann, created.ID)

	c, err := ann.Comment(ctx, gate.ID, "**check** <b>it</b> @"+bobID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Author != annID || len(c.Mentions) != 1 || c.Mentions[0] != bobID || c.Html == "" {
		t.Fatalf("comment: %+v", c)
	}
	list, err := bob.Comments(ctx, gate.ID)
	if err != nil || len(list) != 1 || list[0].Body != "**check** <b>it</b> @"+bobID {
		t.Fatalf("comments: %+v %v", list, err)
	}
	var apiErr *humanos.Error
	if _, err := ann.Comment(ctx, gate.ID, "@did:human:nobody"); !errors.As(err, &apiErr) || apiErr.Code != "mention_not_allowed" {
		t.Fatalf("a mention of nobody: %v", err)
	}

	claim, err := ann.ClaimApproval(ctx, gate.ID)
	if err != nil || claim.ClaimedBy != annID {
		t.Fatalf("claim: %+v %v", claim, err)
	}
	if _, err := bob.ClaimApproval(ctx, gate.ID); !errors.As(err, &apiErr) || apiErr.Code != "claim_held" {
		t.Fatalf("a second claim: %v", err)
	}
	if released, err := ann.ReleaseClaim(ctx, gate.ID); err != nil || released.ClaimedBy != "" {
		t.Fatalf("release: %+v %v", released, err)
	}

	if _, err := ann.AssignApproval(ctx, gate.ID, bobID); !errors.As(err, &apiErr) || apiErr.Code != "lead_required" {
		t.Fatalf("assign by a non-lead: %v", err)
	}
	assigned, err := lead.AssignApproval(ctx, gate.ID, bobID)
	if err != nil || assigned.Assignee != bobID {
		t.Fatalf("assign: %+v %v", assigned, err)
	}
}
