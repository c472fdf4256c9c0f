package humanos

// The shared retry and header cases (sdks/conformance/cases.json) against the Go SDK: each case gets
// its own scripted HTTP server on loopback answering the case's responses in order. The TypeScript
// and Python SDKs run the same file (packages/sdk/test/conformance.test.ts,
// sdks/python/tests/test_conformance.py).

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type confResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Problem string            `json:"problem"`
	Text    *string           `json:"text"`
	Body    string            `json:"body"`
}

type confCase struct {
	Name      string         `json:"name"`
	Op        string         `json:"op"`
	Responses []confResponse `json:"responses"`
	Expect    struct {
		Outcome        string `json:"outcome"`
		Requests       int    `json:"requests"`
		MinElapsedMs   int    `json:"minElapsedMs"`
		IdempotencyKey string `json:"idempotencyKey"`
		Error          *struct {
			Code              string   `json:"code"`
			Status            int      `json:"status"`
			RetryAfterSeconds *float64 `json:"retryAfterSeconds"`
			RequestID         string   `json:"requestId"`
		} `json:"error"`
	} `json:"expect"`
}

type confSpec struct {
	APIKey string `json:"apiKey"`
	Ops    map[string]struct {
		Method string `json:"method"`
		Path   string `json:"path"`
	} `json:"ops"`
	Bodies       map[string]json.RawMessage `json:"bodies"`
	Cases        []confCase                 `json:"cases"`
	EveryRequest struct {
		UserAgentPattern string `json:"userAgentPattern"`
		Authorization    string `json:"authorization"`
		RequestIDHeader  string `json:"requestIdHeader"`
		// RequestIDPerAttempt: "distinct" (each attempt its own id).
		RequestIDPerAttempt string `json:"requestIdPerAttempt"`
	} `json:"everyRequest"`
}

type seenRequest struct {
	method, path string
	header       http.Header
}

var httpDate = regexp.MustCompile(`^@http-date\+(\d+)$`)

// scripted answers responses in order (the last one again when they run out) and records requests.
func scripted(t *testing.T, spec *confSpec, responses []confResponse) (*httptest.Server, func() []seenRequest) {
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, seenRequest{r.Method, r.URL.RequestURI(), r.Header.Clone()})
		spec := responses[min(len(seen), len(responses))-1]
		mu.Unlock()
		for k, v := range spec.Headers {
			if m := httpDate.FindStringSubmatch(v); m != nil {
				n, _ := strconv.Atoi(m[1])
				v = time.Now().Add(time.Duration(n) * time.Second).UTC().Format(http.TimeFormat)
			}
			w.Header().Set(k, v)
		}
		body, ctype := confRender(spec, t)
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(spec.Status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]seenRequest(nil), seen...)
	}
}

var confBodies map[string]json.RawMessage

func confRender(r confResponse, t *testing.T) ([]byte, string) {
	switch {
	case r.Problem != "":
		doc, _ := json.Marshal(map[string]any{"type": "about:blank", "title": r.Problem, "status": r.Status, "code": r.Problem, "detail": "conformance " + r.Problem})
		return doc, "application/problem+json"
	case r.Text != nil:
		return []byte(*r.Text), "text/html"
	default:
		b, ok := confBodies[r.Body]
		if !ok {
			t.Errorf("cases.json: no body %q", r.Body)
		}
		return b, "application/json"
	}
}

func confCall(ctx context.Context, c *Client, op string) error {
	var err error
	switch op {
	case "get_task":
		_, err = c.GetTask(ctx, "t_conf")
	case "create_task":
		_, err = c.CreateTask(ctx, CreateTaskRequest{Description: "conformance"})
	default:
		_, err = c.CreatePrincipal(ctx, CreatePrincipalRequest{ID: "did:agent:conf", Roles: []string{"agent"}})
	}
	return err
}

func TestConformance(t *testing.T) {
	raw, err := os.ReadFile("../../conformance/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec confSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	confBodies = spec.Bodies
	ua := regexp.MustCompile(spec.EveryRequest.UserAgentPattern)
	for _, tc := range spec.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			srv, seen := scripted(t, &spec, tc.Responses)
			c := NewClient(WithBaseURL(srv.URL), WithAPIKey(spec.APIKey), WithTimeout(5*time.Second))
			start := time.Now()
			err := confCall(context.Background(), c, tc.Op)
			elapsed := time.Since(start)
			reqs := seen()
			if len(reqs) != tc.Expect.Requests {
				t.Fatalf("requests: got %d, want %d", len(reqs), tc.Expect.Requests)
			}
			op := spec.Ops[tc.Op]
			keys, rids := map[string]bool{}, map[string]bool{}
			for _, r := range reqs {
				rids[r.header.Get(spec.EveryRequest.RequestIDHeader)] = true
				if r.method != op.Method || r.path != op.Path {
					t.Errorf("request %s %s, want %s %s", r.method, r.path, op.Method, op.Path)
				}
				if got := r.header.Get("User-Agent"); !ua.MatchString(got) || !strings.HasPrefix(got, "humanos-sdk-go/") {
					t.Errorf("User-Agent %q", got)
				}
				if got := r.header.Get("Authorization"); got != spec.EveryRequest.Authorization {
					t.Errorf("Authorization %q", got)
				}
				if r.header.Get(spec.EveryRequest.RequestIDHeader) == "" {
					t.Errorf("no %s", spec.EveryRequest.RequestIDHeader)
				}
				keys[r.header.Get("Idempotency-Key")] = true
			}
			if spec.EveryRequest.RequestIDPerAttempt != "distinct" || len(rids) != len(reqs) {
				t.Errorf("request ids: %d distinct for %d attempts", len(rids), len(reqs))
			}
			switch tc.Expect.IdempotencyKey {
			case "absent":
				if len(keys) != 1 || !keys[""] {
					t.Errorf("Idempotency-Key sent: %v", keys)
				}
			case "stable":
				if len(keys) != 1 || keys[""] {
					t.Errorf("Idempotency-Key not one key on every attempt: %v", keys)
				}
			}
			if floor := time.Duration(tc.Expect.MinElapsedMs) * time.Millisecond; elapsed < floor {
				t.Errorf("returned after %v, before the Retry-After (%v)", elapsed, floor)
			}
			if tc.Expect.Outcome == "ok" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var herr *Error
			if !errors.As(err, &herr) {
				t.Fatalf("want *Error, got %v", err)
			}
			want := tc.Expect.Error
			if herr.Code != want.Code || herr.Status != want.Status || herr.RequestID != want.RequestID {
				t.Errorf("got %s %d %q, want %s %d %q", herr.Code, herr.Status, herr.RequestID, want.Code, want.Status, want.RequestID)
			}
			if want.RetryAfterSeconds != nil {
				wantRA := time.Duration(*want.RetryAfterSeconds * float64(time.Second))
				if !herr.HasRetryAfter || herr.RetryAfter != wantRA {
					t.Errorf("RetryAfter %v (sent: %v), want %v", herr.RetryAfter, herr.HasRetryAfter, wantRA)
				}
			}
		})
	}
}
