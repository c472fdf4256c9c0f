package humanos

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// CreateTask creates a task. The request carries an Idempotency-Key (req.IdempotencyKey, or one the
// SDK makes), so the SDK's retries after a network error never create two tasks.
//
//	task, err := c.CreateTask(ctx, humanos.CreateTaskRequest{
//		Description:          "Deploy billing to production",
//		RequiredCapabilities: []string{"devops"},
//		HumanInLoop:          &humanos.HITLConfig{Enabled: true, ApproverRole: "senior_engineer", ApprovalTimeout: 600},
//	})
func (c *Client) CreateTask(ctx context.Context, req CreateTaskRequest) (*CreatedTask, error) {
	key := req.IdempotencyKey
	if key == "" {
		key = "go-" + newID()
	}
	var out CreatedTask
	err := c.do(ctx, request{method: "POST", path: prefix + "/tasks", body: req, header: map[string]string{"Idempotency-Key": key}, retry: true, out: &out})
	if err != nil {
		return nil, err
	}
	out.ID = out.TaskID
	return &out, nil
}

// GetTask returns a task with its gates and decisions.
func (c *Client) GetTask(ctx context.Context, taskID string) (*Task, error) {
	var t Task
	if err := c.do(ctx, request{method: "GET", path: prefix + "/tasks/" + esc(taskID), retry: true, out: &t}); err != nil {
		return nil, err
	}
	return &t, nil
}

// WaitTask long-polls a task until it is finished — a terminal status: completed, failed, rejected,
// expired or cancelled — and returns it then, or returns it as it stands after wait (max 60 s,
// tenths of a second; 0 returns at once, like GetTask).
//
//	t, err := client.WaitTask(ctx, taskID, 30*time.Second) // t.Status == humanos.StatusCompleted, or still running
func (c *Client) WaitTask(ctx context.Context, taskID string, wait time.Duration) (*Task, error) {
	secs := waitSeconds(wait)
	path := prefix + "/tasks/" + esc(taskID)
	if secs > 0 {
		path += "?wait=" + strconv.FormatFloat(secs, 'f', -1, 64)
	}
	var t Task
	extra := time.Duration(secs * float64(time.Second))
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, extra: extra, out: &t}); err != nil {
		return nil, err
	}
	return &t, nil
}

// waitSeconds is a long-poll's wait as the server takes it: seconds in tenths, 0..60.
func waitSeconds(wait time.Duration) float64 {
	tenths := wait.Round(100*time.Millisecond) / (100 * time.Millisecond)
	return math.Min(60, math.Max(0, float64(tenths)/10))
}

// ListTasksQuery filters ListTasks.
type ListTasksQuery struct {
	Status TaskStatus
	// Limit per page, 1..200 (server default 50).
	Limit  int
	Cursor string
}

// ListTasks returns one page of the caller's tasks (all tasks for admins), newest first. Pass
// NextCursor back as Cursor for the next page; it is "" on the last page.
func (c *Client) ListTasks(ctx context.Context, q ListTasksQuery) (*TaskPage, error) {
	var p TaskPage
	limit := ""
	if q.Limit > 0 {
		limit = strconv.Itoa(q.Limit)
	}
	path := prefix + "/tasks" + query("status", string(q.Status), "limit", limit, "cursor", q.Cursor)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// Decision makes one long-poll round: it returns when the task is decided, or after wait (max 60 s).
func (c *Client) Decision(ctx context.Context, taskID string, wait time.Duration) (*Approval, error) {
	secs := int(wait / time.Second)
	if secs > 60 {
		secs = 60
	}
	if secs < 0 {
		secs = 0
	}
	var a Approval
	err := c.do(ctx, request{
		method: "GET", path: prefix + "/tasks/" + esc(taskID) + "/decision?wait=" + strconv.Itoa(secs),
		retry: true, extra: time.Duration(secs) * time.Second, out: &a,
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// ApprovalOptions tunes WaitForApproval.
type ApprovalOptions struct {
	// OnApprovalRequest is called once for each gate that opens while waiting (the first one, the
	// next step of a chain, an escalation), with AISafetyCheck filled in. While a gate is open the
	// wait long-polls that gate, so the next one is seen as soon as it opens; a gate that opens and
	// is decided before the waiter looks again (a few ms) is not announced.
	OnApprovalRequest func(req ApprovalRequest)
	// Timeout bounds the wait (0: until decided or ctx ends). When it runs out WaitForApproval
	// returns the undecided state with TimedOut set, not an error.
	Timeout time.Duration
}

// WaitForApproval waits for the human decision on a task and returns it. It rides out a restarting
// server (network errors and 502/503/504 are retried until the Timeout). It returns an error only
// for a failure (unknown task, bad token, ctx cancelled), never for a rejection: check Approved.
//
//	approval, err := c.WaitForApproval(ctx, task.ID, humanos.ApprovalOptions{
//		OnApprovalRequest: func(req humanos.ApprovalRequest) { log.Println(req.AISafetyCheck) },
//	})
//	if err == nil && approval.Approved { … }
func (c *Client) WaitForApproval(ctx context.Context, taskID string, opts ...ApprovalOptions) (*Approval, error) {
	var o ApprovalOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	var deadline time.Time
	if o.Timeout > 0 {
		deadline = time.Now().Add(o.Timeout)
	}
	announced := map[string]bool{}
	var policy *PolicyApplied
	wait := time.Duration(0)
	for {
		state, err := c.Decision(ctx, taskID, wait)
		if err != nil {
			if herr, ok := err.(*Error); ok && (herr.Code == "network_error" || retryStatuses[herr.Status]) {
				if !deadline.IsZero() && time.Now().After(deadline) {
					return nil, err
				}
				if serr := sleepCtx(ctx, 500*time.Millisecond); serr != nil {
					return nil, serr
				}
				continue
			}
			return nil, err
		}
		c.announce(ctx, taskID, state, announced, &policy, o.OnApprovalRequest)
		if state.Decided {
			return state, nil
		}
		wait = 30 * time.Second
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				state.TimedOut = true
				return state, nil
			}
			wait = minDuration(left.Truncate(time.Second), 30*time.Second)
			if wait == 0 {
				if err := sleepCtx(ctx, minDuration(left, 250*time.Millisecond)); err != nil {
					return nil, err
				}
				continue
			}
		}
		// With a callback, long-poll the open gate itself: it returns when that gate is decided, so
		// the next gate (a chain's next step, an escalation) is announced as soon as it opens. The
		// task-level long-poll only returns once the whole task is decided.
		if req := state.ApprovalRequest; req != nil && o.OnApprovalRequest != nil {
			if _, err := c.WaitApproval(ctx, req.ID, wait); err == nil {
				wait = 0
			} else if ctx.Err() != nil {
				return nil, ctx.Err()
			}
		}
	}
}

// announce calls cb once per gate that opened: the decision's open gate or, once the task is
// decided, every gate of the task that reached a human (one that opened and was decided between two
// looks, or before the first, shows in no decision answer).
func (c *Client) announce(ctx context.Context, taskID string, state *Approval, announced map[string]bool, policy **PolicyApplied, cb func(ApprovalRequest)) {
	var gates []*ApprovalRequest
	if state.ApprovalRequest != nil {
		gates = append(gates, state.ApprovalRequest)
	}
	if cb != nil && state.Decided {
		if t, err := c.GetTask(ctx, taskID); err == nil {
			*policy = &t.Policy
			gates = gates[:0]
			for i := range t.Approvals {
				if gateOpened(t.Approvals[i].Status) {
					gates = append(gates, &t.Approvals[i])
				}
			}
		}
	}
	for _, req := range gates {
		if announced[req.ID] {
			continue
		}
		announced[req.ID] = true
		if cb == nil {
			continue
		}
		if *policy == nil {
			if t, err := c.GetTask(ctx, taskID); err == nil {
				*policy = &t.Policy
			}
		}
		req.AISafetyCheck = SafetyCheck(req.RiskAssessment, *policy)
		cb(*req)
	}
}

// gateOpened: a human decided the gate, or it is pending or expired (a "waiting" chain step, or one
// cancelled before its turn, never reached anyone).
func gateOpened(status string) bool {
	return status == "pending" || status == "approved" || status == "rejected" || status == "expired"
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// CancelTask withdraws a task that has not started executing (its requester, the human it acts for,
// or an admin). Its open gates are cancelled; waiters see Cancelled. A running task is stopped with
// OverrideTask instead (the server answers invalid_state).
func (c *Client) CancelTask(ctx context.Context, taskID, reason string) (*Task, error) {
	var t Task
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/cancel", body: map[string]string{"reason": reason}, out: &t}); err != nil {
		return nil, err
	}
	return &t, nil
}

// OverrideRequest is a human's takeover of a running task.
type OverrideRequest struct {
	Reason string `json:"reason"`
	// ContinueExecution false revokes the executor's lease (its handler's context is cancelled)
	// and leaves the task to the human, who finishes it with CompleteTask or FailTask; true lets a
	// paused task go on.
	ContinueExecution bool `json:"continueExecution"`
	// OverriddenBy, when set, must be the caller.
	OverriddenBy string `json:"overriddenBy,omitempty"`
}

// OverrideResult is the answer to OverrideTask.
type OverrideResult struct {
	TaskID            string     `json:"taskId"`
	Status            TaskStatus `json:"status"`
	OverriddenBy      string     `json:"overriddenBy"`
	ContinueExecution bool       `json:"continueExecution"`
}

// OverrideTask lets a human (not the requester) take over a running or paused task.
func (c *Client) OverrideTask(ctx context.Context, taskID string, req OverrideRequest) (*OverrideResult, error) {
	var out OverrideResult
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/override", body: req, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// FinishOptions binds a completion or failure to one execution attempt.
type FinishOptions struct {
	ExecutionID string
	LeaseID     string
}

type finishBody struct {
	Result      any    `json:"result,omitempty"`
	Error       any    `json:"error,omitempty"`
	ExecutionID string `json:"executionId,omitempty"`
	LeaseID     string `json:"leaseId,omitempty"`
}

// CompleteTask reports a running task as completed with a result (any JSON value; nil for none).
// Its executor calls it (with the lease), or the human who took it over.
func (c *Client) CompleteTask(ctx context.Context, taskID string, result any, opts ...FinishOptions) (*Task, error) {
	return c.finish(ctx, taskID, "complete", finishBody{Result: result}, opts)
}

// FailTask reports a running task as failed with an error description (any JSON value).
func (c *Client) FailTask(ctx context.Context, taskID string, failure any, opts ...FinishOptions) (*Task, error) {
	return c.finish(ctx, taskID, "fail", finishBody{Error: failure}, opts)
}

func (c *Client) finish(ctx context.Context, taskID, verb string, b finishBody, opts []FinishOptions) (*Task, error) {
	if len(opts) > 0 {
		b.ExecutionID, b.LeaseID = opts[0].ExecutionID, opts[0].LeaseID
	}
	var t Task
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/" + verb, body: b, out: &t}); err != nil {
		return nil, err
	}
	return &t, nil
}

// FeedbackRequest is a human's verdict on a finished task; it feeds calibration.
type FeedbackRequest struct {
	// Quality: "poor", "fair", "good" or "excellent".
	Quality      string   `json:"quality"`
	Correctness  *bool    `json:"correctness,omitempty"`
	Comments     string   `json:"comments,omitempty"`
	Improvements []string `json:"improvements,omitempty"`
}

// Feedback is the recorded feedback.
type Feedback struct {
	TaskID       string    `json:"taskId"`
	Principal    string    `json:"principal"`
	Quality      string    `json:"quality"`
	Correctness  *bool     `json:"correctness"`
	Comments     string    `json:"comments"`
	Improvements []string  `json:"improvements"`
	Confidence   *float64  `json:"confidence"`
	RecordedAt   time.Time `json:"recordedAt"`
}

// ProvideFeedback records a human's feedback on a completed or failed task (one per person).
func (c *Client) ProvideFeedback(ctx context.Context, taskID string, req FeedbackRequest) (*Feedback, error) {
	var out Feedback
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/feedback", body: req, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// HistoryEntry is one ledger entry of a task's history.
type HistoryEntry struct {
	Index      int64     `json:"index"`
	Type       string    `json:"type"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	ApprovalID string    `json:"approvalId"`
	// Verified: the stored bytes' inclusion proof leads to the latest signed checkpoint.
	Verified bool `json:"verified"`
}

// TaskHistory is a task's ledger entries with the checkpoint they were checked against.
type TaskHistory struct {
	TaskID         string         `json:"taskId"`
	CheckpointSize int64          `json:"checkpointSize"`
	Checkpoint     string         `json:"checkpoint"`
	Events         []HistoryEntry `json:"events"`
}

// TaskHistory returns the task's ledger entries, each checked by the server against the latest
// signed checkpoint.
func (c *Client) TaskHistory(ctx context.Context, taskID string) (*TaskHistory, error) {
	var out TaskHistory
	if err := c.do(ctx, request{method: "GET", path: prefix + "/tasks/" + esc(taskID) + "/history", retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// PolicyEvaluation is the dry run of a create: the policy, the risk and the gates that would open.
type PolicyEvaluation struct {
	Policy         PolicyApplied   `json:"policy"`
	RiskAssessment RiskAssessment  `json:"riskAssessment"`
	Routing        *Routing        `json:"routing"`
	Gates          []PlannedGate   `json:"gates"`
	Audit          json.RawMessage `json:"audit"`
}

// PlannedGate is a gate EvaluatePolicy says would open.
type PlannedGate struct {
	Step             int      `json:"step"`
	ApproverRoles    []string `json:"approverRoles"`
	Required         int      `json:"required"`
	Reason           string   `json:"reason"`
	Timeout          int      `json:"timeout"`
	EscalationPolicy string   `json:"escalationPolicy"`
	EscalateTo       string   `json:"escalateTo"`
}

// EvaluatePolicy is a dry run of CreateTask: nothing is created.
func (c *Client) EvaluatePolicy(ctx context.Context, req CreateTaskRequest) (*PolicyEvaluation, error) {
	var out PolicyEvaluation
	if err := c.do(ctx, request{method: "POST", path: prefix + "/policy/evaluate", body: req, retry: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// SafetyCheck renders a risk assessment and the policy that applied as one readable line, e.g.
// "risk medium (irreversible_action, production_data); no mitigations stated; policy built-in v1:
// policy floor: medium risk requires human approval". It is what ApprovalRequest.AISafetyCheck holds.
func SafetyCheck(risk RiskAssessment, policy *PolicyApplied) string {
	level := risk.Level
	if level == "" {
		level = "unassessed"
	}
	s := "risk " + level
	if len(risk.Factors) > 0 {
		s += " (" + joinComma(risk.Factors) + ")"
	} else {
		s += " (no risk factors found)"
	}
	if len(risk.Mitigations) > 0 {
		s += "; mitigations: " + joinComma(risk.Mitigations)
	} else {
		s += "; no mitigations stated"
	}
	if policy != nil && policy.ID != "" {
		s += fmt.Sprintf("; policy %s v%d", policy.ID, policy.Version)
		if len(policy.RulesApplied) > 0 {
			s += " [" + joinComma(policy.RulesApplied) + "]"
		}
		if policy.Reason != "" {
			s += ": " + policy.Reason
		}
	}
	return s
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
