package humanos

import (
	"context"
	"sync"
)

var (
	defaultMu     sync.Mutex
	defaultClient *Client
)

// Default returns the client behind the package-level functions, built on first use from
// HUMANOS_URL and HUMANOS_API_KEY.
func Default() *Client {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultClient == nil {
		defaultClient = NewClient()
	}
	return defaultClient
}

// SetDefault replaces the client behind the package-level functions (e.g. after changing the
// environment in a test). SetDefault(nil) makes the next call rebuild it from the environment.
func SetDefault(c *Client) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultClient = c
}

// The package-level functions below are the seed's surface: the default client with
// context.Background(). Use a *Client's methods to pass a context.

// CreateTask creates a task with the default client (see Client.CreateTask).
func CreateTask(req CreateTaskRequest) (*CreatedTask, error) {
	return Default().CreateTask(context.Background(), req)
}

// GetTask returns a task with the default client (see Client.GetTask).
func GetTask(taskID string) (*Task, error) { return Default().GetTask(context.Background(), taskID) }

// ListTasks lists the caller's tasks with the default client (see Client.ListTasks).
func ListTasks(q ListTasksQuery) (*TaskPage, error) {
	return Default().ListTasks(context.Background(), q)
}

// WaitForApproval waits for the human decision with the default client (see Client.WaitForApproval).
func WaitForApproval(taskID string, opts ...ApprovalOptions) (*Approval, error) {
	return Default().WaitForApproval(context.Background(), taskID, opts...)
}

// ExecuteTask executes an approved task with the default client (see Client.ExecuteTask): without
// a handler it waits for the capability workers and returns the completed task.
func ExecuteTask(taskID string, opts ...ExecuteOptions) (*Task, error) {
	return Default().ExecuteTask(context.Background(), taskID, opts...)
}

// CancelTask withdraws a task with the default client (see Client.CancelTask).
func CancelTask(taskID, reason string) (*Task, error) {
	return Default().CancelTask(context.Background(), taskID, reason)
}

// OverrideTask takes over a running task with the default client (see Client.OverrideTask).
func OverrideTask(taskID string, req OverrideRequest) (*OverrideResult, error) {
	return Default().OverrideTask(context.Background(), taskID, req)
}

// CompleteTask completes a running task with the default client (see Client.CompleteTask).
func CompleteTask(taskID string, result any, opts ...FinishOptions) (*Task, error) {
	return Default().CompleteTask(context.Background(), taskID, result, opts...)
}

// FailTask fails a running task with the default client (see Client.FailTask).
func FailTask(taskID string, failure any, opts ...FinishOptions) (*Task, error) {
	return Default().FailTask(context.Background(), taskID, failure, opts...)
}

// ProvideFeedback records feedback with the default client (see Client.ProvideFeedback).
func ProvideFeedback(taskID string, req FeedbackRequest) (*Feedback, error) {
	return Default().ProvideFeedback(context.Background(), taskID, req)
}

// Approve approves a gate with the default client (see Client.Approve).
func Approve(approvalID string, req ApproveRequest) (*DecisionResult, error) {
	return Default().Approve(context.Background(), approvalID, req)
}

// Reject rejects a gate with the default client (see Client.Reject).
func Reject(approvalID string, req RejectRequest) (*DecisionResult, error) {
	return Default().Reject(context.Background(), approvalID, req)
}

// ApproveView approves the gate a view shows, for the payload version it shows, with the default
// client (see Client.ApproveView).
func ApproveView(view *ApprovalRequest, req ApproveRequest) (*DecisionResult, error) {
	return Default().ApproveView(context.Background(), view, req)
}

// RejectView rejects the gate a view shows, naming its payload version, with the default client
// (see Client.RejectView).
func RejectView(view *ApprovalRequest, req RejectRequest) (*DecisionResult, error) {
	return Default().RejectView(context.Background(), view, req)
}

// Inbox lists the caller's gates with the default client (see Client.Inbox).
func Inbox(q InboxQuery) (*ApprovalPage, error) { return Default().Inbox(context.Background(), q) }
