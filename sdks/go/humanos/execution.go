package humanos

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/human/sdk-go/ledger"
)

// Grant is the server's signed execution grant, bound to the approved payload's digest.
type Grant struct {
	Type          string `json:"type"`
	Origin        string `json:"origin"`
	TaskID        string `json:"taskId"`
	ExecutionID   string `json:"executionId"`
	Attempt       int    `json:"attempt"`
	Executor      string `json:"executor"`
	PayloadDigest string `json:"payloadDigest"`
	// Decisions are the ledger indexes of the signed decisions the grant rests on (empty when the
	// task was approved without a gate); CheckpointSize is the signed checkpoint they were checked
	// against. With them, a grant can be checked offline against an export of the log.
	Decisions      []int  `json:"decisions"`
	CheckpointSize int    `json:"checkpointSize"`
	GrantedAt      string `json:"grantedAt"`
	Signature      string `json:"signature"`
	Signer         string `json:"signer"`
}

// Verify checks the grant's Ed25519 signature with the server's public key (see LedgerPublicKey).
func (g Grant) Verify(pub ed25519.PublicKey) bool {
	body := map[string]any{
		"type": g.Type, "origin": g.Origin, "taskId": g.TaskID, "executionId": g.ExecutionID,
		"attempt": g.Attempt, "executor": g.Executor, "payloadDigest": g.PayloadDigest, "grantedAt": g.GrantedAt,
		"decisions": g.decisions(), "checkpointSize": g.CheckpointSize,
	}
	return ledger.VerifyDecisionSignature(body, g.Signature, pub)
}

func (g Grant) decisions() []any {
	out := make([]any, len(g.Decisions))
	for i, d := range g.Decisions {
		out[i] = d
	}
	return out
}

// Execution is a started execution: the approved payload (human edits applied), the lease and the
// signed grant. A Handler receives it.
type Execution struct {
	TaskID string `json:"taskId"`
	// ExecutionID is stable across attempts: use it as the idempotency key of the side effect.
	ExecutionID string `json:"executionId"`
	// LeaseID fences this attempt; heartbeats and completion carry it.
	LeaseID              string         `json:"leaseId"`
	LeaseExpiresAt       time.Time      `json:"leaseExpiresAt"`
	Attempt              int            `json:"attempt"`
	Status               string         `json:"status"`
	Description          string         `json:"description"`
	RequiredCapabilities []string       `json:"requiredCapabilities"`
	Payload              map[string]any `json:"payload"`
	PayloadDigest        string         `json:"payloadDigest"`
	Grant                Grant          `json:"grant"`

	client       *Client
	leaseSeconds int
	onError      func(error)
}

// Handler runs an approved task's side effect with the approved payload (ex.Payload) and returns its
// result (any JSON value). Its ctx is cancelled when a human takes the task over or the lease is
// lost: stop then. An error return fails the task (FailTask with the error's message).
type Handler func(ctx context.Context, ex *Execution) (result any, err error)

// Progress is what a running handler reports.
type Progress struct {
	// Confidence in [0, 1]; below the task's autoEscalation threshold it pauses the task for review.
	Confidence *float64
	Progress   string
}

type heartbeatAnswer struct {
	Status          TaskStatus       `json:"status"`
	Action          string           `json:"action"`
	LeaseExpiresAt  time.Time        `json:"leaseExpiresAt"`
	ApprovalRequest *ApprovalRequest `json:"approvalRequest"`
}

func (ex *Execution) heartbeat(ctx context.Context, p Progress) (*heartbeatAnswer, error) {
	body := map[string]any{"leaseId": ex.LeaseID}
	if ex.leaseSeconds > 0 {
		body["leaseSeconds"] = ex.leaseSeconds
	}
	if p.Confidence != nil {
		body["confidence"] = *p.Confidence
	}
	if p.Progress != "" {
		body["progress"] = p.Progress
	}
	var out heartbeatAnswer
	err := ex.client.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(ex.TaskID) + "/heartbeat", body: body, out: &out})
	if err != nil {
		if ex.onError != nil {
			ex.onError(err)
		}
		return nil, err
	}
	return &out, nil
}

// Heartbeat extends the lease once (the SDK does it for running handlers).
func (ex *Execution) Heartbeat(ctx context.Context) error {
	_, err := ex.heartbeat(ctx, Progress{})
	return err
}

// Report sends progress and confidence. When that pauses the task for a human review it blocks
// until the reviewer lets it go on (nil) or takes over (a *Error with code task_overridden), or
// ctx ends.
func (ex *Execution) Report(ctx context.Context, p Progress) error {
	ans, err := ex.heartbeat(ctx, p)
	for err == nil && ans.Action == "wait" {
		if ans.ApprovalRequest != nil {
			if _, werr := ex.client.WaitApproval(ctx, ans.ApprovalRequest.ID, 30*time.Second); werr != nil && ctx.Err() != nil {
				return ctx.Err()
			}
		} else if serr := sleepCtx(ctx, time.Second); serr != nil {
			return serr
		}
		ans, err = ex.heartbeat(ctx, Progress{})
	}
	return err
}

// StartOptions tunes StartExecution.
type StartOptions struct {
	// Payload, when set, must equal the approved payload (payload_mismatch otherwise).
	Payload map[string]any
	// LeaseSeconds without a heartbeat before the lease expires (5..3600, default 60).
	LeaseSeconds int
}

// StartExecution starts executing an approved task (its requester, assigned resource, or an
// executor) and returns the approved payload, lease and signed grant; finish with CompleteTask or
// FailTask (passing ExecutionID and LeaseID). ExecuteTask with a Handler does all of this for you.
func (c *Client) StartExecution(ctx context.Context, taskID string, opts StartOptions) (*Execution, error) {
	body := map[string]any{}
	if opts.Payload != nil {
		body["payload"] = opts.Payload
	}
	if opts.LeaseSeconds > 0 {
		body["leaseSeconds"] = opts.LeaseSeconds
	}
	var ex Execution
	if err := c.do(ctx, request{method: "POST", path: prefix + "/tasks/" + esc(taskID) + "/execute", body: body, out: &ex}); err != nil {
		return nil, err
	}
	ex.client, ex.leaseSeconds = c, opts.LeaseSeconds
	return &ex, nil
}

// ClaimOptions tunes Claim.
type ClaimOptions struct {
	// Limit is how many tasks to claim at most (1..50, default 1).
	Limit        int
	LeaseSeconds int
	// Wait makes the claim a long-poll (max 60 s): with nothing to claim, the server holds the call
	// until work these capabilities cover is approved (and claims it) or Wait passes (none). 0
	// answers at once.
	Wait time.Duration
}

// LongPollWait is one long-poll round of Worker's claims and ExecuteTask's wait for the workers:
// under the server's 60 s bound, over the 25 s an idle worker may wait between two requests, and
// under common reverse proxies' 60 s read timeout.
const LongPollWait = 30 * time.Second

// Claim hands this worker up to Limit approved tasks whose required capabilities it covers, oldest
// first, each already started (needs the executor role). Worker does this in a loop, with Wait.
//
//	exs, err := client.Claim(ctx, []string{"accounting"}, humanos.ClaimOptions{Wait: 30 * time.Second})
func (c *Client) Claim(ctx context.Context, capabilities []string, opts ClaimOptions) ([]*Execution, error) {
	if capabilities == nil {
		capabilities = []string{}
	}
	body := map[string]any{"capabilities": capabilities}
	if opts.Limit > 0 {
		body["limit"] = opts.Limit
	}
	if opts.LeaseSeconds > 0 {
		body["leaseSeconds"] = opts.LeaseSeconds
	}
	var out struct {
		Items []*Execution `json:"items"`
	}
	path := prefix + "/executions/claim"
	secs := waitSeconds(opts.Wait)
	if secs > 0 {
		path += "?wait=" + strconv.FormatFloat(secs, 'f', -1, 64)
	}
	extra := time.Duration(secs * float64(time.Second))
	if err := c.do(ctx, request{method: "POST", path: path, body: body, extra: extra, out: &out}); err != nil {
		return nil, err
	}
	for _, ex := range out.Items {
		ex.client, ex.leaseSeconds = c, opts.LeaseSeconds
	}
	return out.Items, nil
}

// ExecuteOptions tunes ExecuteTask.
type ExecuteOptions struct {
	// Handler, when set, makes the caller the executor: the SDK starts the execution, runs Handler
	// with the approved payload while heartbeating the lease, then completes or fails the task.
	// When nil, the approved task is left to the capability workers (see Worker) and ExecuteTask
	// waits until it is completed or failed.
	Handler Handler
	// Payload, when set, must equal the approved payload: otherwise the call fails with a 409
	// payload_mismatch *Error (ErrPayloadMismatch) and nothing runs. With a Handler the server
	// compares it; without one the SDK compares its digest with the task's before waiting.
	Payload map[string]any
	// LeaseSeconds of the lease (with a Handler; default 60).
	LeaseSeconds int
	// HeartbeatInterval (with a Handler; default a third of the lease).
	HeartbeatInterval time.Duration
	// Timeout bounds the wait for the workers (without a Handler; 0: until ctx ends). When it runs
	// out ExecuteTask returns the task as it stands with an error matching ErrTimeout.
	Timeout time.Duration
	// PollInterval is, only against an older server without the task long-poll (it answers at
	// once), the first pause between two reads of the task (default 200 ms, growing to 2 s).
	PollInterval time.Duration
}

// ExecuteTask executes an approved task and returns the finished task.
//
// With opts.Handler the caller executes: POST /execute, the handler runs with the approved payload
// while the lease is heartbeated (its ctx is cancelled if a human takes over), then /complete (or
// /fail when the handler returns an error).
//
// Without a handler the task is left to the capability workers that claim it, and ExecuteTask waits
// until it is completed (returns the task, Status "completed", with its Result) or failed (returns the
// task and an error matching ErrTaskFailed). A task that names no capabilities cannot be claimed by a
// worker: ExecuteTask then returns ErrNoExecutor (pass a Handler). A task that is not approved (still
// awaiting approval, rejected, expired, cancelled) gives an error matching ErrInvalidState.
func (c *Client) ExecuteTask(ctx context.Context, taskID string, opts ...ExecuteOptions) (*Task, error) {
	var o ExecuteOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Handler != nil {
		ex, err := c.StartExecution(ctx, taskID, StartOptions{Payload: o.Payload, LeaseSeconds: o.LeaseSeconds})
		if err != nil {
			return nil, err
		}
		return c.RunExecution(ctx, ex, o.Handler, o.HeartbeatInterval)
	}
	return c.waitForWorkers(ctx, taskID, o)
}

// waitForWorkers reads the task once (checks), then long-polls it (LongPollWait per round): the
// server answers as soon as the task finishes, so a task finished within one round costs two
// requests however long it ran. A round answered early and unfinished (an older server without the
// long-poll) is followed by a pause, never by an immediate retry.
func (c *Client) waitForWorkers(ctx context.Context, taskID string, o ExecuteOptions) (*Task, error) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	interval := o.PollInterval
	if interval <= 0 {
		interval = 200 * time.Millisecond
	}
	var wait time.Duration
	for first := true; ; first = false {
		asked := time.Now()
		t, err := c.WaitTask(ctx, taskID, wait)
		if err != nil {
			if o.Timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
				return nil, &Error{Code: "timeout", Detail: fmt.Sprintf("task %s did not finish within %s", taskID, o.Timeout)}
			}
			return nil, err
		}
		if done, err := settled(t, o.Payload, first); done {
			return t, err
		}
		if !first && time.Since(asked) < wait/2 {
			if err := sleepCtx(ctx, interval); err != nil {
				if o.Timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
					return t, &Error{Code: "timeout", Detail: fmt.Sprintf("task %s is still %s after %s", taskID, t.Status, o.Timeout)}
				}
				return t, err
			}
			interval = min(2*time.Second, interval*3/2)
		}
		wait = LongPollWait
		if deadline, ok := ctx.Deadline(); ok {
			// Never past the caller's deadline: the last round ends with it.
			wait = max(100*time.Millisecond, min(wait, time.Until(deadline)))
		}
	}
}

// settled says whether waiting for the workers is over at this read of the task, and with which error.
func settled(t *Task, payload map[string]any, first bool) (bool, error) {
	if first {
		if err := checkPayload(t, payload); err != nil {
			return true, err
		}
	}
	switch t.Status {
	case StatusCompleted:
		return true, nil
	case StatusFailed:
		return true, &Error{Code: "task_failed", Detail: fmt.Sprintf("task %s failed: %s", t.ID, string(t.Error)), Problem: map[string]any{"taskId": t.ID}}
	case StatusAwaitingApproval, StatusRejected, StatusExpired, StatusCancelled:
		return true, &Error{Code: "invalid_state", Detail: fmt.Sprintf("task %s is %s; only an approved task can execute", t.ID, t.Status), Problem: map[string]any{"status": string(t.Status)}}
	case StatusApproved:
		if first && len(t.RequiredCapabilities) == 0 && t.AssignedTo == "" {
			return true, &Error{Code: "no_executor", Detail: fmt.Sprintf("task %s names no capabilities, so no worker will claim it; execute it with a Handler", t.ID)}
		}
	}
	return false, nil
}

// checkPayload refuses a payload that is not the approved one, as the server's /execute does (409
// payload_mismatch with both digests): the workers run the approved payload, so waiting for them under
// another one would pretend it ran.
func checkPayload(t *Task, payload map[string]any) error {
	if payload == nil || t.PayloadDigest == "" {
		return nil
	}
	given, err := ledger.PayloadDigest(payload)
	if err != nil {
		return &Error{Code: "invalid_argument", Detail: "payload: " + err.Error(), Err: err}
	}
	if given == t.PayloadDigest {
		return nil
	}
	return &Error{
		Code: "payload_mismatch", Status: 409, Detail: "the payload differs from the approved payload; it needs a new approval",
		Problem: map[string]any{"code": "payload_mismatch", "approvedDigest": t.PayloadDigest, "givenDigest": given},
	}
}

// stopCodes are answers that mean "this attempt is over: stop the side effect".
var stopCodes = map[string]bool{"task_overridden": true, "lease_lost": true, "invalid_state": true, "forbidden": true}

// RunExecution runs handler for a started execution: it heartbeats the lease every interval (default
// a third of the lease), cancels the handler's ctx when a human takes over or the lease is lost, then
// completes the task with the handler's result or fails it with the handler's error. When the
// attempt was stopped it returns that *Error (task_overridden / lease_lost) and reports nothing.
func (c *Client) RunExecution(ctx context.Context, ex *Execution, handler Handler, heartbeatInterval time.Duration) (*Task, error) {
	if ex.client == nil {
		ex.client = c
	}
	lease := ex.leaseSeconds
	if lease <= 0 {
		lease = 60
	}
	if heartbeatInterval <= 0 {
		heartbeatInterval = time.Duration(lease) * time.Second / 3
	}
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var stopped error
	stop := func(err error) {
		var herr *Error
		if errors.As(err, &herr) && stopCodes[herr.Code] {
			mu.Lock()
			if stopped == nil {
				stopped = herr
			}
			mu.Unlock()
			cancel(herr)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(heartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-hctx.Done():
				return
			case <-t.C:
				if _, err := ex.heartbeat(hctx, Progress{}); err != nil {
					stop(err)
				}
			}
		}
	}()
	// Report calls inside the handler go through the same stop logic.
	rex := *ex
	result, herr := runHandler(hctx, &rex, handler, stop)
	close(done)
	wg.Wait()
	mu.Lock()
	s := stopped
	mu.Unlock()
	if s != nil {
		return nil, s
	}
	if herr != nil {
		if ctx.Err() != nil {
			return nil, herr
		}
		if _, ferr := c.FailTask(ctx, ex.TaskID, map[string]any{"message": herr.Error()}, FinishOptions{ExecutionID: ex.ExecutionID, LeaseID: ex.LeaseID}); ferr != nil {
			return nil, fmt.Errorf("%w (and reporting the failure failed: %v)", herr, ferr)
		}
		return nil, herr
	}
	return c.CompleteTask(ctx, ex.TaskID, result, FinishOptions{ExecutionID: ex.ExecutionID, LeaseID: ex.LeaseID})
}

func runHandler(ctx context.Context, ex *Execution, h Handler, stop func(error)) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v", r)
		}
	}()
	ex.onError = stop
	return h(ctx, ex)
}
