package main

import (
	"fmt"
	"github.com/human/sdk-go/humanos"
	"time"
)

func deployCodeWithApproval(deployConfig humanos.DeploymentConfig) error {
	// Create task with HITL enabled
	task, err := humanos.CreateTask(humanos.CreateTaskRequest{
		Description:          fmt.Sprintf("Deploy %s to production", deployConfig.Service),
		RequiredCapabilities: []string{"devops", "kubernetes"},
		HumanInLoop: &humanos.HITLConfig{
			Enabled:               true,
			ApprovalRequired:      "before_execution",
			ApproverRole:          "senior_engineer",
			ApprovalTimeout:       600,  // 10 minutes
			RequireExplicitReason: true, // Force approver to provide reason
		},
	})
	if err != nil {
		return fmt.Errorf("failed to create task: %w", err)
	}
	fmt.Printf("Task created: %s\n", task.ID)
	fmt.Printf("Awaiting approval from senior engineer...\n")
	// Wait for human approval
	approval, err := humanos.WaitForApproval(task.ID, humanos.ApprovalOptions{
		OnApprovalRequest: func(req humanos.ApprovalRequest) {
			fmt.Printf("🚀 Deployment ready for approval:\n")
			fmt.Printf(" Service: %s\n", deployConfig.Service)
			fmt.Printf(" Environment: %s\n", deployConfig.Environment)
			fmt.Printf(" Version: %s\n", deployConfig.Version)
			fmt.Printf(" AI Safety Check: %s\n", req.AISafetyCheck)
			fmt.Printf(" AI Confidence: %.2f\n", req.AIProposal.Confidence)
		},
	})
	if err != nil {
		return fmt.Errorf("approval wait failed: %w", err)
	}
	if approval.Approved {
		fmt.Printf("✅ Deployment approved by %s\n", approval.ApprovedBy)
		fmt.Printf(" Approval reason: %s\n", approval.ApprovalReason)
		// Execute deployment
		result, err := humanos.ExecuteTask(task.ID)
		if err != nil {
			return fmt.Errorf("deployment failed: %w", err)
		}
		fmt.Printf("Deployment completed: %s\n", result.Status)
		return nil
	}
	fmt.Printf("❌ Deployment rejected by %s\n", approval.RejectedBy)
	fmt.Printf(" Rejection reason: %s\n", approval.RejectionReason)
	return fmt.Errorf("deployment rejected: %s", approval.RejectionReason)
}

// The seed's snippet imports "time" but never uses it, and Go refuses an unused import; this one
// line, appended after the snippet, is the only addition to it (deploy_test.go checks that the
// rest of this file is the seed's snippet token for token).
var _ = time.Second
