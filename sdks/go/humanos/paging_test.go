package humanos_test

import (
	"net/http"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// countingGETs counts the GETs of one path.
type countingGETs struct {
	path string
	n    atomic.Int32
}

func (c *countingGETs) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && r.URL.Path == c.path {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// AllTasks and AllInbox yield every item across pages, fetch a page only when the loop reaches it,
// and stop fetching when the loop breaks. (AllAuditReviews / AllAuditReviewTasks: audit_test.go.)
func TestAutoPaging(t *testing.T) {
	srv := testserver.Get(t)
	ctx := testCtx(t)
	role := "pager_" + testserver.Suffix()
	_, approver := srv.Principal(t, "human", "pat", []string{role})
	p, err := srv.Admin.CreatePrincipal(ctx, humanos.CreatePrincipalRequest{ID: "did:agent:pager-" + testserver.Suffix(), Kind: "agent", Roles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingGETs{path: "/v1/humanos/tasks"}
	agent := humanos.NewClient(humanos.WithBaseURL(srv.URL), humanos.WithAPIKey(p.Token), humanos.WithHTTPClient(&http.Client{Transport: counter}))
	var ids []string
	for range 5 {
		task, err := agent.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Page", HumanInLoop: &humanos.HITLConfig{Enabled: true, ApproverRole: role}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.ID)
	}
	var all []string
	for task, err := range agent.AllTasks(ctx, humanos.ListTasksQuery{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, task.TaskID)
	}
	if slices.Sort(all); !slices.Equal(all, slices.Sorted(slices.Values(ids))) || counter.n.Load() != 3 {
		t.Fatalf("AllTasks: %v in %d pages, want %v in 3", all, counter.n.Load(), ids)
	}
	counter.n.Store(0)
	seen := 0
	for _, err := range agent.AllTasks(ctx, humanos.ListTasksQuery{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen++; seen == 3 {
			break
		}
	}
	if counter.n.Load() != 2 {
		t.Fatalf("breaking after 3 items fetched %d pages, want 2", counter.n.Load())
	}
	var gates []string
	for gate, err := range approver.AllInbox(ctx, humanos.InboxQuery{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		gates = append(gates, gate.TaskID)
	}
	if slices.Sort(gates); !slices.Equal(gates, slices.Sorted(slices.Values(ids))) {
		t.Fatalf("AllInbox: %v, want %v", gates, ids)
	}
}
