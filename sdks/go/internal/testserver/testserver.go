// Package testserver connects the SDK's tests to the real HumanOS server that
// test-support/sdk-suites.ts starts per backend, and makes principals on it.
package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/human/sdk-go/humanos"
)

// Server is the server under test, reached with the admin's token.
type Server struct {
	URL   string
	Admin *humanos.Client
	// Backend is "sqlite" or "postgres" (HUMANOS_TEST_BACKEND).
	Backend string
}

// Get returns the server under test. Without HUMANOS_TEST_URL the test is skipped, except under
// CI=true, where a missing server is a failure.
func Get(t testing.TB) *Server {
	t.Helper()
	url := os.Getenv("HUMANOS_TEST_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("HUMANOS_TEST_URL is not set and CI=true: the SDK suite needs a real server (run it through test-support/sdk-suites.ts)")
		}
		t.Skip("HUMANOS_TEST_URL is not set: run through `npx tsx test-support/sdk-suites.ts go` to test against a real server")
	}
	token := os.Getenv("HUMANOS_TEST_ADMIN_TOKEN")
	if token == "" {
		t.Fatal("HUMANOS_TEST_URL is set but HUMANOS_TEST_ADMIN_TOKEN is not")
	}
	return &Server{URL: url, Admin: humanos.NewClient(humanos.WithBaseURL(url), humanos.WithAPIKey(token)), Backend: os.Getenv("HUMANOS_TEST_BACKEND")}
}

// Suffix is a random lowercase-hex suffix for ids and roles, unique per test.
func Suffix() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Principal creates a principal (did:<kind>:<name>-<suffix>) and returns its id and a client with
// its token.
func (s *Server) Principal(t testing.TB, kind, name string, roles []string, capabilities ...string) (string, *humanos.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := "did:" + kind + ":" + name + "-" + Suffix()
	p, err := s.Admin.CreatePrincipal(ctx, humanos.CreatePrincipalRequest{ID: id, Kind: kind, Roles: roles, Capabilities: capabilities})
	if err != nil {
		t.Fatalf("creating principal %s: %v", id, err)
	}
	if p.Token == "" {
		t.Fatalf("principal %s came back without a token", id)
	}
	return id, humanos.NewClient(humanos.WithBaseURL(s.URL), humanos.WithAPIKey(p.Token))
}

// PendingGate polls c's inbox until a pending gate of taskID shows up.
func PendingGate(ctx context.Context, t testing.TB, c *humanos.Client, taskID string) humanos.ApprovalRequest {
	t.Helper()
	for {
		page, err := c.Inbox(ctx, humanos.InboxQuery{Limit: 200})
		if err != nil {
			t.Errorf("inbox: %v", err)
			return humanos.ApprovalRequest{}
		}
		for _, item := range page.Items {
			if item.TaskID == taskID {
				return item
			}
		}
		select {
		case <-ctx.Done():
			t.Errorf("no pending gate for %s in the inbox: %v", taskID, ctx.Err())
			return humanos.ApprovalRequest{}
		case <-time.After(100 * time.Millisecond):
		}
	}
}
