"""Response models: snake_case attributes in Python, camelCase on the wire.

Every model keeps fields it does not know (``model_extra``), so a newer server never breaks an older
SDK. Payloads (``payload``, ``edits``, ``approved_payload``, ``result``) are plain dicts whose keys are
left exactly as they are.

Example:
    >>> approval = Approval.model_validate({'taskId': 't', 'status': 'approved', 'approved': True,
    ...     'decided': True, 'approvedBy': 'did:human:ann', 'edits': {'subject': 'Hi'}})
    >>> approval.approved_by, approval.edits
    ('did:human:ann', {'subject': 'Hi'})
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

__all__ = [
    'AiProposal',
    'Approval',
    'ApprovalRequest',
    'AuditReview',
    'AuditReviewPage',
    'CreatedTask',
    'Decision',
    'DecisionResult',
    'Execution',
    'InRunDecision',
    'InboxPage',
    'Principal',
    'Provenance',
    'ReviewFrequency',
    'ReviewOutcome',
    'ReviewStatus',
    'ReviewedTask',
    'ReviewedTaskPage',
    'RiskAssessment',
    'SampleReason',
    'SampledTask',
    'Task',
    'TaskPage',
    'TaskStatus',
]

TaskStatus = Literal[
    'awaiting_approval',
    'approved',
    'executing',
    'paused',
    'completed',
    'failed',
    'rejected',
    'expired',
    'cancelled',
    'overridden',
]

JsonObject = dict[str, Any]


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra='allow')


class AiProposal(_Model):
    """What the AI proposes: ``action``, ``reasoning``, ``confidence`` (0–1) and ``alternatives``."""

    action: str | None = None
    reasoning: str | None = None
    confidence: float | None = None
    alternatives: list[str] = Field(default_factory=list)


class RiskAssessment(_Model):
    level: str | None = None
    factors: list[str] = Field(default_factory=list)
    mitigations: list[str] = Field(default_factory=list)


class Decision(_Model):
    """One person's signed decision on a gate."""

    principal: str
    verdict: Literal['approved', 'rejected']
    reason: str | None = None
    feedback: str | None = None
    edits: JsonObject | None = None
    payload_digest: str | None = None
    decided_at: str | None = None
    signature: str | None = None
    ledger_index: int | None = None


class ApprovalRequest(_Model):
    """A gate waiting for (or given) a human decision, with the AI's proposal and the risk.

    ``payload`` is the payload the approver is asked to approve (the task's payload now, with earlier
    approvers' edits); ``wait_for_approval`` fills it in before calling ``on_approval_request``.
    """

    id: str
    task_id: str
    kind: str = 'execution'
    status: str
    requested_at: str | None = None
    expires_at: str | None = None
    approver_role: str | None = None
    eligible_roles: list[str] = Field(default_factory=list)
    step: int = 0
    reason: str | None = None
    required: int = 1
    #: Approvals given so far (toward ``required``).
    approvals: int = 0
    escalation_policy: str | None = None
    escalate_to: str | None = None
    task: JsonObject = Field(default_factory=dict)
    ai_proposal: AiProposal = Field(default_factory=AiProposal)
    alternatives: list[str] = Field(default_factory=list)
    risk_assessment: RiskAssessment | None = None
    decisions: list[Decision] = Field(default_factory=list)
    decided_at: str | None = None
    #: The digest (``sha256:<hex>``) of the payload an approval of this gate would approve now: pass
    #: this view to ``approve``/``reject`` (or ``payload_digest=view.current_digest``) and the decision
    #: counts only for this version.
    current_digest: str | None = None
    payload: JsonObject = Field(default_factory=dict)
    chain: list[JsonObject] | None = None

    @model_validator(mode='after')
    def _payload_from_task(self) -> ApprovalRequest:
        # A gate read on its own (GET /approvals/{id}) carries the payload inside its task.
        if not self.payload and isinstance(self.task.get('payload'), dict):
            self.payload = self.task['payload']
        return self


class CreatedTask(_Model):
    """The answer to ``create_task``: the id, the status, the first gate and the policy that applied."""

    task_id: str
    status: TaskStatus
    approval_request: ApprovalRequest | None = None
    approval_chain: list[ApprovalRequest] | None = None
    policy: JsonObject = Field(default_factory=dict)

    @property
    def id(self) -> str:
        """Same as ``task_id`` (the seed reads ``task.id``)."""
        return self.task_id


class Approval(_Model):
    """The outcome of waiting for a decision (``wait_for_approval``).

    ``approved`` is false while undecided (only when your own ``timeout`` ran out: ``timed_out``) and
    after a rejection, expiry or cancellation. ``edits`` is the humans' merged RFC 7386 merge patch;
    ``approved_payload`` the payload that may execute.
    """

    task_id: str
    status: TaskStatus
    approved: bool = False
    decided: bool = False
    timed_out: bool = False
    expired: bool = False
    cancelled: bool = False
    auto_approved: bool = False
    approval_id: str | None = None
    approved_by: str | None = None
    approvers: list[str] = Field(default_factory=list)
    approved_at: str | None = None
    approval_reason: str | None = None
    rejected_by: str | None = None
    rejected_at: str | None = None
    rejection_reason: str | None = None
    feedback: str | None = None
    edits: JsonObject | None = None
    approved_payload: JsonObject | None = None
    payload_digest: str | None = None
    approval_request: ApprovalRequest | None = None


class Task(_Model):
    """A task with its gates, decisions, payloads and outcome."""

    task_id: str
    description: str = ''
    status: TaskStatus
    required_capabilities: list[str] = Field(default_factory=list)
    requester: str | None = None
    on_behalf_of: str | None = None
    human_in_loop: JsonObject | None = None
    policy: JsonObject | None = None
    #: The payload now: the proposal with the edits of approvers so far.
    payload: JsonObject = Field(default_factory=dict)
    #: The payload as the agent proposed it.
    proposed_payload: JsonObject | None = None
    #: What may execute once approved (proposal + every approver's edits).
    approved_payload: JsonObject | None = None
    payload_digest: str | None = None
    ai_proposal: AiProposal | None = None
    risk_assessment: RiskAssessment | None = None
    confidence: float | None = None
    lease: JsonObject | None = None
    overridden_by: str | None = None
    assigned_to: str | None = None
    approvals: list[ApprovalRequest] = Field(default_factory=list)
    execution: JsonObject | None = None
    result: Any = None
    error: Any = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def id(self) -> str:
        return self.task_id


class Execution(_Model):
    """A started execution: the approved payload, the lease and the signed grant."""

    task_id: str
    #: Stable across attempts: use it as the idempotency key of the side effect.
    execution_id: str
    #: This attempt's lease (a fencing token).
    lease_id: str
    lease_expires_at: str | None = None
    attempt: int = 1
    status: str = 'executing'
    description: str = ''
    required_capabilities: list[str] = Field(default_factory=list)
    payload: JsonObject = Field(default_factory=dict)
    payload_digest: str | None = None
    grant: JsonObject = Field(default_factory=dict)


class Provenance(_Model):
    """Proof of a decision: its signature, its ledger index and inclusion proof, the signed checkpoint."""

    approval_signature: str
    ledger_proof: str | None = None
    ledger_index: int
    tree_size: int
    root_hash: str
    inclusion_proof: list[str] = Field(default_factory=list)
    checkpoint: str
    signer: str


class DecisionResult(_Model):
    """The answer to ``approve`` / ``reject``."""

    approval_id: str
    status: str
    task_id: str | None = None
    task_status: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    approval_reason: str | None = None
    rejected_by: str | None = None
    rejected_at: str | None = None
    rejection_reason: str | None = None
    feedback: str | None = None
    edits: JsonObject | None = None
    payload_digest: str | None = None
    provenance: Provenance | None = None


class InRunDecision(_Model):
    """The outcome of ``submit_decision``: whether to go ahead, and with which payload."""

    approved: bool
    decided: bool
    status: str
    payload: JsonObject | None = None
    approval_request: ApprovalRequest | None = None


class Principal(_Model):
    id: str
    kind: str | None = None
    roles: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    #: Only in the answer that created or rotated it.
    token: str | None = None
    token_expires_at: str | None = None


class InboxPage(_Model):
    """One page of the inbox; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[ApprovalRequest]
    next_cursor: str | None = None


class TaskPage(_Model):
    """One page of tasks; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[Task]
    next_cursor: str | None = None


# ---- periodic audit reviews ------------------------------------------------------------------------

#: The ``audit_frequency`` of the unattended runs a review covers (one review per UTC period).
ReviewFrequency = Literal['daily', 'weekly', 'monthly']
#: ``open`` until an auditor completes it (a run that arrives late reopens a completed review).
ReviewStatus = Literal['open', 'completed']
#: What the auditor concluded.
ReviewOutcome = Literal['no_issues', 'issues_found']
#: Why a run is in the sample: it failed, it was risky, or it was drawn.
SampleReason = Literal['failed', 'high_risk', 'random']


class ReviewedTask(_Model):
    """An unattended run an audit review covers."""

    task_id: str
    description: str = ''
    requester: str | None = None
    status: TaskStatus
    risk_level: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


class SampledTask(ReviewedTask):
    """A run the auditor is asked to inspect, and why (``reason``)."""

    reason: SampleReason


class AuditReview(_Model):
    """A periodic audit review: a UTC period's unattended runs, a sample, and (once completed) findings.

    ``ledger_index`` is the ``audit.review_opened`` ledger entry; ``completed_ledger_index`` the
    ``audit.review_completed`` one, once completed.
    """

    id: str
    frequency: ReviewFrequency
    period_start: str
    period_end: str
    status: ReviewStatus
    auditor_role: str
    task_count: int
    status_counts: dict[str, int] = Field(default_factory=dict)
    sample: list[SampledTask] = Field(default_factory=list)
    opened_at: str
    ledger_index: int
    completed_at: str | None = None
    completed_by: str | None = None
    outcome: ReviewOutcome | None = None
    findings: str | None = None
    flagged_task_ids: list[str] = Field(default_factory=list)
    completed_ledger_index: int | None = None


class AuditReviewPage(_Model):
    """One page of audit reviews, newest period first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[AuditReview]
    next_cursor: str | None = None


class ReviewedTaskPage(_Model):
    """One page of the runs a review covers, oldest first; pass ``next_cursor`` as ``cursor`` for the next."""

    items: list[ReviewedTask]
    next_cursor: str | None = None
