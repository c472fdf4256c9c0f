package humanos

import "context"

// RequestChangesRequest is an approver's answer with feedback instead of a verdict (issue 26).
type RequestChangesRequest struct {
	// Feedback says what the agent should change; the agent reads it in Approval.Feedback.
	Feedback string `json:"feedback"`
	// PayloadDigest names the version the approver was shown (RequestChangesView fills it in); the
	// server refuses a missing one (*PayloadDigestRequiredError) or a stale one (*StalePayloadError).
	PayloadDigest string `json:"payloadDigest,omitempty"`
}

// RequestChanges sends a gate's task back to its agent with feedback: the task becomes
// StatusChangesRequested, every approval of this version stops counting, and the agent's
// WaitForApproval returns with ChangesRequested and Feedback; the agent answers with ReviseTask.
//
//	view, _ := approver.GetApproval(ctx, id)
//	_, err := approver.RequestChangesView(ctx, view, humanos.RequestChangesRequest{Feedback: "Use the March invoice"})
func (c *Client) RequestChanges(ctx context.Context, approvalID string, req RequestChangesRequest) (*ChangesRequestedResult, error) {
	var out ChangesRequestedResult
	r := request{method: "POST", path: prefix + "/approvals/" + esc(approvalID) + "/request-changes", body: req, out: &out}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &out, nil
}

// RequestChangesView asks for changes to exactly the version the approver was shown
// (req.PayloadDigest defaults to view.CurrentDigest).
func (c *Client) RequestChangesView(ctx context.Context, view *ApprovalRequest, req RequestChangesRequest) (*ChangesRequestedResult, error) {
	if req.PayloadDigest == "" {
		req.PayloadDigest = view.CurrentDigest
	}
	return c.RequestChanges(ctx, view.ID, req)
}

// ReviseRequest is the agent's new version of a task after changes were requested.
type ReviseRequest struct {
	Payload        map[string]any  `json:"payload"`
	AIProposal     *AIProposal     `json:"aiProposal,omitempty"`
	RiskAssessment *RiskAssessment `json:"riskAssessment,omitempty"`
}

// ReviseTask answers requested changes with a new version of the task (only the agent that created
// it, only while StatusChangesRequested): the policy plans its gates anew and every approver is asked
// again; no approval of an earlier version counts. Wait again with WaitForApproval.
//
//	approval, _ := agent.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{})
//	if approval.ChangesRequested {
//		_, err = agent.ReviseTask(ctx, task.ID, humanos.ReviseRequest{Payload: redraft(approval.Feedback)})
//	}
func (c *Client) ReviseTask(ctx context.Context, taskID string, req ReviseRequest) (*RevisedTask, error) {
	var out RevisedTask
	r := request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/revise", body: req, out: &out}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &out, nil
}
