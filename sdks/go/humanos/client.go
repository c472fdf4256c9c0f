package humanos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	mrand "math/rand"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Version is the SDK version, sent in the User-Agent.
const Version = "0.1.0"

const prefix = "/v1/humanos"

// Client talks to one HumanOS server with one principal's token. It is safe for concurrent use.
// Every method takes a context.Context first; cancelling it aborts the call (and any wait).
//
//	c := humanos.NewClient(humanos.WithBaseURL("http://127.0.0.1:8787"), humanos.WithAPIKey(token))
//	task, err := c.CreateTask(ctx, humanos.CreateTaskRequest{Description: "Rotate the TLS certificate"})
type Client struct {
	baseURL   string
	apiKey    string
	http      *http.Client
	timeout   time.Duration
	retries   int
	userAgent string
	// backoff base; tests shorten it.
	backoff time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the server's base URL (default: HUMANOS_URL, else http://127.0.0.1:8787).
func WithBaseURL(u string) Option { return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") } }

// WithAPIKey sets the bearer token (default: HUMANOS_API_KEY).
func WithAPIKey(token string) Option { return func(c *Client) { c.apiKey = token } }

// WithHTTPClient sets the *http.Client requests go through (default: a client without a global
// timeout; each request gets its own, see WithTimeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithTimeout sets the per-request timeout (long-polls add their wait). Default 30 s.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetries sets how often a safe request (a GET, or a create or decision carrying an idempotency key) is
// retried after a network error or a 429/502/503/504 answer. Default 3.
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// NewClient returns a client configured from the environment (HUMANOS_URL, HUMANOS_API_KEY), then
// from opts.
func NewClient(opts ...Option) *Client {
	c := &Client{
		baseURL:   strings.TrimRight(envOr("HUMANOS_URL", "http://127.0.0.1:8787"), "/"),
		apiKey:    os.Getenv("HUMANOS_API_KEY"),
		http:      &http.Client{},
		timeout:   30 * time.Second,
		retries:   3,
		userAgent: "humanos-sdk-go/" + Version,
		backoff:   100 * time.Millisecond,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL is the server this client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

type request struct {
	method string
	path   string
	body   any
	header map[string]string
	// retry: safe to repeat (GETs, POSTs with an idempotency key).
	retry bool
	// extra time on top of the client's timeout (long-polls).
	extra time.Duration
	// out: decode the answer into this (nil: discard; *[]byte: raw body).
	out any
}

var retryStatuses = map[int]bool{429: true, 502: true, 503: true, 504: true}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// do sends a request, retrying safe ones with exponential backoff and jitter.
func (c *Client) do(ctx context.Context, r request) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return &Error{Code: "invalid_argument", Detail: "request body: " + err.Error(), Method: r.method, Path: r.path, Err: err}
		}
	}
	attempts := 1
	if r.retry {
		attempts += c.retries
	}
	var last *Error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			d := time.Duration(math.Min(float64(2*time.Second), float64(c.backoff)*math.Pow(2, float64(attempt-1))))
			d = time.Duration(float64(d) * (0.5 + mrand.Float64()))
			if last != nil && last.Status == 429 {
				if ra, ok := last.Problem["retryAfter"].(float64); ok && ra > 0 {
					d = time.Duration(ra * float64(time.Second))
				}
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(d):
			}
		}
		err := c.once(ctx, r, body)
		if err == nil {
			return nil
		}
		var herr *Error
		if !errors.As(err, &herr) {
			return err
		}
		last = herr
		if ctx.Err() != nil {
			return err
		}
		if herr.Code != "network_error" && !retryStatuses[herr.Status] {
			return err
		}
	}
	return last
}

func (c *Client) once(parent context.Context, r request, body []byte) error {
	ctx, cancel := context.WithTimeout(parent, c.timeout+r.extra)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.baseURL+r.path, rd)
	if err != nil {
		return &Error{Code: "invalid_argument", Detail: err.Error(), Method: r.method, Path: r.path, Err: err}
	}
	reqID := newID()
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Request-Id", reqID)
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if parent.Err() != nil {
			// The caller cancelled or its deadline passed: report that, not a network failure.
			return parent.Err()
		}
		return &Error{Code: "network_error", Detail: err.Error(), Method: r.method, Path: r.path, RequestID: reqID, Err: err}
	}
	defer res.Body.Close()
	if id := res.Header.Get("X-Request-Id"); id != "" {
		reqID = id
	}
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return &Error{Code: "network_error", Detail: "reading the answer: " + err.Error(), Method: r.method, Path: r.path, RequestID: reqID, Err: err}
	}
	if res.StatusCode >= 400 {
		e := problemError(r.method, r.path, res.StatusCode, data, reqID)
		if ra := res.Header.Get("Retry-After"); ra != "" && e.Problem != nil {
			if d, err := time.ParseDuration(ra + "s"); err == nil {
				e.Problem["retryAfter"] = d.Seconds()
			}
		}
		return typedError(e)
	}
	switch out := r.out.(type) {
	case nil:
		return nil
	case *[]byte:
		*out = data
		return nil
	default:
		if err := json.Unmarshal(data, out); err != nil {
			return &Error{Code: "bad_response", Status: res.StatusCode, Detail: "decoding the answer: " + err.Error(), Method: r.method, Path: r.path, RequestID: reqID, Err: err}
		}
		return nil
	}
}

func esc(s string) string { return url.PathEscape(s) }

func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
