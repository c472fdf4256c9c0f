// Package humanos is the Go client of HumanOS, the self-hosted human-in-the-loop approval service:
// agents create tasks, humans approve, edit or reject them, workers execute what was approved, and
// every decision is signed into a tamper-evident ledger (verify it with package
// github.com/human/sdk-go/ledger, or Client.VerifyLedger).
//
// # Two shapes of the same API
//
// Package-level functions (CreateTask, WaitForApproval, ExecuteTask, …) are the seed's surface. They
// use a default client configured from HUMANOS_URL and HUMANOS_API_KEY (see Default, SetDefault)
// and context.Background():
//
//	task, err := humanos.CreateTask(humanos.CreateTaskRequest{
//		Description:          "Deploy billing to production",
//		RequiredCapabilities: []string{"devops", "kubernetes"},
//		HumanInLoop:          &humanos.HITLConfig{Enabled: true, ApproverRole: "senior_engineer", ApprovalTimeout: 600, RequireExplicitReason: true},
//	})
//	approval, err := humanos.WaitForApproval(task.ID, humanos.ApprovalOptions{
//		OnApprovalRequest: func(req humanos.ApprovalRequest) { fmt.Println(req.AISafetyCheck, req.AIProposal.Confidence) },
//	})
//	if approval.Approved {
//		result, err := humanos.ExecuteTask(task.ID) // a capability worker runs it; this waits for the result
//		fmt.Println(result.Status)                  // "completed"
//	}
//
// A *Client (NewClient) has the same calls as methods that take a context.Context first; use it to
// pass deadlines and cancellation, or to act as several principals in one process:
//
//	c := humanos.NewClient(humanos.WithBaseURL("https://humanos.internal"), humanos.WithAPIKey(token))
//	task, err := c.CreateTask(ctx, req)
//
// # Executing
//
// ExecuteTask without a handler leaves the approved task to the capability workers (a Worker in
// another process, claiming tasks whose RequiredCapabilities it covers) and waits for them.
// ExecuteTask with ExecuteOptions.Handler makes the caller the executor. Either way only the approved
// payload (the human's edits applied) runs, under a lease that is heartbeated; when a human
// overrides the task the handler's context is cancelled (context.Cause is a *Error with code
// task_overridden).
//
// # Errors
//
// Every failure is a *Error carrying the server's stable code (docs/api.md), the HTTP status and a
// request id; errors.Is matches the sentinels (ErrAlreadyDecided, ErrTaskOverridden, …). GETs, task
// creation, approvals and rejections (these carry an Idempotency-Key) are retried after network errors
// and 429/502/503/504.
package humanos
