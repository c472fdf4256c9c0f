package humanos

import (
	"context"
	"iter"
)

// pages yields every item of a cursor-paged list, fetching the next page only when the loop reaches
// it. A failed fetch is yielded once as (zero, err) and ends the sequence; breaking out of the loop
// fetches nothing more.
func pages[T any](fetch func(cursor string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		for {
			items, next, err := fetch(cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range items {
				if !yield(item, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			cursor = next
		}
	}
}

// AllTasks yields every task ListTasks shows (q.Limit per page, q.Cursor to start from), newest
// first, one page at a time as the loop goes:
//
//	for task, err := range c.AllTasks(ctx, humanos.ListTasksQuery{Status: humanos.StatusAwaitingApproval}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(task.ID, task.Description)
//	}
func (c *Client) AllTasks(ctx context.Context, q ListTasksQuery) iter.Seq2[Task, error] {
	return pages(func(cursor string) ([]Task, string, error) {
		q.Cursor = firstNonEmpty(cursor, q.Cursor)
		p, err := c.ListTasks(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}

// AllInbox yields every gate of the caller's inbox (see Inbox), one page at a time as the loop goes.
func (c *Client) AllInbox(ctx context.Context, q InboxQuery) iter.Seq2[ApprovalRequest, error] {
	return pages(func(cursor string) ([]ApprovalRequest, string, error) {
		q.Cursor = firstNonEmpty(cursor, q.Cursor)
		p, err := c.Inbox(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}

// AllAuditReviews yields every review AuditReviews shows, newest period first, page by page.
func (c *Client) AllAuditReviews(ctx context.Context, q AuditReviewsQuery) iter.Seq2[AuditReview, error] {
	return pages(func(cursor string) ([]AuditReview, string, error) {
		q.Cursor = firstNonEmpty(cursor, q.Cursor)
		p, err := c.AuditReviews(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}

// AllAuditReviewTasks yields every run a review covers, oldest first, page by page.
func (c *Client) AllAuditReviewTasks(ctx context.Context, reviewID string, q PageQuery) iter.Seq2[ReviewedTask, error] {
	return pages(func(cursor string) ([]ReviewedTask, string, error) {
		q.Cursor = firstNonEmpty(cursor, q.Cursor)
		p, err := c.AuditReviewTasks(ctx, reviewID, q)
		if err != nil {
			return nil, "", err
		}
		return p.Items, p.NextCursor, nil
	})
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
