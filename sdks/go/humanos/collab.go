package humanos

import "context"

// Comment posts a comment (markdown) on an approval request. "@did:human:…" notifies a colleague
// who may see the request; a mention of anyone else is refused with the problem code
// "mention_not_allowed" and nothing is written.
func (c *Client) Comment(ctx context.Context, approvalID, body string) (*Comment, error) {
	var out Comment
	r := request{method: "POST", path: prefix + "/approvals/" + esc(approvalID) + "/comments", body: map[string]string{"body": body}, out: &out}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &out, nil
}

// Comments returns the comments on an approval request, oldest first.
func (c *Client) Comments(ctx context.Context, approvalID string) ([]Comment, error) {
	var out struct {
		Items []Comment `json:"items"`
	}
	r := request{method: "GET", path: prefix + "/approvals/" + esc(approvalID) + "/comments", retry: true, out: &out}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// ClaimApproval tells the other approvers that the caller is looking at the request, for a few
// minutes (not a lock: anyone eligible may still decide). "claim_held" while another claim is live.
func (c *Client) ClaimApproval(ctx context.Context, approvalID string) (*Claim, error) {
	return c.claimCall(ctx, "POST", "/claim", approvalID, map[string]string{})
}

// ReleaseClaim ends the caller's claim on the request.
func (c *Client) ReleaseClaim(ctx context.Context, approvalID string) (*Claim, error) {
	return c.claimCall(ctx, "DELETE", "/claim", approvalID, nil)
}

// AssignApproval hands an open request to an approver who may decide it now (a lead: the
// approval_lead role or admin). "lead_required" or "assignee_not_eligible" otherwise.
func (c *Client) AssignApproval(ctx context.Context, approvalID, assignee string) (*Claim, error) {
	return c.claimCall(ctx, "POST", "/assign", approvalID, map[string]string{"assignee": assignee})
}

func (c *Client) claimCall(ctx context.Context, method, suffix, approvalID string, body any) (*Claim, error) {
	var out Claim
	r := request{method: method, path: prefix + "/approvals/" + esc(approvalID) + suffix, out: &out}
	if body != nil {
		r.body = body
	}
	if err := c.do(ctx, r); err != nil {
		return nil, err
	}
	return &out, nil
}
