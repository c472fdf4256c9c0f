package humanos

import (
	"encoding/json"
	"time"
)

// TaskStatus is where a task stands.
type TaskStatus string

// Task statuses (the server's state machine, see docs/api.md).
const (
	StatusAwaitingApproval TaskStatus = "awaiting_approval"
	StatusApproved         TaskStatus = "approved"
	StatusExecuting        TaskStatus = "executing"
	StatusPaused           TaskStatus = "paused"
	StatusCompleted        TaskStatus = "completed"
	StatusFailed           TaskStatus = "failed"
	StatusRejected         TaskStatus = "rejected"
	StatusExpired          TaskStatus = "expired"
	StatusCancelled        TaskStatus = "cancelled"
	StatusOverridden       TaskStatus = "overridden"
)

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
}

type aiProposalWire struct {
	Action       string   `json:"action,omitempty"`
	Reasoning    *string  `json:"reasoning,omitempty"`
	Confidence   *float64 `json:"confidence,omitempty"`
	Alternatives []string `json:"alternatives,omitempty"`
}

// MarshalJSON writes only what was set.
func (p AIProposal) MarshalJSON() ([]byte, error) {
	w := aiProposalWire{Action: p.Action, Alternatives: p.Alternatives}
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
	*p = AIProposal{Action: w.Action, Alternatives: w.Alternatives}
	if w.Reasoning != nil {
		p.Reasoning = *w.Reasoning
	}
	if w.Confidence != nil {
		p.Confidence, p.HasConfidence = *w.Confidence, true
	}
	return nil
}

// RiskAssessment is the task's risk: the higher of the agent's claim and the server's own rules.
type RiskAssessment struct {
	// Level: "low", "medium", "high" or "critical".
	Level       string   `json:"level,omitempty"`
	Factors     []string `json:"factors,omitempty"`
	Mitigations []string `json:"mitigations,omitempty"`
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

// PolicyApplied names the policy that applied to a task and why.
type PolicyApplied struct {
	ID               string   `json:"id"`
	Version          int      `json:"version"`
	Source           string   `json:"source"`
	RulesApplied     []string `json:"rulesApplied"`
	GateRequired     bool     `json:"gateRequired"`
	FloorApplied     bool     `json:"floorApplied"`
	ApprovalRequired string   `json:"approvalRequired"`
	ApproverRole     string   `json:"approverRole"`
	Reason           string   `json:"reason"`
}

// CreatedTask is the answer to CreateTask.
type CreatedTask struct {
	// ID is the task's id (same as TaskID; the seed reads task.ID).
	ID              string           `json:"-"`
	TaskID          string           `json:"taskId"`
	Status          TaskStatus       `json:"status"`
	ApprovalRequest *ApprovalRequest `json:"approvalRequest"`
	// ApprovalChain lists every gate of a chain (later steps are "waiting").
	ApprovalChain []ApprovalRequest `json:"approvalChain"`
	Policy        PolicyApplied     `json:"policy"`
}

// Decision is one person's recorded decision on a gate.
type Decision struct {
	Principal     string         `json:"principal"`
	Verdict       string         `json:"verdict"`
	Reason        string         `json:"reason"`
	Feedback      string         `json:"feedback"`
	Edits         map[string]any `json:"edits"`
	PayloadDigest string         `json:"payloadDigest"`
	DecidedAt     time.Time      `json:"decidedAt"`
	Signature     string         `json:"signature"`
	LedgerIndex   int64          `json:"ledgerIndex"`
}

// TaskRef is the task an approval request is about.
type TaskRef struct {
	ID                   string         `json:"id"`
	Description          string         `json:"description"`
	Requester            string         `json:"requester"`
	OnBehalfOf           string         `json:"onBehalfOf"`
	Status               TaskStatus     `json:"status"`
	Payload              map[string]any `json:"payload"`
	ProposedPayload      map[string]any `json:"proposedPayload"`
	RequiredCapabilities []string       `json:"requiredCapabilities"`
	Policy               *PolicyApplied `json:"policy"`
}

// ChainLink is one gate of a task's chain as GetApproval shows it.
type ChainLink struct {
	ID           string     `json:"id"`
	Step         int        `json:"step"`
	ApproverRole string     `json:"approverRole"`
	Status       string     `json:"status"`
	Required     int        `json:"required"`
	Reason       string     `json:"reason"`
	Decisions    []Decision `json:"decisions"`
}

// ApprovalRequest is a gate: what a human is asked to decide.
type ApprovalRequest struct {
	ID     string `json:"id"`
	TaskID string `json:"taskId"`
	// Kind: "execution", "decision" (in-run), "review", "routing" or "audit".
	Kind string `json:"kind"`
	// Status: "waiting", "pending", "approved", "rejected", "expired", "escalated" or "cancelled".
	Status           string         `json:"status"`
	RequestedAt      time.Time      `json:"requestedAt"`
	ExpiresAt        *time.Time     `json:"expiresAt"`
	ApproverRole     string         `json:"approverRole"`
	EligibleRoles    []string       `json:"eligibleRoles"`
	Step             int            `json:"step"`
	Reason           string         `json:"reason"`
	Required         int            `json:"required"`
	Approvals        int            `json:"approvals"`
	EscalationPolicy string         `json:"escalationPolicy"`
	EscalateTo       string         `json:"escalateTo"`
	Task             TaskRef        `json:"task"`
	AIProposal       AIProposal     `json:"aiProposal"`
	Alternatives     []string       `json:"alternatives"`
	RiskAssessment   RiskAssessment `json:"riskAssessment"`
	Decisions        []Decision     `json:"decisions"`
	DecidedAt        *time.Time     `json:"decidedAt"`
	// CurrentDigest is the digest ("sha256:<hex>") of the payload an approval of this gate would
	// approve now: ApproveView/RejectView send it (or set PayloadDigest to it), so the decision
	// counts only for the version this view shows.
	CurrentDigest string `json:"currentDigest"`
	// Chain is every gate of the task (GetApproval only).
	Chain []ChainLink `json:"chain"`
	// Payload, ApprovedPayload and PayloadDigest are set on in-run decision gates.
	Payload         map[string]any `json:"payload"`
	ApprovedPayload map[string]any `json:"approvedPayload"`
	PayloadDigest   string         `json:"payloadDigest"`
	// ProposedResource is set on routing gates.
	ProposedResource string `json:"proposedResource"`
	// AISafetyCheck is a readable summary of the risk assessment and of the policy that applied,
	// filled in by WaitForApproval (and by GetApproval). It is not a server field.
	AISafetyCheck string `json:"-"`
}

// Approval is the outcome WaitForApproval returns.
type Approval struct {
	TaskID string     `json:"taskId"`
	Status TaskStatus `json:"status"`
	// Approved is true once the task is approved (also when it has since run); false while
	// undecided and after a rejection, expiry or cancellation.
	Approved bool `json:"approved"`
	Decided  bool `json:"decided"`
	// TimedOut: WaitForApproval stopped because its own Timeout ran out, not because of a decision.
	TimedOut     bool   `json:"-"`
	Expired      bool   `json:"expired"`
	Cancelled    bool   `json:"cancelled"`
	AutoApproved bool   `json:"autoApproved"`
	ApprovalID   string `json:"approvalId"`
	// ApprovedBy is the last approver (the one whose approval completed the gates).
	ApprovedBy      string    `json:"approvedBy"`
	Approvers       []string  `json:"approvers"`
	ApprovedAt      time.Time `json:"approvedAt"`
	ApprovalReason  string    `json:"approvalReason"`
	RejectedBy      string    `json:"rejectedBy"`
	RejectedAt      time.Time `json:"rejectedAt"`
	RejectionReason string    `json:"rejectionReason"`
	Feedback        string    `json:"feedback"`
	// Edits is the human's merged edits (an RFC 7386 merge patch), or nil.
	Edits           map[string]any   `json:"edits"`
	ApprovedPayload map[string]any   `json:"approvedPayload"`
	PayloadDigest   string           `json:"payloadDigest"`
	ApprovalRequest *ApprovalRequest `json:"approvalRequest"`
}

// Lease is the running attempt's lease.
type Lease struct {
	Attempt   int        `json:"attempt"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

// ExecutionRef names a task's execution and its executor.
type ExecutionRef struct {
	ExecutionID string `json:"executionId"`
	Executor    string `json:"executor"`
}

// Task is a task with its gates and decisions (GET /tasks/{id}).
type Task struct {
	ID                   string        `json:"id"`
	TaskID               string        `json:"taskId"`
	Description          string        `json:"description"`
	RequiredCapabilities []string      `json:"requiredCapabilities"`
	Status               TaskStatus    `json:"status"`
	Requester            string        `json:"requester"`
	OnBehalfOf           string        `json:"onBehalfOf"`
	HumanInLoop          *HITLConfig   `json:"humanInLoop"`
	Policy               PolicyApplied `json:"policy"`
	// Payload is the payload now: the proposal with the edits of approvers so far.
	Payload map[string]any `json:"payload"`
	// ProposedPayload is the payload as the agent proposed it.
	ProposedPayload map[string]any `json:"proposedPayload"`
	// ApprovedPayload is what may execute once approved (nil before).
	ApprovedPayload map[string]any    `json:"approvedPayload"`
	PayloadDigest   string            `json:"payloadDigest"`
	AIProposal      AIProposal        `json:"aiProposal"`
	RiskAssessment  RiskAssessment    `json:"riskAssessment"`
	Confidence      *float64          `json:"confidence"`
	Lease           *Lease            `json:"lease"`
	OverriddenBy    string            `json:"overriddenBy"`
	AssignedTo      string            `json:"assignedTo"`
	Approvals       []ApprovalRequest `json:"approvals"`
	Execution       *ExecutionRef     `json:"execution"`
	// Result is what the executor reported on completion (JSON), Error what it reported on failure.
	Result    json.RawMessage `json:"result"`
	Error     json.RawMessage `json:"error"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// DecodeResult decodes the task's result into v.
func (t *Task) DecodeResult(v any) error { return json.Unmarshal(t.Result, v) }

// TaskPage is one page of ListTasks.
type TaskPage struct {
	Items      []Task `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// ApprovalPage is one page of Inbox.
type ApprovalPage struct {
	Items      []ApprovalRequest `json:"items"`
	NextCursor string            `json:"nextCursor"`
}

// Provenance proves a decision: its Ed25519 signature and the ledger inclusion proof against a
// signed checkpoint (see docs/ledger.md and the ledger package).
type Provenance struct {
	ApprovalSignature string   `json:"approvalSignature"`
	LedgerProof       string   `json:"ledgerProof"`
	LedgerIndex       int64    `json:"ledgerIndex"`
	TreeSize          int64    `json:"treeSize"`
	RootHash          string   `json:"rootHash"`
	InclusionProof    []string `json:"inclusionProof"`
	Checkpoint        string   `json:"checkpoint"`
	Signer            string   `json:"signer"`
}

// DecisionResult is the answer to Approve and Reject.
type DecisionResult struct {
	ApprovalID string `json:"approvalId"`
	// Status is the gate's status after the decision ("pending" while a quorum is incomplete).
	Status          string         `json:"status"`
	TaskID          string         `json:"taskId"`
	TaskStatus      TaskStatus     `json:"taskStatus"`
	ApprovedBy      string         `json:"approvedBy"`
	ApprovedAt      time.Time      `json:"approvedAt"`
	ApprovalReason  string         `json:"approvalReason"`
	RejectedBy      string         `json:"rejectedBy"`
	RejectedAt      time.Time      `json:"rejectedAt"`
	RejectionReason string         `json:"rejectionReason"`
	Feedback        string         `json:"feedback"`
	Edits           map[string]any `json:"edits"`
	PayloadDigest   string         `json:"payloadDigest"`
	Provenance      Provenance     `json:"provenance"`
}

// Principal is a person or agent known to the server.
type Principal struct {
	ID             string     `json:"id"`
	Kind           string     `json:"kind"`
	Roles          []string   `json:"roles"`
	Capabilities   []string   `json:"capabilities"`
	CreatedAt      *time.Time `json:"createdAt"`
	CreatedBy      string     `json:"createdBy"`
	DisabledAt     *time.Time `json:"disabledAt"`
	TokenRotatedAt *time.Time `json:"tokenRotatedAt"`
	TokenExpiresAt *time.Time `json:"tokenExpiresAt"`
	// Token is shown once, when the principal is created or its token rotated.
	Token string `json:"token"`
}

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
