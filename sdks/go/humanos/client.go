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
	"strconv"
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
	// maxRetryAfter: the longest Retry-After waited out by the client itself.
	maxRetryAfter time.Duration
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

// WithMaxRetryAfter sets the longest Retry-After the client waits out by itself before a retry
// (default 30 s); a longer one ends the call at once with the *Error, its RetryAfter set.
func WithMaxRetryAfter(d time.Duration) Option { return func(c *Client) { c.maxRetryAfter = d } }

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

		maxRetryAfter: 30 * time.Second,
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

// retryStatuses are the answers a safe request is retried after (with no answer at all).
var retryStatuses = map[int]bool{429: true, 502: true, 503: true, 504: true}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// do sends a request with its retries. The rule is the same in the three SDKs
// (sdks/conformance/cases.json checks it): only a request that is safe to repeat (r.retry: a GET, or a
// write carrying an idempotency key, reused by each retry) is retried, after no answer or a
// 429/502/503/504, at most c.retries times. A Retry-After is waited out when it is at most
// c.maxRetryAfter (a longer one ends the call with the error); without one, exponential backoff with
// jitter. Every attempt of a call carries the same Idempotency-Key and its own X-Request-Id (the
// server adopts it as the id of that request; an *Error carries the last attempt's).
func (c *Client) do(ctx context.Context, r request) error {
	var body []byte
	if r.body != nil {
		var err error
		if body, err = json.Marshal(r.body); err != nil {
			return &Error{Code: "invalid_argument", Detail: "request body: " + err.Error(), Method: r.method, Path: r.path, Err: err}
		}
	}
	for attempt := 0; ; attempt++ {
		err := c.once(ctx, r, body, newID())
		if err == nil {
			return nil
		}
		var herr *Error
		if !errors.As(err, &herr) || ctx.Err() != nil {
			return err
		}
		d, again := c.retryDelay(r, herr, attempt)
		if !again {
			return err
		}
		if serr := sleepCtx(ctx, d); serr != nil {
			return serr
		}
	}
}

// retryDelay is how long to wait before retrying r after e on its attempt-th retry (0-based), and
// whether to retry at all.
func (c *Client) retryDelay(r request, e *Error, attempt int) (time.Duration, bool) {
	if !r.retry || attempt >= c.retries {
		return 0, false
	}
	if e.Code != "network_error" && !retryStatuses[e.Status] {
		return 0, false
	}
	if e.HasRetryAfter {
		return e.RetryAfter, e.RetryAfter <= c.maxRetryAfter
	}
	d := time.Duration(math.Min(float64(2*time.Second), float64(c.backoff)*math.Pow(2, float64(attempt))))
	return time.Duration(float64(d) * (0.5 + mrand.Float64())), true
}

// parseRetryAfter reads a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, at.Sub(now)), true
}

func (c *Client) once(parent context.Context, r request, body []byte, reqID string) error {
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
		e.RetryAfter, e.HasRetryAfter = parseRetryAfter(res.Header.Get("Retry-After"), time.Now())
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
