package humanos

import (
	"context"
	"strconv"
	"time"
)

// ReviewFrequency is the AuditFrequency of the unattended runs a periodic audit review covers: the
// server opens one review per UTC day, ISO week or calendar month, after it ends.
type ReviewFrequency string

// The frequencies that get a periodic review ("always" is a per-task spot-check instead).
const (
	ReviewDaily   ReviewFrequency = "daily"
	ReviewWeekly  ReviewFrequency = "weekly"
	ReviewMonthly ReviewFrequency = "monthly"
)

// ReviewStatus is "open" until an auditor completes the review. A run that arrives late for a
// completed review's period reopens it.
type ReviewStatus string

// Review statuses.
const (
	ReviewOpen      ReviewStatus = "open"
	ReviewCompleted ReviewStatus = "completed"
)

// ReviewOutcome is what the auditor concluded.
type ReviewOutcome string

// Review outcomes.
const (
	OutcomeNoIssues    ReviewOutcome = "no_issues"
	OutcomeIssuesFound ReviewOutcome = "issues_found"
)

// ReviewedTask is an unattended run an audit review covers.
type ReviewedTask struct {
	TaskID      string     `json:"taskId"`
	Description string     `json:"description"`
	Requester   string     `json:"requester"`
	Status      TaskStatus `json:"status"`
	// RiskLevel is the task's risk level ("low" … "critical"), "" when it has none.
	RiskLevel string    `json:"riskLevel"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// SampledTask is a run the auditor is asked to inspect, and why.
type SampledTask struct {
	ReviewedTask
	// Reason is "failed", "high_risk" or "random" (failures first, then risky runs, then a draw).
	Reason string `json:"reason"`
}

// AuditReview is one periodic audit review: a UTC period's unattended runs (HumanInLoop disabled,
// AuditFrequency daily, weekly or monthly), a sample to inspect, and once completed the auditor's
// outcome and findings. Opening and completing are both ledger entries.
type AuditReview struct {
	ID        string          `json:"id"`
	Frequency ReviewFrequency `json:"frequency"`
	// PeriodStart and PeriodEnd bound the period, [start, end), in UTC.
	PeriodStart time.Time    `json:"periodStart"`
	PeriodEnd   time.Time    `json:"periodEnd"`
	Status      ReviewStatus `json:"status"`
	// AuditorRole is the role whose holders (humans only) may complete it, besides admins.
	AuditorRole string `json:"auditorRole"`
	// TaskCount is how many runs it covers; StatusCounts counts them by task status.
	TaskCount    int            `json:"taskCount"`
	StatusCounts map[string]int `json:"statusCounts"`
	Sample       []SampledTask  `json:"sample"`
	OpenedAt     time.Time      `json:"openedAt"`
	// LedgerIndex is the audit.review_opened ledger entry.
	LedgerIndex int64 `json:"ledgerIndex"`
	// CompletedAt, CompletedBy, Outcome, Findings and FlaggedTaskIDs are set once completed.
	CompletedAt    *time.Time    `json:"completedAt"`
	CompletedBy    string        `json:"completedBy"`
	Outcome        ReviewOutcome `json:"outcome"`
	Findings       string        `json:"findings"`
	FlaggedTaskIDs []string      `json:"flaggedTaskIds"`
	// CompletedLedgerIndex is the audit.review_completed ledger entry (nil while open).
	CompletedLedgerIndex *int64 `json:"completedLedgerIndex"`
}

// AuditReviewPage is one page of AuditReviews.
type AuditReviewPage struct {
	Items      []AuditReview `json:"items"`
	NextCursor string        `json:"nextCursor"`
}

// ReviewedTaskPage is one page of AuditReviewTasks.
type ReviewedTaskPage struct {
	Items      []ReviewedTask `json:"items"`
	NextCursor string         `json:"nextCursor"`
}

// AuditReviewsQuery filters AuditReviews (zero values: no filter, the server's page size).
type AuditReviewsQuery struct {
	Status    ReviewStatus
	Frequency ReviewFrequency
	// Limit per page, 1..200 (server default 50).
	Limit int
	// Cursor is the previous page's NextCursor.
	Cursor string
}

// PageQuery pages a list: Limit per page (1..200, 0 for the server's default of 50) and the
// previous page's NextCursor ("" for the first page).
type PageQuery struct {
	Limit  int
	Cursor string
}

// CompleteAuditReviewRequest is what an auditor concludes.
type CompleteAuditReviewRequest struct {
	Outcome ReviewOutcome `json:"outcome"`
	// Findings is what the auditor looked at and found; it must not be blank.
	Findings string `json:"findings"`
	// FlaggedTaskIDs are runs of this review that need attention (each must be covered by it).
	FlaggedTaskIDs []string `json:"flaggedTaskIds,omitempty"`
}

// AuditReviews lists periodic audit reviews, newest period first (admin or auditor role; others get
// ErrForbidden). Pass NextCursor back as Cursor for the next page; it is "" on the last page.
//
//	page, err := auditor.AuditReviews(ctx, humanos.AuditReviewsQuery{Status: humanos.ReviewOpen, Frequency: humanos.ReviewDaily})
//	for _, r := range page.Items {
//		fmt.Println(r.PeriodStart, r.TaskCount, len(r.Sample))
//	}
//	_, err = auditor.CompleteAuditReview(ctx, page.Items[0].ID, humanos.CompleteAuditReviewRequest{
//		Outcome: humanos.OutcomeIssuesFound, Findings: "run 2 deleted more than it said", FlaggedTaskIDs: []string{taskID},
//	})
func (c *Client) AuditReviews(ctx context.Context, q AuditReviewsQuery) (*AuditReviewPage, error) {
	var p AuditReviewPage
	path := prefix + "/audit/reviews" + query("status", string(q.Status), "frequency", string(q.Frequency), "limit", limitParam(q.Limit), "cursor", q.Cursor)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// AuditReview returns one review with its counts and the sample to inspect (admin or auditor role).
func (c *Client) AuditReview(ctx context.Context, reviewID string) (*AuditReview, error) {
	var r AuditReview
	if err := c.do(ctx, request{method: "GET", path: prefix + "/audit/reviews/" + esc(reviewID), retry: true, out: &r}); err != nil {
		return nil, err
	}
	return &r, nil
}

// AuditReviewTasks returns one page of the runs a review covers, oldest first (admin or auditor role).
func (c *Client) AuditReviewTasks(ctx context.Context, reviewID string, q PageQuery) (*ReviewedTaskPage, error) {
	var p ReviewedTaskPage
	path := prefix + "/audit/reviews/" + esc(reviewID) + "/tasks" + query("limit", limitParam(q.Limit), "cursor", q.Cursor)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// CompleteAuditReview signs an open review off with an outcome, findings and flagged runs; it is
// recorded in the ledger. Only a human holding the auditor role, or an admin, may (an agent gets
// ErrForbidden, even with the role). A completed review gives ErrAlreadyDecided (409); flagged runs
// the review does not cover, or blank findings, ErrValidationFailed. Not retried: a repeat after a
// lost answer would be refused as already decided.
func (c *Client) CompleteAuditReview(ctx context.Context, reviewID string, req CompleteAuditReviewRequest) (*AuditReview, error) {
	var r AuditReview
	if err := c.do(ctx, request{method: "POST", path: prefix + "/audit/reviews/" + esc(reviewID) + "/complete", body: req, out: &r}); err != nil {
		return nil, err
	}
	return &r, nil
}

func limitParam(n int) string {
	if n > 0 {
		return strconv.Itoa(n)
	}
	return ""
}

// ApproverMetrics reports, per approver and per role, how they decided in [since, until) (admin or
// auditor role; others get ErrForbidden): approval rate, median seconds to decide, the share decided
// in under FastSeconds, edits and rejections, against rubber-stamping. A zero since or until leaves
// that end to the server (the last 30 days up to now); since not before until is ErrValidationFailed.
//
//	m, err := auditor.ApproverMetrics(ctx, time.Now().AddDate(0, 0, -7), time.Time{})
//	for _, a := range m.Approvers {
//		fmt.Println(a.Principal, a.Decisions, a.ApprovalRate, a.FastShare)
//	}
func (c *Client) ApproverMetrics(ctx context.Context, since, until time.Time) (*ApproverMetrics, error) {
	var m ApproverMetrics
	path := prefix + "/audit/approvers" + query("since", isoOrEmpty(since), "until", isoOrEmpty(until))
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &m}); err != nil {
		return nil, err
	}
	return &m, nil
}

// isoOrEmpty is t as the server's RFC 3339 form (UTC, milliseconds), or "" for the zero time.
func isoOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
