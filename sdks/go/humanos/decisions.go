package humanos

import (
	"context"
	"time"
)

// InRunDecision is a decision an executing agent asks about before acting on it.
type InRunDecision struct {
	Action     string   `json:"action"`
	Reasoning  string   `json:"reasoning,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
	// Alternatives the agent considered.
	Alternatives []string `json:"alternatives,omitempty"`
	// Payload is what the decision would act on; a human may edit it.
	Payload map[string]any `json:"payload,omitempty"`
}

// InRunOutcome says whether to go ahead with an in-run decision, and with which payload.
type InRunOutcome struct {
	Approved bool
	Decided  bool
	// AutoApproved: no human was needed (the task's policy and the decision's risk allowed it).
	AutoApproved bool
	// Status: "approved", "rejected", "expired", "pending" (undecided when Timeout ran out), …
	Status string
	// Payload is the payload to act on (the human's edits applied), nil unless approved.
	Payload map[string]any
	// ApprovalRequest is the decision gate, when one was opened.
	ApprovalRequest *ApprovalRequest
}

// DecisionOptions tunes SubmitDecision.
type DecisionOptions struct {
	// NoWait returns at once with the pending gate instead of waiting for the human.
	NoWait bool
	// Timeout bounds the wait (0: until decided or ctx ends); then the outcome is undecided.
	Timeout time.Duration
}

// SubmitDecision submits an in-run decision of this execution (only its executor may). Under
// approvalRequired "all_decisions" (or "critical_only" for a risky decision, or a confidence below
// the task's autoEscalation threshold) it opens a decision gate and, unless NoWait, waits for the
// human; otherwise it is approved at once and recorded in the ledger.
//
//	out, err := ex.SubmitDecision(ctx, humanos.InRunDecision{Action: "drop table tmp_orders", Payload: p}, humanos.DecisionOptions{})
//	if err == nil && out.Approved { run(out.Payload) }
func (ex *Execution) SubmitDecision(ctx context.Context, d InRunDecision, opts ...DecisionOptions) (*InRunOutcome, error) {
	var o DecisionOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	var r struct {
		Status          string            `json:"status"`
		AutoApproved    bool              `json:"autoApproved"`
		Payload         map[string]any    `json:"payload"`
		ApprovalRequest *ApprovalRequest  `json:"approvalRequest"`
		ApprovalChain   []ApprovalRequest `json:"approvalChain"`
	}
	c := ex.client
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(ex.TaskID) + "/decisions", body: d, out: &r}); err != nil {
		return nil, err
	}
	if r.Status == "approved" {
		p := r.Payload
		if p == nil {
			p = d.Payload
		}
		return &InRunOutcome{Approved: true, Decided: true, AutoApproved: r.AutoApproved, Status: "approved", Payload: p}, nil
	}
	gate := r.ApprovalRequest
	// A policy chain makes one gate per step: the decision stands when the last one does (a reject at
	// any step cancels the rest, which ends the wait on the last one too).
	if n := len(r.ApprovalChain); n > 0 {
		gate = &r.ApprovalChain[n-1]
	}
	if o.NoWait || gate == nil {
		return &InRunOutcome{Status: "pending", ApprovalRequest: gate}, nil
	}
	var deadline time.Time
	if o.Timeout > 0 {
		deadline = time.Now().Add(o.Timeout)
	}
	for {
		wait := 30 * time.Second
		if !deadline.IsZero() {
			wait = minDuration(time.Until(deadline).Truncate(time.Second), wait)
			if wait < time.Second {
				wait = time.Second
			}
		}
		view, err := c.WaitApproval(ctx, gate.ID, wait)
		if err != nil {
			return nil, err
		}
		if view.Status != "pending" {
			return &InRunOutcome{Approved: view.Status == "approved", Decided: true, Status: view.Status, Payload: view.ApprovedPayload, ApprovalRequest: view}, nil
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return &InRunOutcome{Status: "pending", ApprovalRequest: view}, nil
		}
	}
}
