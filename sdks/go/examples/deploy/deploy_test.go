package main

import (
	"bytes"
	"context"
	"errors"
	"go/scanner"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
	"github.com/human/sdk-go/internal/testserver"
)

type tok struct {
	t   token.Token
	lit string
}

func tokens(t *testing.T, name string, src []byte) []tok {
	t.Helper()
	var s scanner.Scanner
	fs := token.NewFileSet()
	s.Init(fs.AddFile(name, -1, len(src)), src, func(pos token.Position, msg string) { t.Fatalf("%s: %s", pos, msg) }, scanner.ScanComments)
	var out []tok
	for {
		_, tt, lit := s.Scan()
		if tt == token.EOF {
			return out
		}
		if tt == token.SEMICOLON && lit == "\n" {
			lit = ";" // automatic semicolons: where the lines break does not matter
		}
		out = append(out, tok{tt, lit})
	}
}

// sortImports puts the import paths of the first import block in order, as gofmt does: gofmt
// sorts a block's imports, so the formatted file lists "time" after the SDK's path.
func sortImports(ts []tok) []tok {
	out := append([]tok(nil), ts...)
	for i := 0; i+1 < len(out); i++ {
		if out[i].t == token.IMPORT && out[i+1].t == token.LPAREN {
			var paths []string
			j := i + 2
			for ; j < len(out) && out[j].t != token.RPAREN; j++ {
				if out[j].t == token.STRING {
					paths = append(paths, out[j].lit)
				}
			}
			sort.Strings(paths)
			for k := i + 2; k < j; k++ {
				if out[k].t == token.STRING {
					out[k].lit, paths = paths[0], paths[1:]
				}
			}
			break
		}
	}
	return out
}

// deploy.go is the seed's Go snippet (testdata/seed_snippet.go.txt, copied byte for byte from the
// seed) token for token, comments included, as gofmt formats it (indentation, and the import block
// sorted), followed only by the one line that uses "time".
func TestDeployIsTheSeedSnippet(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed_snippet.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	if doc, err := os.ReadFile("/work/shared/seed/human-in-the-loop.md"); err == nil {
		if !bytes.Contains(doc, append(append([]byte("```go\n"), seed...), []byte("```")...)) {
			t.Fatal("testdata/seed_snippet.go.txt differs from the seed's ```go block")
		}
	}
	file, err := os.ReadFile("deploy.go")
	if err != nil {
		t.Fatal(err)
	}
	want, got := sortImports(tokens(t, "seed", seed)), sortImports(tokens(t, "deploy.go", file))
	if len(got) < len(want) {
		t.Fatalf("deploy.go has %d tokens, the seed %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("token %d: deploy.go has %v %q, the seed %v %q", i, got[i].t, got[i].lit, want[i].t, want[i].lit)
		}
	}
	var rest []string
	for _, x := range got[len(want):] {
		if x.t != token.COMMENT {
			if x.lit != "" {
				rest = append(rest, x.lit)
			} else {
				rest = append(rest, x.t.String())
			}
		}
	}
	if strings.Join(rest, " ") != "var _ = time . Second ;" {
		t.Fatalf("deploy.go adds more than `var _ = time.Second` after the seed's snippet: %v", rest)
	}
}

// The seed's bytes themselves, unformatted, build against this module (with only the line that
// uses "time" appended): go build in a scratch module that replaces github.com/human/sdk-go with
// this checkout. No network: the SDK has no dependencies.
func TestSeedSnippetBytesBuild(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed_snippet.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	mainGo, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":    "module seedcheck\n\ngo 1.22\n\nrequire github.com/human/sdk-go v0.0.0\n\nreplace github.com/human/sdk-go => " + sdk + "\n",
		"deploy.go": string(seed) + "\nvar _ = time.Second\n",
		"main.go":   string(mainGo),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "deploy"), ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the seed's snippet does not build: %v\n%s", err, out)
	}
}

// captureStdout runs f with os.Stdout going to a pipe and returns what it printed.
func captureStdout(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	orig := os.Stdout
	os.Stdout = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	ferr := f()
	os.Stdout = orig
	_ = w.Close()
	return <-out, ferr
}

type scenario struct {
	srv        *testserver.Server
	cfg        humanos.DeploymentConfig
	approverID string
	approver   *humanos.Client
	deployed   []string
	mu         sync.Mutex
	stopWorker context.CancelFunc
	workerDone chan error
}

// setUp makes the agent (the default client the seed's package-level calls use), a senior engineer,
// and a capability worker for devops + kubernetes that runs the deploy.
func setUp(t *testing.T) *scenario {
	srv := testserver.Get(t)
	sc := &scenario{srv: srv, cfg: humanos.DeploymentConfig{Service: "billing-api-" + testserver.Suffix(), Environment: "production", Version: "v1.2.3"}}
	_, agent := srv.Principal(t, "agent", "deploy-pipeline", nil)
	humanos.SetDefault(agent)
	t.Cleanup(func() { humanos.SetDefault(nil) })
	sc.approverID, sc.approver = srv.Principal(t, "human", "senior", []string{"senior_engineer"})
	_, executor := srv.Principal(t, "agent", "k8s-runner", []string{"executor"})
	ctx, cancel := context.WithCancel(context.Background())
	sc.stopWorker, sc.workerDone = cancel, make(chan error, 1)
	w := &humanos.Worker{
		Client: executor, Capabilities: []string{"devops", "kubernetes"}, PollInterval: 100 * time.Millisecond,
		Handler: func(ctx context.Context, ex *humanos.Execution) (any, error) {
			sc.mu.Lock()
			sc.deployed = append(sc.deployed, ex.Description)
			sc.mu.Unlock()
			return map[string]any{"rolledOut": ex.Description, "executionId": ex.ExecutionID}, nil
		},
	}
	go func() { sc.workerDone <- w.Run(ctx) }()
	t.Cleanup(func() {
		sc.stopWorker()
		if err := <-sc.workerDone; err != nil {
			t.Error(err)
		}
	})
	return sc
}

// gate waits for this deployment's gate in the senior engineer's inbox.
func (sc *scenario) gate(ctx context.Context, t *testing.T) humanos.ApprovalRequest {
	want := "Deploy " + sc.cfg.Service + " to production"
	for {
		page, err := sc.approver.Inbox(ctx, humanos.InboxQuery{Limit: 200})
		if err != nil {
			t.Errorf("inbox: %v", err)
			return humanos.ApprovalRequest{}
		}
		for _, g := range page.Items {
			if g.Task.Description == want {
				return g
			}
		}
		select {
		case <-ctx.Done():
			t.Errorf("the deployment never reached the inbox")
			return humanos.ApprovalRequest{}
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// The seed's example, run as is: approved with a reason (the reason is enforced), executed by the
// capability worker, and it prints the approver, the reason and "Deployment completed: completed".
func TestSeedExampleApproved(t *testing.T) {
	sc := setUp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	approved := make(chan struct{})
	go func() {
		defer close(approved)
		g := sc.gate(ctx, t)
		if g.AIProposal.Confidence != 0 || g.ApproverRole != "senior_engineer" {
			t.Errorf("gate: %+v", g)
		}
		// RequireExplicitReason: an approval without a reason is refused.
		_, err := sc.approver.Approve(ctx, g.ID, humanos.ApproveRequest{})
		if !errors.Is(err, humanos.ErrValidationFailed) {
			t.Errorf("approve without a reason: want validation_failed, got %v", err)
		}
		if _, err := sc.approver.Approve(ctx, g.ID, humanos.ApproveRequest{ApprovalReason: "canary is green; change window open"}); err != nil {
			t.Errorf("approve: %v", err)
		}
	}()
	out, err := captureStdout(t, func() error { return deployCodeWithApproval(sc.cfg) })
	<-approved
	if err != nil {
		t.Fatalf("deployCodeWithApproval: %v\n%s", err, out)
	}
	t.Logf("the example printed:\n%s", out)
	for _, want := range []string{
		"Task created: task:human:",
		"Awaiting approval from senior engineer...",
		"🚀 Deployment ready for approval:",
		" Service: " + sc.cfg.Service + "\n",
		" Environment: production\n",
		" Version: v1.2.3\n",
		" AI Confidence: 0.00\n",
		"✅ Deployment approved by " + sc.approverID + "\n",
		" Approval reason: canary is green; change window open\n",
		"Deployment completed: completed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !regexp.MustCompile(` AI Safety Check: risk (medium|high|critical) \(.*(irreversible_action|service_disruption).*production_data.*\); .*policy \S+ v\d+`).MatchString(out) {
		t.Errorf("AI Safety Check line does not summarise the risk and the policy:\n%s", out)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.deployed) != 1 || sc.deployed[0] != "Deploy "+sc.cfg.Service+" to production" {
		t.Fatalf("the worker ran %v, want this deployment once", sc.deployed)
	}
}

// Rejected: the example returns the rejection as an error and prints who rejected and why; the
// worker never runs it.
func TestSeedExampleRejected(t *testing.T) {
	sc := setUp(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	rejected := make(chan struct{})
	go func() {
		defer close(rejected)
		g := sc.gate(ctx, t)
		if _, err := sc.approver.Reject(ctx, g.ID, humanos.RejectRequest{RejectionReason: "error budget exhausted this week"}); err != nil {
			t.Errorf("reject: %v", err)
		}
	}()
	out, err := captureStdout(t, func() error { return deployCodeWithApproval(sc.cfg) })
	<-rejected
	if err == nil || err.Error() != "deployment rejected: error budget exhausted this week" {
		t.Fatalf("want the rejection as an error, got %v\n%s", err, out)
	}
	for _, want := range []string{"❌ Deployment rejected by " + sc.approverID + "\n", " Rejection reason: error budget exhausted this week\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Deployment completed") {
		t.Fatal("a rejected deployment completed")
	}
	time.Sleep(300 * time.Millisecond)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.deployed) != 0 {
		t.Fatalf("the worker ran a rejected deployment: %v", sc.deployed)
	}
}
