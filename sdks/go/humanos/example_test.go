package humanos_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/human/sdk-go/humanos"
)

// The seed's flow with the package-level functions (HUMANOS_URL, HUMANOS_API_KEY).
func Example() {
	task, err := humanos.CreateTask(humanos.CreateTaskRequest{
		Description:          "Deploy billing to production",
		RequiredCapabilities: []string{"devops", "kubernetes"},
		HumanInLoop: &humanos.HITLConfig{
			Enabled: true, ApprovalRequired: "before_execution", ApproverRole: "senior_engineer",
			ApprovalTimeout: 600, RequireExplicitReason: true,
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	approval, err := humanos.WaitForApproval(task.ID, humanos.ApprovalOptions{
		OnApprovalRequest: func(req humanos.ApprovalRequest) {
			fmt.Printf("AI Safety Check: %s (confidence %.2f)\n", req.AISafetyCheck, req.AIProposal.Confidence)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if !approval.Approved {
		log.Fatalf("rejected by %s: %s", approval.RejectedBy, approval.RejectionReason)
	}
	result, err := humanos.ExecuteTask(task.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Deployment completed:", result.Status)
}

// A worker process for the devops and kubernetes capabilities, stopped gracefully by SIGTERM.
func ExampleWorker() {
	w := &humanos.Worker{
		Client:       humanos.NewClient(), // an executor's token in HUMANOS_API_KEY
		Capabilities: []string{"devops", "kubernetes"},
		Concurrency:  4,
		Handler: func(ctx context.Context, ex *humanos.Execution) (any, error) {
			// ex.Payload is the approved payload; ex.ExecutionID is stable across attempts: use it as
			// the idempotency key of the deploy. ctx is cancelled if a human takes over.
			return map[string]any{"rolledOut": ex.Payload["version"]}, nil
		},
		OnError: func(err error) { log.Println("worker:", err) },
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := w.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// An approver's client: the inbox, then a decision with a reason.
func ExampleClient_Approve() {
	ctx := context.Background()
	approver := humanos.NewClient(humanos.WithAPIKey(os.Getenv("APPROVER_TOKEN")))
	page, err := approver.Inbox(ctx, humanos.InboxQuery{})
	if err != nil {
		log.Fatal(err)
	}
	for _, req := range page.Items {
		fmt.Println(req.Task.Description, "—", req.AISafetyCheck)
		_, err := approver.Approve(ctx, req.ID, humanos.ApproveRequest{ApprovalReason: "change window is open"})
		var herr *humanos.Error
		if errors.As(err, &herr) && herr.Code == "already_decided" {
			continue // someone else was faster
		} else if err != nil {
			log.Fatal(err)
		}
	}
}

// The caller executes with a handler instead of leaving the task to workers.
func ExampleClient_ExecuteTask() {
	ctx := context.Background()
	c := humanos.NewClient()
	done, err := c.ExecuteTask(ctx, "task:human:0123456789abcdef01234567", humanos.ExecuteOptions{
		Handler: func(ctx context.Context, ex *humanos.Execution) (any, error) {
			return map[string]any{"sent": len(ex.Payload)}, nil
		},
	})
	if errors.Is(err, humanos.ErrTaskOverridden) {
		return // a human took over
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(done.Status)
}
