package humanos

import (
	"context"
	"time"
)

// DelegationRequest creates a delegation (docs/delegation.md): the caller's roles (all but admin
// unless Roles names some) go to Delegate for the window [StartsAt, EndsAt).
type DelegationRequest struct {
	// Delegate is the person who decides on the caller's behalf (an enabled human).
	Delegate string `json:"delegate"`
	// Delegator is for admins only: delegate for someone else (default: the caller).
	Delegator string `json:"delegator,omitempty"`
	// StartsAt is the start of the window, inclusive (zero: now).
	StartsAt time.Time `json:"-"`
	// EndsAt is the end of the window, exclusive; at most the policy's delegation.maxDays (30) after the start.
	EndsAt time.Time `json:"-"`
	// Roles limits it to these roles.
	Roles []string `json:"roles,omitempty"`
	// Scope limits it by the policy's action matcher ("match") and/or risk levels ("riskLevels").
	Scope map[string]any `json:"scope,omitempty"`
	// OutOfOffice turns on the channels' auto-reply naming the delegate.
	OutOfOffice bool `json:"outOfOffice,omitempty"`
	// Message is the out-of-office note.
	Message string `json:"message,omitempty"`
}

// DelegationChange is new terms for a delegation (zero members stay as they are).
type DelegationChange struct {
	StartsAt    time.Time
	EndsAt      time.Time
	Roles       []string
	Scope       map[string]any
	OutOfOffice *bool
	Message     *string
}

// DelegationsQuery selects the caller's delegations: Side "delegator" (given), "delegate"
// (received) or "" (both); IncludeEnded adds ended ones.
type DelegationsQuery struct {
	Side         string
	IncludeEnded bool
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func (r DelegationRequest) body() map[string]any {
	b := map[string]any{"delegate": r.Delegate, "endsAt": stamp(r.EndsAt)}
	set(b, "delegator", r.Delegator)
	set(b, "startsAt", stamp(r.StartsAt))
	set(b, "message", r.Message)
	if len(r.Roles) > 0 {
		b["roles"] = r.Roles
	}
	if r.Scope != nil {
		b["scope"] = r.Scope
	}
	if r.OutOfOffice {
		b["outOfOffice"] = true
	}
	return b
}

func set(b map[string]any, k, v string) {
	if v != "" {
		b[k] = v
	}
}

// CreateDelegation lets another enabled human decide the caller's requests on their behalf for a
// bounded window. Refusals are *Error with a stable Code: "delegation_to_self",
// "delegate_not_human", "delegate_disabled", "delegate_holds_seat", "delegation_role_not_held",
// "delegation_cascade", "delegation_window_invalid", "delegation_too_long". Not retried.
//
//	d, err := ann.CreateDelegation(ctx, humanos.DelegationRequest{
//		Delegate: "did:human:bob", EndsAt: time.Now().Add(14 * 24 * time.Hour), OutOfOffice: true,
//	})
func (c *Client) CreateDelegation(ctx context.Context, req DelegationRequest) (*Delegation, error) {
	var d Delegation
	if err := c.do(ctx, request{method: "POST", path: prefix + "/delegations", body: req.body(), out: &d}); err != nil {
		return nil, err
	}
	return &d, nil
}

// Delegations lists the caller's delegations (in force or scheduled; ended ones with IncludeEnded).
func (c *Client) Delegations(ctx context.Context, q DelegationsQuery) ([]Delegation, error) {
	var page struct {
		Items []Delegation `json:"items"`
	}
	ended := ""
	if q.IncludeEnded {
		ended = "true"
	}
	path := prefix + "/delegations" + query("as", q.Side, "includeEnded", ended)
	if err := c.do(ctx, request{method: "GET", path: path, retry: true, out: &page}); err != nil {
		return nil, err
	}
	return page.Items, nil
}

// GetDelegation returns one delegation (its delegator, its delegate or an admin).
func (c *Client) GetDelegation(ctx context.Context, id string) (*Delegation, error) {
	var d Delegation
	if err := c.do(ctx, request{method: "GET", path: prefix + "/delegations/" + esc(id), retry: true, out: &d}); err != nil {
		return nil, err
	}
	return &d, nil
}

// UpdateDelegation sets new terms on a delegation that has not ended (the start only before its
// window begins); "delegation_ended" once it has.
func (c *Client) UpdateDelegation(ctx context.Context, id string, ch DelegationChange) (*Delegation, error) {
	b := map[string]any{}
	set(b, "startsAt", stamp(ch.StartsAt))
	set(b, "endsAt", stamp(ch.EndsAt))
	if len(ch.Roles) > 0 {
		b["roles"] = ch.Roles
	}
	if ch.Scope != nil {
		b["scope"] = ch.Scope
	}
	if ch.OutOfOffice != nil {
		b["outOfOffice"] = *ch.OutOfOffice
	}
	if ch.Message != nil {
		b["message"] = *ch.Message
	}
	var d Delegation
	if err := c.do(ctx, request{method: "PATCH", path: prefix + "/delegations/" + esc(id), body: b, out: &d}); err != nil {
		return nil, err
	}
	return &d, nil
}

// EndDelegation ends a delegation now: its delegator, its delegate declining it, or an admin.
func (c *Client) EndDelegation(ctx context.Context, id, reason string) (*Delegation, error) {
	b := map[string]any{}
	set(b, "reason", reason)
	var d Delegation
	if err := c.do(ctx, request{method: "POST", path: prefix + "/delegations/" + esc(id) + "/end", body: b, out: &d}); err != nil {
		return nil, err
	}
	return &d, nil
}
