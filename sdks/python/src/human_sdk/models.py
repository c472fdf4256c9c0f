"""Response models: snake_case attributes in Python, camelCase on the wire.

The wire models are generated from the server's OpenAPI document into ``_generated.py`` (``npm run
gen:models``); this module gives them the SDK's names and adds what only the SDK makes
(``InRunDecision``). Every model keeps fields it does not know (``model_extra``), so a newer server
never breaks an older SDK. Payloads (``payload``, ``edits``, ``approved_payload``, ``result``) are plain
dicts whose keys are left exactly as they are.

Example:
    >>> approval = Approval.model_validate({'taskId': 't', 'status': 'approved', 'approved': True,
    ...     'decided': True, 'approvedBy': 'did:human:ann', 'edits': {'subject': 'Hi'}})
    >>> approval.approved_by, approval.edits
    ('did:human:ann', {'subject': 'Hi'})
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ._generated import (
    AiProposal,
    Approval,
    ApprovalClaim,
    ApprovalComment,
    ApprovalRequest,
    ApproverMetrics,
    ApproverStats,
    AuditReview,
    AuditReviewPage,
    ChangesRequestedResult,
    ChosenAlternative,
    CreatedTask,
    Decision,
    DecisionResult,
    Delegation,
    DelegationState,
    ErrorCode,
    Execution,
    InboxPage,
    Principal,
    Provenance,
    ReviewedTask,
    ReviewedTaskPage,
    ReviewFrequency,
    ReviewOutcome,
    ReviewStatus,
    RevisedTask,
    RiskAssessment,
    RoleReviewStats,
    SampledTask,
    SampleReason,
    Task,
    TaskPage,
    TaskStatus,
)

__all__ = [
    'AiProposal',
    'Approval',
    'ApprovalClaim',
    'ApprovalComment',
    'ApprovalRequest',
    'ApproverMetrics',
    'ApproverStats',
    'AuditReview',
    'AuditReviewPage',
    'ChangesRequestedResult',
    'ChosenAlternative',
    'CreatedTask',
    'Decision',
    'DecisionResult',
    'Delegation',
    'DelegationState',
    'ErrorCode',
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
    'RevisedTask',
    'RiskAssessment',
    'RoleReviewStats',
    'SampleReason',
    'SampledTask',
    'Task',
    'TaskPage',
    'TaskStatus',
]

JsonObject = dict[str, Any]


class InRunDecision(BaseModel):
    """The outcome of ``submit_decision``: whether to go ahead, and with which payload (made by the SDK)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra='allow')

    approved: bool
    decided: bool
    status: str
    payload: JsonObject | None = None
    approval_request: ApprovalRequest | None = None
