package humanos

// The wire types (Task, ApprovalRequest, Decision, TaskStatus, ErrorCode, …) are generated from the
// server's OpenAPI document into types.gen.go (npm run gen:models). This file keeps the types with
// JSON behaviour of their own (HITLConfig, AIProposal, ApprovalPolicy), the request inputs, and methods.

import "encoding/json"

// Terminal reports whether nothing can move the task any more.
func (s TaskStatus) Terminal() bool {
	switch s {
	case StatusCompleted, StatusFailed, StatusRejected, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

// DeploymentConfig describes a deployment, as the seed's deployment example passes it around.
type DeploymentConfig struct {
	Service     string `json:"service"`
	Environment string `json:"environment"`
	Version     string `json:"version"`
}

// HITLConfig is the task's human-in-the-loop request (the `humanInLoop` object of POST /tasks).
// The server's policy can make it stricter, never looser.
//
// Enabled is sent only when true; the server treats an absent `enabled` as true, so a HITLConfig
// never turns the human off by omission. To ask for no human gate, set Disable (the policy floor
// may still require one for risky tasks).
type HITLConfig struct {
	Enabled bool
	// Disable sends `enabled: false`.
	Disable bool
	// ApprovalRequired: "before_execution" (default), "all_decisions" or "critical_only".
	ApprovalRequired string
	// ApproverRole is the role whose holders may decide, e.g. "senior_engineer".
	ApproverRole string
	// ApprovalTimeout is the time to decide, in seconds (0: none).
	ApprovalTimeout int
	// EscalationPolicy on timeout: "auto" (to EscalateTo) or "reject".
	EscalationPolicy string
	EscalateTo       string
	ShowAIReasoning  bool
	// RequireExplicitFeedback: an approver must write feedback.
	RequireExplicitFeedback bool
	// RequireExplicitReason: approving needs an approvalReason (rejecting always does).
	RequireExplicitReason bool
}

type hitlWire struct {
	Enabled                 *bool  `json:"enabled,omitempty"`
	ApprovalRequired        string `json:"approvalRequired,omitempty"`
	ApproverRole            string `json:"approverRole,omitempty"`
	ApprovalTimeout         int    `json:"approvalTimeout,omitempty"`
	EscalationPolicy        string `json:"escalationPolicy,omitempty"`
	EscalateTo              string `json:"escalateTo,omitempty"`
	ShowAIReasoning         bool   `json:"showAIReasoning,omitempty"`
	RequireExplicitFeedback bool   `json:"requireExplicitFeedback,omitempty"`
	RequireExplicitReason   bool   `json:"requireExplicitReason,omitempty"`
}

// MarshalJSON writes the wire form (see the type's comment for Enabled and Disable).
func (h HITLConfig) MarshalJSON() ([]byte, error) {
	w := hitlWire{
		ApprovalRequired: h.ApprovalRequired, ApproverRole: h.ApproverRole, ApprovalTimeout: h.ApprovalTimeout,
		EscalationPolicy: h.EscalationPolicy, EscalateTo: h.EscalateTo, ShowAIReasoning: h.ShowAIReasoning,
		RequireExplicitFeedback: h.RequireExplicitFeedback, RequireExplicitReason: h.RequireExplicitReason,
	}
	if h.Disable {
		f := false
		w.Enabled = &f
	} else if h.Enabled {
		t := true
		w.Enabled = &t
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the wire form; an absent `enabled` reads as Enabled.
func (h *HITLConfig) UnmarshalJSON(b []byte) error {
	var w hitlWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*h = HITLConfig{
		Enabled: w.Enabled == nil || *w.Enabled, Disable: w.Enabled != nil && !*w.Enabled,
		ApprovalRequired: w.ApprovalRequired, ApproverRole: w.ApproverRole, ApprovalTimeout: w.ApprovalTimeout,
		EscalationPolicy: w.EscalationPolicy, EscalateTo: w.EscalateTo, ShowAIReasoning: w.ShowAIReasoning,
		RequireExplicitFeedback: w.RequireExplicitFeedback, RequireExplicitReason: w.RequireExplicitReason,
	}
	return nil
}

// AIProposal is what the agent proposes: the action, why, how confident it is (0..1), and the
// alternatives it considered.
type AIProposal struct {
	Action    string
	Reasoning string
	// Confidence in [0, 1]; 0 with HasConfidence false when the agent stated none.
	Confidence float64
	// HasConfidence is true when a confidence was stated (on input: also implied by Confidence > 0).
	HasConfidence bool
	Alternatives  []string
	// AlternativePayloads is the payload each alternative would execute, by index (nil: text only);
	// an approver may approve one instead of the proposal.
	AlternativePayloads []map[string]any
}

type aiProposalWire struct {
	Action              string           `json:"action,omitempty"`
	Reasoning           *string          `json:"reasoning,omitempty"`
	Confidence          *float64         `json:"confidence,omitempty"`
	Alternatives        []string         `json:"alternatives,omitempty"`
	AlternativePayloads []map[string]any `json:"alternativePayloads,omitempty"`
}

// MarshalJSON writes only what was set.
func (p AIProposal) MarshalJSON() ([]byte, error) {
	w := aiProposalWire{Action: p.Action, Alternatives: p.Alternatives, AlternativePayloads: p.AlternativePayloads}
	if p.Reasoning != "" {
		r := p.Reasoning
		w.Reasoning = &r
	}
	if p.HasConfidence || p.Confidence != 0 {
		c := p.Confidence
		w.Confidence = &c
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads nulls as zero values (HasConfidence says whether a confidence was stated).
func (p *AIProposal) UnmarshalJSON(b []byte) error {
	var w aiProposalWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = AIProposal{Action: w.Action, Alternatives: w.Alternatives, AlternativePayloads: w.AlternativePayloads}
	if w.Reasoning != nil {
		p.Reasoning = *w.Reasoning
	}
	if w.Confidence != nil {
		p.Confidence, p.HasConfidence = *w.Confidence, true
	}
	return nil
}

// ChainStep is one step of a sequential approval chain.
type ChainStep struct {
	Role   string `json:"role"`
	Reason string `json:"reason,omitempty"`
	// Timeout in seconds, counted from when the step opens.
	Timeout int `json:"timeout,omitempty"`
}

// ApprovalPolicy asks for a quorum: Required approvals from holders of the Eligible roles.
type ApprovalPolicy struct {
	// Type is "threshold" (the default when empty).
	Type     string   `json:"type"`
	Required int      `json:"required"`
	Eligible []string `json:"eligible"`
	// Timeout in seconds.
	Timeout int `json:"timeout,omitempty"`
}

// MarshalJSON fills in the default Type.
func (p ApprovalPolicy) MarshalJSON() ([]byte, error) {
	type plain ApprovalPolicy
	if p.Type == "" {
		p.Type = "threshold"
	}
	return json.Marshal(plain(p))
}

// AutoEscalation pauses a running task for human review when the executor's reported confidence
// drops below ConfidenceThreshold.
type AutoEscalation struct {
	Enabled             *bool    `json:"enabled,omitempty"`
	ConfidenceThreshold *float64 `json:"confidenceThreshold,omitempty"`
	EscalateTo          string   `json:"escalateTo,omitempty"`
	EscalationMessage   string   `json:"escalationMessage,omitempty"`
}

// Routing asks a human to pick which registered resource runs the task before it is approved.
type Routing struct {
	ApproverRole string `json:"approverRole,omitempty"`
}

// CreateTaskRequest is the body of POST /tasks (the seed's createTask input).
type CreateTaskRequest struct {
	Description          string          `json:"description"`
	RequiredCapabilities []string        `json:"requiredCapabilities,omitempty"`
	HumanInLoop          *HITLConfig     `json:"humanInLoop,omitempty"`
	Payload              map[string]any  `json:"payload,omitempty"`
	OnBehalfOf           string          `json:"onBehalfOf,omitempty"`
	AIProposal           *AIProposal     `json:"aiProposal,omitempty"`
	RiskAssessment       *RiskAssessment `json:"riskAssessment,omitempty"`
	ApprovalChain        []ChainStep     `json:"approvalChain,omitempty"`
	ApprovalPolicy       *ApprovalPolicy `json:"approvalPolicy,omitempty"`
	AutoEscalation       *AutoEscalation `json:"autoEscalation,omitempty"`
	Routing              *Routing        `json:"routing,omitempty"`
	// AuditFrequency: "always", "daily", "weekly" or "monthly" spot-checks of unattended tasks.
	AuditFrequency string `json:"auditFrequency,omitempty"`
	// IdempotencyKey is sent as the Idempotency-Key header; when empty the SDK makes one, so its own
	// retries never create two tasks. Set it to make your own retries safe across processes.
	IdempotencyKey string `json:"-"`
}

// DecodeResult decodes the task's result into v.
func (t *Task) DecodeResult(v any) error { return json.Unmarshal(t.Result, v) }

// CreatePrincipalRequest is the body of POST /principals (admin).
type CreatePrincipalRequest struct {
	// ID is a DID: did:human:… or did:agent:….
	ID    string   `json:"id"`
	Roles []string `json:"roles"`
	// Kind: "human" or "agent" (must match the DID method).
	Kind         string   `json:"kind,omitempty"`
	Capabilities []string `json:"capabilities,omitempty"`
	// TokenExpiresIn in seconds (60 s to a year); 0: until rotated.
	TokenExpiresIn int `json:"tokenExpiresIn,omitempty"`
}
