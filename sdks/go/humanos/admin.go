package humanos

import "context"

// Me returns the caller's principal.
func (c *Client) Me(ctx context.Context) (*Principal, error) {
	var p Principal
	if err := c.do(ctx, request{method: "GET", path: prefix + "/me", retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreatePrincipal creates a person or agent (admin) and returns it with its token, shown this once.
//
//	p, err := admin.CreatePrincipal(ctx, humanos.CreatePrincipalRequest{ID: "did:human:ann", Roles: []string{"senior_engineer"}})
//	approver := humanos.NewClient(humanos.WithAPIKey(p.Token))
func (c *Client) CreatePrincipal(ctx context.Context, req CreatePrincipalRequest) (*Principal, error) {
	if req.Roles == nil {
		req.Roles = []string{}
	}
	var p Principal
	if err := c.do(ctx, request{method: "POST", path: prefix + "/principals", body: req, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetPrincipal returns one principal (admin, or the principal itself).
func (c *Client) GetPrincipal(ctx context.Context, id string) (*Principal, error) {
	var p Principal
	if err := c.do(ctx, request{method: "GET", path: prefix + "/principals/" + esc(id), retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPrincipals lists every principal (admin).
func (c *Client) ListPrincipals(ctx context.Context) ([]Principal, error) {
	var out struct {
		Items []Principal `json:"items"`
	}
	if err := c.do(ctx, request{method: "GET", path: prefix + "/principals", retry: true, out: &out}); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// PrincipalChange is what UpdatePrincipal changes (nil fields stay as they are).
type PrincipalChange struct {
	Roles    []string `json:"roles,omitempty"`
	Disabled *bool    `json:"disabled,omitempty"`
}

// UpdatePrincipal changes a principal's roles and/or disables it (admin).
func (c *Client) UpdatePrincipal(ctx context.Context, id string, change PrincipalChange) (*Principal, error) {
	var p Principal
	if err := c.do(ctx, request{method: "PATCH", path: prefix + "/principals/" + esc(id), body: change, retry: true, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// RotateToken replaces a principal's token (admin, or the principal itself); the old one stops
// working at once. expiresIn (seconds, 0 for none) makes the new one short-lived.
func (c *Client) RotateToken(ctx context.Context, id string, expiresIn int) (*Principal, error) {
	body := map[string]any{}
	if expiresIn > 0 {
		body["expiresIn"] = expiresIn
	}
	var p Principal
	if err := c.do(ctx, request{method: "POST", path: prefix + "/principals/" + esc(id) + "/token", body: body, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// RegisterCapabilities registers what the caller can do (for routing).
func (c *Client) RegisterCapabilities(ctx context.Context, capabilities []string) (*Principal, error) {
	if capabilities == nil {
		capabilities = []string{}
	}
	var p Principal
	if err := c.do(ctx, request{method: "PUT", path: prefix + "/me/capabilities", body: map[string]any{"capabilities": capabilities}, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}
