package humanos

import (
	"encoding/json"
	"fmt"
	"time"
)

// Error is every failure the SDK reports: an RFC 9457 problem answered by the server (Status ≥ 400,
// Code one of the server's stable codes such as "already_decided"), a transport failure
// (Code "network_error", Status 0), or a client-side refusal (Status 0, Code as documented on the
// call). Branch on Code, never on the message:
//
//	var herr *humanos.Error
//	if errors.As(err, &herr) && herr.Code == "already_decided" { … }
//	if errors.Is(err, humanos.ErrTaskOverridden) { … } // same, through a sentinel
type Error struct {
	// Code is the stable machine-readable code (see docs/api.md), e.g. "validation_failed".
	Code string
	// Status is the HTTP status, or 0 when no answer came (network) or the SDK refused by itself.
	Status int
	// Detail is the human-readable explanation.
	Detail string
	// Method and Path name the request ("" for client-side errors).
	Method, Path string
	// RequestID identifies the request: the server's x-request-id when it sends one, otherwise the
	// X-Request-Id the SDK sent with it (useful to correlate with proxies and logs).
	RequestID string
	// RetryAfter is how long the server asked the caller to wait before trying again (its Retry-After
	// header, seconds or an HTTP date, on a 429 or 503); HasRetryAfter says whether it sent one.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Problem is the full problem+json body, including extensions such as "status" or "overriddenBy".
	Problem map[string]any
	// Err is the underlying transport error, if any.
	Err error
}

func (e *Error) Error() string {
	s := "humanos: "
	if e.Method != "" {
		s += e.Method + " " + e.Path + ": "
	}
	if e.Status != 0 {
		s += fmt.Sprintf("%d ", e.Status)
	}
	s += e.Code
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code (so the sentinels below match).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code && (t.Status == 0 || t.Status == e.Status)
}

// Sentinels for errors.Is; they match any *Error with the same Code. The server's codes are the
// generated ErrorCode constants (types.gen.go), so a code the server no longer has fails to compile.
var (
	ErrUnauthorized          = &Error{Code: string(ErrorCodeUnauthorized)}
	ErrForbidden             = &Error{Code: string(ErrorCodeForbidden)}
	ErrNotFound              = &Error{Code: string(ErrorCodeNotFound)}
	ErrValidationFailed      = &Error{Code: string(ErrorCodeValidationFailed)}
	ErrAlreadyDecided        = &Error{Code: string(ErrorCodeAlreadyDecided)}
	ErrAlreadySeated         = &Error{Code: string(ErrorCodeAlreadySeated)}
	ErrOutOfTurn             = &Error{Code: string(ErrorCodeOutOfTurn)}
	ErrRequesterCannotDecide = &Error{Code: string(ErrorCodeRequesterCannotDecide)}
	ErrAgentCannotDecide     = &Error{Code: string(ErrorCodeAgentCannotDecide)}
	ErrRoleRequired          = &Error{Code: string(ErrorCodeRoleRequired)}
	ErrTaskOverridden        = &Error{Code: string(ErrorCodeTaskOverridden)}
	ErrLeaseLost             = &Error{Code: string(ErrorCodeLeaseLost)}
	ErrInvalidState          = &Error{Code: string(ErrorCodeInvalidState)}
	ErrPayloadMismatch       = &Error{Code: string(ErrorCodePayloadMismatch)}
	// ErrStalePayload matches a *StalePayloadError (409 stale_payload).
	ErrStalePayload = &Error{Code: string(ErrorCodeStalePayload)}
	// ErrPayloadDigestRequired matches a *PayloadDigestRequiredError (428 payload_digest_required).
	ErrPayloadDigestRequired = &Error{Code: string(ErrorCodePayloadDigestRequired)}
	ErrApprovalExpired       = &Error{Code: string(ErrorCodeApprovalExpired)}
	ErrIdempotencyKeyReused  = &Error{Code: string(ErrorCodeIdempotencyKeyReused)}
	ErrNetwork               = &Error{Code: "network_error"}
	// ErrTaskFailed: ExecuteTask waited for a task that its executor reported as failed.
	ErrTaskFailed = &Error{Code: "task_failed"}
	// ErrNoExecutor: ExecuteTask without a handler on a task that names no capabilities, which no
	// worker can claim (its requester runs it: pass a Handler).
	ErrNoExecutor = &Error{Code: "no_executor"}
	// ErrTimeout: a wait bounded by a Timeout option ran out.
	ErrTimeout = &Error{Code: "timeout"}
)

// PayloadChange is one difference between two versions of a payload. Path is a JSON pointer
// ("/iban"); From and To are the JSON values, nil when the member was added (From) or removed (To).
type PayloadChange struct {
	Path string          `json:"path"`
	From json.RawMessage `json:"from,omitempty"`
	To   json.RawMessage `json:"to,omitempty"`
}

// StalePayloadError is a decision refused with 409 stale_payload: it named a payload version
// (SeenDigest) that is no longer the current one (CurrentDigest) — the payload was edited after its
// maker was shown it. Nothing was written. errors.As also finds the underlying *Error, and
// errors.Is(err, ErrStalePayload) holds.
type StalePayloadError struct {
	// APIError is the answer itself (code, status, request id, the problem document).
	APIError *Error
	// SeenDigest is the digest the decision named.
	SeenDigest string
	// CurrentDigest is the digest of the payload as it stands: send it to decide on that version.
	CurrentDigest string
	// CurrentPayload is the payload as it stands.
	CurrentPayload map[string]any
	// Diff is what changed from the seen version to the current one; nil when the server cannot tell.
	Diff []PayloadChange
}

func (e *StalePayloadError) Error() string { return e.APIError.Error() }

// Unwrap returns the underlying *Error.
func (e *StalePayloadError) Unwrap() error { return e.APIError }

// PayloadDigestRequiredError is an approval refused with 428 payload_digest_required: the payload
// has been edited since it was proposed, so an approval must name the version it approves
// (ApproveView, or ApproveRequest.PayloadDigest). Nothing was written.
type PayloadDigestRequiredError struct {
	APIError *Error
}

func (e *PayloadDigestRequiredError) Error() string { return e.APIError.Error() }

// Unwrap returns the underlying *Error.
func (e *PayloadDigestRequiredError) Unwrap() error { return e.APIError }

// typedError is the error an answer amounts to: the typed errors for their codes, else e itself.
func typedError(e *Error) error {
	switch e.Code {
	case "stale_payload":
		s := &StalePayloadError{APIError: e}
		if raw, err := json.Marshal(e.Problem); err == nil {
			var p struct {
				SeenDigest     string          `json:"seenDigest"`
				CurrentDigest  string          `json:"currentDigest"`
				CurrentPayload map[string]any  `json:"currentPayload"`
				Diff           []PayloadChange `json:"diff"`
			}
			if json.Unmarshal(raw, &p) == nil {
				s.SeenDigest, s.CurrentDigest, s.CurrentPayload, s.Diff = p.SeenDigest, p.CurrentDigest, p.CurrentPayload, p.Diff
			}
		}
		return s
	case "payload_digest_required":
		return &PayloadDigestRequiredError{APIError: e}
	}
	return e
}

func problemError(method, path string, status int, body []byte, requestID string) *Error {
	e := &Error{Method: method, Path: path, Status: status, RequestID: requestID, Code: fmt.Sprintf("http_%d", status)}
	var p map[string]any
	if json.Unmarshal(body, &p) == nil {
		e.Problem = p
		if c, ok := p["code"].(string); ok && c != "" {
			e.Code = c
		}
		if d, ok := p["detail"].(string); ok {
			e.Detail = d
		}
	}
	if e.Detail == "" {
		e.Detail = fmt.Sprintf("%s %s answered %d", method, path, status)
	}
	return e
}
