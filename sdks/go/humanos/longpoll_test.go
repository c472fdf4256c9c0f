package humanos_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

// No polling (issue 27): an idle Worker waits on the claim long-poll (one request per 30 s, however
// long it idles), and ExecuteTask without a handler waits on the task long-poll (two reads — the
// check and one long-poll — however long the workers take). Requests are counted, as they start, by
// a proxy in front of the server.

// countingProxy forwards every request to target and records "METHOD /path?query" as it starts.
type countingProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	to, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{}
	forward := httputil.NewSingleHostReverseProxy(to)
	// A long-poll abandoned by its client (a stopping worker) is expected, not worth a log line.
	forward.ErrorLog = log.New(io.Discard, "", 0)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.URL.RequestURI())
		p.mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// requests returns the recorded requests with this method and (percent-decoded) path, any query.
func (p *countingProxy) requests(method, path string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.seen {
		m, uri, _ := strings.Cut(s, " ")
		u, _ := url.ParseRequestURI(uri)
		if m == method && u != nil && u.Path == path {
			out = append(out, s)
		}
	}
	return out
}

// principalVia creates a principal whose client talks to baseURL (the proxy).
func principalVia(t *testing.T, srv *testserver.Server, baseURL, kind string, roles []string) *humanos.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := "did:" + kind + ":lp-" + testserver.Suffix()
	p, err := srv.Admin.CreatePrincipal(ctx, humanos.CreatePrincipalRequest{ID: id, Kind: kind, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return humanos.NewClient(humanos.WithBaseURL(baseURL), humanos.WithAPIKey(p.Token))
}

const claimPath = "/v1/humanos/executions/claim"

func TestIdleWorkerMakesOneClaimIn26Seconds(t *testing.T) {
	srv := testserver.Get(t)
	proxy := newCountingProxy(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	capability := "recon_" + testserver.Suffix()
	ran := make(chan map[string]any, 1)
	w := &humanos.Worker{
		Client: principalVia(t, srv, proxy.URL, "agent", []string{"executor"}), Capabilities: []string{capability},
		Handler: func(_ context.Context, ex *humanos.Execution) (any, error) {
			ran <- ex.Payload
			return map[string]any{"ok": true}, nil
		},
	}
	wctx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- w.Run(wctx) }()
	time.Sleep(26 * time.Second)
	claims := proxy.requests("POST", claimPath)
	if len(claims) != 1 || !strings.HasSuffix(claims[0], "?wait=30") {
		t.Fatalf("an idle worker made %d claims in 26 s, want 1 with ?wait=30: %v", len(claims), claims)
	}
	// The claim waiting since then answers the approval: no second request needed to see it.
	_, agent := srv.Principal(t, "agent", "reconciler", nil)
	task := approvedTask(ctx, t, srv, agent, "Reconcile", []string{capability}, "")
	select {
	case p := <-ran:
		if p["rows"] != float64(120) {
			t.Fatalf("ran %v", p)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting worker did not run the approved task")
	}
	done, err := agent.ExecuteTask(ctx, task.TaskID, humanos.ExecuteOptions{Timeout: 20 * time.Second})
	if err != nil || done.Status != humanos.StatusCompleted {
		t.Fatalf("task %v, %v", done, err)
	}
	if n := len(proxy.requests("POST", claimPath)); n > 2 {
		t.Fatalf("%d claims: want the answered one and at most the next", n)
	}
	stop()
	select {
	case err := <-runDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stopping the worker did not abandon its claim long-poll")
	}
}

func TestExecuteTaskWithoutHandlerReadsTwiceAndReturnsOnCompletion(t *testing.T) {
	srv := testserver.Get(t)
	proxy := newCountingProxy(t, srv.URL)
	ctx := testCtx(t)
	capability := "recon_" + testserver.Suffix()
	agent := principalVia(t, srv, proxy.URL, "agent", nil)
	_, worker := srv.Principal(t, "agent", "worker", []string{"executor"})
	task := approvedTask(ctx, t, srv, agent, "Reconcile", []string{capability}, "")

	type result struct {
		task *humanos.Task
		err  error
		at   time.Time
	}
	waiting := make(chan result, 1)
	go func() {
		done, err := agent.ExecuteTask(ctx, task.TaskID, humanos.ExecuteOptions{Timeout: 30 * time.Second})
		waiting <- result{done, err, time.Now()}
	}()
	exs, err := worker.Claim(ctx, []string{capability}, humanos.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		t.Fatalf("claim: %v %v", exs, err)
	}
	// Longer than the old SDK's backoff up to its 2 s pause: a poller would have read several times.
	time.Sleep(3 * time.Second)
	if err := exs[0].Report(ctx, humanos.Progress{Progress: "half way"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if _, err := worker.CompleteTask(ctx, task.TaskID, map[string]any{"rows": 7}, humanos.FinishOptions{LeaseID: exs[0].LeaseID}); err != nil {
		t.Fatal(err)
	}
	completedAt := time.Now()
	r := <-waiting
	delay := r.at.Sub(completedAt)
	t.Logf("completion → ExecuteTask returned: %s", delay)
	if r.err != nil || r.task.Status != humanos.StatusCompleted {
		t.Fatalf("task %v, %v", r.task, r.err)
	}
	reads := proxy.requests("GET", "/v1/humanos/tasks/"+task.TaskID)
	if len(reads) != 2 || strings.Contains(reads[0], "?") || !strings.Contains(reads[1], "?wait=") {
		t.Fatalf("reads of the task: %v (want one check and one long-poll)", reads)
	}
	// Woken by the completion, not by the server's own look (every 4–6 s): generous on a loaded
	// machine, and still tells the two apart.
	if delay >= 4*time.Second {
		t.Fatalf("returned %s after the completion", delay)
	}
}
