package humanos_test

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// unattendedToday creates n unattended daily runs on one UTC day (a batch astride midnight is
// redone) and returns their ids and that day.
func unattendedToday(ctx context.Context, t *testing.T, agent *humanos.Client, n int) ([]string, string) {
	t.Helper()
	for range 3 {
		var ids []string
		days := map[string]bool{}
		for i := 0; i < n; i++ {
			created, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{
				Description:    "Nightly cleanup",
				HumanInLoop:    &humanos.HITLConfig{Disable: true},
				AuditFrequency: "daily",
			})
			if err != nil {
				t.Fatal(err)
			}
			task, err := agent.GetTask(ctx, created.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, created.ID)
			days[task.CreatedAt.UTC().Format(time.DateOnly)] = true
		}
		if len(days) == 1 {
			for day := range days {
				return ids, day
			}
		}
	}
	t.Fatal("three batches astride midnight")
	return nil, ""
}

// reviewRuns reads every run a review covers, limit per page, through the auto-paging iterator.
func reviewRuns(ctx context.Context, t *testing.T, c *humanos.Client, reviewID string, limit int) []humanos.ReviewedTask {
	t.Helper()
	var all []humanos.ReviewedTask
	for run, err := range c.AllAuditReviewTasks(ctx, reviewID, humanos.PageQuery{Limit: limit}) {
		if err != nil {
			t.Fatalf("review tasks: %v", err)
		}
		all = append(all, run)
	}
	return all
}

func covers(runs []humanos.ReviewedTask, ids []string) bool {
	seen := map[string]bool{}
	for _, r := range runs {
		seen[r.TaskID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			return false
		}
	}
	return true
}

// openReviewCovering polls until an open daily review covers all of ids. The suite's server
// reviews today's daily runs on its next sweep (HUMANOS_TEST_REVIEW_CLOCK_OFFSET_MS in test mode,
// see test-support/sdk-suites.ts); other tests' runs of the day share the review.
func openReviewCovering(ctx context.Context, t *testing.T, auditor *humanos.Client, ids []string) humanos.AuditReview {
	t.Helper()
	for {
		for r, err := range auditor.AllAuditReviews(ctx, humanos.AuditReviewsQuery{Status: humanos.ReviewOpen, Frequency: humanos.ReviewDaily, Limit: 50}) {
			if err != nil {
				t.Fatalf("audit reviews: %v", err)
			}
			if covers(reviewRuns(ctx, t, auditor, r.ID, 2), ids) {
				// Read again: the listed row may predate runs the sweeper added while we paged.
				fresh, err := auditor.AuditReview(ctx, r.ID)
				if err != nil {
					t.Fatalf("audit review: %v", err)
				}
				return *fresh
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no open daily review covers %v: %v", ids, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Periodic audit reviews: list with filters, read, page the runs, complete with a flagged run; a
// second completion is a conflict, and agents are refused.
func TestAuditReviews(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	_, agent := srv.Principal(t, "agent", "nightly", nil)
	auditorID, auditor := srv.Principal(t, "human", "audra", []string{"auditor"})
	_, botAuditor := srv.Principal(t, "agent", "audit-bot", []string{"auditor"})

	ids, day := unattendedToday(ctx, t, agent, 3)
	// Unattended without an AuditFrequency: no review covers it.
	unreviewed, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Tag tickets", HumanInLoop: &humanos.HITLConfig{Disable: true}})
	if err != nil {
		t.Fatal(err)
	}

	review := openReviewCovering(ctx, t, auditor, ids)
	if review.Frequency != humanos.ReviewDaily || review.Status != humanos.ReviewOpen || review.AuditorRole != "auditor" {
		t.Fatalf("review: %+v", review)
	}
	if got := review.PeriodStart.UTC().Format(time.RFC3339); got != day+"T00:00:00Z" || !review.PeriodEnd.Equal(review.PeriodStart.Add(24*time.Hour)) {
		t.Fatalf("period %s .. %s, want the day %s", review.PeriodStart, review.PeriodEnd, day)
	}
	counted := 0
	for _, n := range review.StatusCounts {
		counted += n
	}
	if review.TaskCount < 3 || counted != review.TaskCount {
		t.Fatalf("task count %d, status counts %v", review.TaskCount, review.StatusCounts)
	}
	if review.CompletedAt != nil || review.Outcome != "" || review.CompletedLedgerIndex != nil || review.OpenedAt.IsZero() {
		t.Fatalf("an open review: %+v", review)
	}

	// Read: the same review; the sample is runs it covers, each with why it was picked.
	got, err := auditor.AuditReview(ctx, review.ID)
	if err != nil || got.ID != review.ID || got.TaskCount != review.TaskCount || got.LedgerIndex != review.LedgerIndex {
		t.Fatalf("read: %+v %v", got, err)
	}
	runs := reviewRuns(ctx, t, auditor, review.ID, 2)
	if !covers(runs, ids) || len(runs) != review.TaskCount || covers(runs, []string{unreviewed.ID}) {
		t.Fatalf("runs of the review: %d, want %d with %v and without %s", len(runs), review.TaskCount, ids, unreviewed.ID)
	}
	if !sort.SliceIsSorted(runs, func(i, j int) bool { return runs[i].CreatedAt.Before(runs[j].CreatedAt) }) {
		t.Fatal("runs are not oldest first")
	}
	if len(got.Sample) == 0 || !covers(runs, sampleIDs(got.Sample)) {
		t.Fatalf("sample %+v is not runs of the review", got.Sample)
	}
	for _, s := range got.Sample {
		if (s.Reason != "failed" && s.Reason != "high_risk" && s.Reason != "random") || s.Requester == "" {
			t.Fatalf("sampled run: %+v", s)
		}
	}
	first, err := auditor.AuditReviewTasks(ctx, review.ID, humanos.PageQuery{Limit: 2})
	if err != nil || len(first.Items) != 2 || first.NextCursor == "" {
		t.Fatalf("first page: %+v %v", first, err)
	}

	// Filters.
	listed := func(q humanos.AuditReviewsQuery) map[string]bool {
		t.Helper()
		page, err := auditor.AuditReviews(ctx, q)
		if err != nil {
			t.Fatalf("audit reviews %+v: %v", q, err)
		}
		out := map[string]bool{}
		for _, r := range page.Items {
			out[r.ID] = true
		}
		return out
	}
	if !listed(humanos.AuditReviewsQuery{Frequency: humanos.ReviewDaily})[review.ID] {
		t.Fatal("not listed as daily")
	}
	if listed(humanos.AuditReviewsQuery{Frequency: humanos.ReviewWeekly})[review.ID] {
		t.Fatal("listed as weekly")
	}
	if listed(humanos.AuditReviewsQuery{Status: humanos.ReviewCompleted, Limit: 200})[review.ID] {
		t.Fatal("listed as completed while open")
	}
	if one, err := auditor.AuditReviews(ctx, humanos.AuditReviewsQuery{Limit: 1}); err != nil || len(one.Items) != 1 {
		t.Fatalf("limit 1: %+v %v", one, err)
	}

	// Who may: an agent reads nothing; an agent holding the auditor role reads but never signs off.
	_, err = agent.AuditReviews(ctx, humanos.AuditReviewsQuery{})
	wantCode(t, "agent lists", err, "forbidden", 403)
	if !errors.Is(err, humanos.ErrForbidden) {
		t.Fatal("errors.Is(ErrForbidden)")
	}
	_, err = agent.AuditReview(ctx, review.ID)
	wantCode(t, "agent reads", err, "forbidden", 403)
	if _, err := botAuditor.AuditReview(ctx, review.ID); err != nil {
		t.Fatalf("an agent auditor reads: %v", err)
	}
	_, err = botAuditor.CompleteAuditReview(ctx, review.ID, humanos.CompleteAuditReviewRequest{Outcome: humanos.OutcomeNoIssues, Findings: "looks fine to me"})
	wantCode(t, "agent auditor completes", err, "forbidden", 403)

	// Flagged runs must be runs of this review.
	_, err = auditor.CompleteAuditReview(ctx, review.ID, humanos.CompleteAuditReviewRequest{
		Outcome: humanos.OutcomeIssuesFound, Findings: "wrong run", FlaggedTaskIDs: []string{unreviewed.ID}})
	wantCode(t, "flagging a run of no review", err, "validation_failed", 400)

	findings := "cleanup 2 deleted more than it said"
	done, err := auditor.CompleteAuditReview(ctx, review.ID, humanos.CompleteAuditReviewRequest{
		Outcome: humanos.OutcomeIssuesFound, Findings: findings, FlaggedTaskIDs: []string{ids[1]}})
	if err != nil {
		t.Fatal(err)
	}
	if done.ID != review.ID || done.Status != humanos.ReviewCompleted || done.Outcome != humanos.OutcomeIssuesFound ||
		done.Findings != findings || len(done.FlaggedTaskIDs) != 1 || done.FlaggedTaskIDs[0] != ids[1] ||
		done.CompletedBy != auditorID || done.CompletedAt == nil ||
		done.CompletedLedgerIndex == nil || *done.CompletedLedgerIndex <= done.LedgerIndex {
		t.Fatalf("completed: %+v", done)
	}

	_, err = auditor.CompleteAuditReview(ctx, review.ID, humanos.CompleteAuditReviewRequest{Outcome: humanos.OutcomeNoIssues, Findings: "second look"})
	wantCode(t, "second completion", err, "already_decided", 409)
	if !errors.Is(err, humanos.ErrAlreadyDecided) {
		t.Fatal("errors.Is(ErrAlreadyDecided)")
	}
	if !listed(humanos.AuditReviewsQuery{Status: humanos.ReviewCompleted, Limit: 200})[review.ID] {
		t.Fatal("not listed as completed")
	}
}

func sampleIDs(sample []humanos.SampledTask) []string {
	ids := make([]string, len(sample))
	for i, s := range sample {
		ids[i] = s.TaskID
	}
	return ids
}

// Approver metrics: one decision made, the report lists that approver with one decision (the
// suite's server is shared, so the test looks for its own approver); agents are refused and an
// empty window is a validation error.
func TestApproverMetrics(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "finance_" + testserver.Suffix()
	_, agent := srv.Principal(t, "agent", "payer", nil)
	annID, ann := srv.Principal(t, "human", "ann", []string{role})
	_, auditor := srv.Principal(t, "human", "audra", []string{"auditor"})

	created, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Pay invoice 7", HumanInLoop: &humanos.HITLConfig{ApproverRole: role}})
	if err != nil {
		t.Fatal(err)
	}
	task, err := agent.GetTask(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	gate := testserver.PendingGate(ctx, t, ann, created.ID)
	if _, err := ann.Approve(ctx, gate.ID, humanos.ApproveRequest{ApprovalReason: "invoice checked"}); err != nil {
		t.Fatal(err)
	}

	m, err := auditor.ApproverMetrics(ctx, task.CreatedAt, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Since != task.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z") || m.Truncated || m.FastSeconds != 5 {
		t.Fatalf("report window: %+v (task created %s)", m, task.CreatedAt)
	}
	var mine []humanos.ApproverStats
	for _, a := range m.Approvers {
		if a.Principal == annID {
			mine = append(mine, a)
		}
	}
	if len(mine) != 1 || mine[0].Decisions != 1 || mine[0].Approved != 1 || mine[0].Rejected != 0 || mine[0].ApprovalRate != 1 {
		t.Fatalf("approver %s: %+v", annID, mine)
	}
	roles := 0
	for _, r := range m.Roles {
		if r.Role == role && r.Decisions == 1 {
			roles++
		}
	}
	if roles != 1 {
		t.Fatalf("role %s: %+v", role, m.Roles)
	}

	if _, err := agent.ApproverMetrics(ctx, time.Time{}, time.Time{}); !errors.Is(err, humanos.ErrForbidden) {
		t.Fatalf("agent: %v", err)
	}
	if _, err := auditor.ApproverMetrics(ctx, task.CreatedAt, task.CreatedAt); !errors.Is(err, humanos.ErrValidationFailed) {
		t.Fatalf("empty window: %v", err)
	}
}
