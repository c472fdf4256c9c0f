package humanos

import (
	"context"
	"strconv"
	"time"
)

// InboxQuery filters Inbox.
type InboxQuery struct {
	// Status of the gates (default "pending": those the caller may decide now).
	Status string
	Limit  int
	Cursor string
}

// Inbox returns the caller's inbox: gates of its roles, newest first. For "pending" it leaves out
// what the caller may not decide (its own tasks, gates it already sat on).
func (c *Client) Inbox(ctx context.Context, q InboxQuery) (*ApprovalPage, error) {
	limit := ""
	if q.Limit > 0 {
		limit = strconv.Itoa(q.Limit)
	}
	var p ApprovalPage
	path := prefix + "/approvals" + query("status", q.Status, "limit", limit, "cursor", q.Cursor)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &p}); err != nil {
		return nil, err
	}
	for i := range p.Items {
		p.Items[i].AISafetyCheck = SafetyCheck(p.Items[i].RiskAssessment, p.Items[i].Task.Policy)
	}
	return &p, nil
}

// GetApproval returns one gate with the task's payload and policy and the whole chain.
func (c *Client) GetApproval(ctx context.Context, approvalID string) (*ApprovalRequest, error) {
	return c.WaitApproval(ctx, approvalID, 0)
}

// WaitApproval long-polls one gate: it returns as soon as the gate is no longer pending, or after
// wait (max 60 s; 0 returns at once).
func (c *Client) WaitApproval(ctx context.Context, approvalID string, wait time.Duration) (*ApprovalRequest, error) {
	secs := int(wait / time.Second)
	if secs > 60 {
		secs = 60
	}
	path := prefix + "/approvals/" + esc(approvalID)
	if secs > 0 {
		path += "?wait=" + strconv.Itoa(secs)
	}
	var a ApprovalRequest
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, extra: time.Duration(secs) * time.Second, out: &a}); err != nil {
		return nil, err
	}
	a.AISafetyCheck = SafetyCheck(a.RiskAssessment, a.Task.Policy)
	return &a, nil
}

// ApproveRequest is a human's approval.
type ApproveRequest struct {
	// PayloadDigest names the payload version approved: the CurrentDigest of the view the approver
	// was shown (ApproveView fills it in). Another version than the current one is refused with a
	// *StalePayloadError and nothing is written; once the payload has been edited, an approval
	// without it is refused with a *PayloadDigestRequiredError.
	PayloadDigest string `json:"payloadDigest,omitempty"`
	// ApprovalReason is required when the task asks for it (RequireExplicitReason) or its risk is
	// high or critical; the server answers validation_failed otherwise.
	ApprovalReason string `json:"approvalReason,omitempty"`
	Feedback       string `json:"feedback,omitempty"`
	// Edits is an RFC 7386 merge patch over the payload: what executes is the edited payload.
	Edits map[string]any `json:"edits,omitempty"`
	// ApprovedBy, when set, must be the caller (approved_by_mismatch otherwise).
	ApprovedBy string `json:"approvedBy,omitempty"`
	// AssignTo picks the resource on a routing gate.
	AssignTo string `json:"assignTo,omitempty"`
	// Alternative approves the proposal's alternative of this index instead of the proposal (its own
	// payload executes; not with Edits). A pointer, since 0 is the first alternative: Alt(0).
	Alternative *int `json:"alternative,omitempty"`
	// IdempotencyKey is sent as the Idempotency-Key header; when empty the SDK makes one. The server
	// remembers it with the decision, so a retry after a lost answer gets the first answer back.
	IdempotencyKey string `json:"-"`
}

// Alt names an alternative for ApproveRequest.Alternative.
func Alt(index int) *int { return &index }

// RejectRequest is a human's rejection; a reason is always required.
type RejectRequest struct {
	// PayloadDigest (optional) names the payload version rejected; a stale one is refused with a
	// *StalePayloadError. RejectView fills it in.
	PayloadDigest   string `json:"payloadDigest,omitempty"`
	RejectionReason string `json:"rejectionReason"`
	Feedback        string `json:"feedback,omitempty"`
	RejectedBy      string `json:"rejectedBy,omitempty"`
	// IdempotencyKey: as in ApproveRequest.
	IdempotencyKey string `json:"-"`
}

// Approve records the caller's approval of a gate (the caller must be a human holding one of the
// gate's roles, and not the requester). The answer carries the signed decision's provenance.
//
//	res, err := approver.Approve(ctx, req.ID, humanos.ApproveRequest{ApprovalReason: "change window is open"})
func (c *Client) Approve(ctx context.Context, approvalID string, req ApproveRequest) (*DecisionResult, error) {
	var out DecisionResult
	r := request{method: "POST", path: prefix + "/approvals/" + esc(approvalID) + "/approve", body: req, out: &out}
	if err := c.do(ctx, decisionRequest(r, req.IdempotencyKey)); err != nil {
		return nil, err
	}
	return &out, nil
}

// Reject records the caller's rejection of a gate; the task is rejected and a chain ends.
func (c *Client) Reject(ctx context.Context, approvalID string, req RejectRequest) (*DecisionResult, error) {
	var out DecisionResult
	r := request{method: "POST", path: prefix + "/approvals/" + esc(approvalID) + "/reject", body: req, out: &out}
	if err := c.do(ctx, decisionRequest(r, req.IdempotencyKey)); err != nil {
		return nil, err
	}
	return &out, nil
}

// ApproveView approves the gate the approver was shown, for exactly the payload version it shows:
// req.PayloadDigest defaults to view.CurrentDigest. If the payload changed since the view was read,
// the call returns a *StalePayloadError (with the current payload and the diff) and nothing is
// written.
//
//	view, err := approver.GetApproval(ctx, id)
//	// … show view.Task.Payload …
//	res, err := approver.ApproveView(ctx, view, humanos.ApproveRequest{ApprovalReason: "IBAN checked"})
//	var stale *humanos.StalePayloadError
//	if errors.As(err, &stale) {
//		// show stale.Diff and stale.CurrentPayload; to approve that version:
//		// approver.Approve(ctx, id, humanos.ApproveRequest{PayloadDigest: stale.CurrentDigest})
//	}
func (c *Client) ApproveView(ctx context.Context, view *ApprovalRequest, req ApproveRequest) (*DecisionResult, error) {
	if req.PayloadDigest == "" {
		req.PayloadDigest = view.CurrentDigest
	}
	return c.Approve(ctx, view.ID, req)
}

// RejectView rejects the gate the approver was shown, naming the payload version it shows
// (req.PayloadDigest defaults to view.CurrentDigest); a stale view is refused (*StalePayloadError).
func (c *Client) RejectView(ctx context.Context, view *ApprovalRequest, req RejectRequest) (*DecisionResult, error) {
	if req.PayloadDigest == "" {
		req.PayloadDigest = view.CurrentDigest
	}
	return c.Reject(ctx, view.ID, req)
}

// decisionRequest makes a decision safe to retry: it carries an Idempotency-Key (the caller's, or a
// fresh one reused by every retry of this call), and the server replays its first answer to it.
func decisionRequest(r request, key string) request {
	if key == "" {
		key = "go-" + newID()
	}
	r.header = map[string]string{"Idempotency-Key": key}
	r.retry = true
	return r
}
