"""HumanOS for Python: human-in-the-loop approvals for AI agents, with a signed, tamper-evident ledger.

Example (the seed's shape):
    >>> from human_sdk import HumanOS
    >>> task = await HumanOS.create_task(  # doctest: +SKIP
    ...     description='Send email to client@example.com',
    ...     required_capabilities=['email_composition'],
    ...     human_in_loop={'approval_required': 'before_execution', 'approver_role': 'communications_lead'},
    ...     payload={'to': 'client@example.com', 'subject': 'Q4', 'body': '…'})
    >>> approval = await HumanOS.wait_for_approval(task.id)  # doctest: +SKIP
    >>> if approval.approved:  # doctest: +SKIP
    ...     await HumanOS.execute_task(task.id, payload=approval.approved_payload)
"""

from ._base import __version__
from ._context import AsyncExecutionContext, ExecutionContext
from .canonical import canonical_json, payload_digest
from .client import AsyncHumanOSClient, HumanOSClient
from .decorators import Proposal, ToolCall, require_approval
from .errors import (
    ApprovalExpiredError,
    ApprovalRejectedError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HandlerRequiredError,
    HumanOSError,
    LeaseLostError,
    NetworkError,
    NotFoundError,
    PayloadChange,
    PayloadDigestRequiredError,
    PayloadMismatchError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    StalePayloadError,
    TaskOverriddenError,
)
from .facade import HumanOS
from .ledger import TrustedCheckpoint, VerifyReport, parse_ledger_export, verify_ledger
from .models import (
    AiProposal,
    Approval,
    ApprovalRequest,
    AuditReview,
    AuditReviewPage,
    CreatedTask,
    Decision,
    DecisionResult,
    Execution,
    InboxPage,
    InRunDecision,
    Principal,
    Provenance,
    ReviewedTask,
    ReviewedTaskPage,
    ReviewFrequency,
    ReviewOutcome,
    ReviewStatus,
    RiskAssessment,
    SampledTask,
    SampleReason,
    Task,
    TaskPage,
    TaskStatus,
)
from .worker import Worker

__all__ = [
    'AiProposal',
    'Approval',
    'ApprovalExpiredError',
    'ApprovalRejectedError',
    'ApprovalRequest',
    'AsyncExecutionContext',
    'AsyncHumanOSClient',
    'AuditReview',
    'AuditReviewPage',
    'AuthenticationError',
    'BadRequestError',
    'ConflictError',
    'CreatedTask',
    'Decision',
    'DecisionResult',
    'Execution',
    'ExecutionContext',
    'HandlerRequiredError',
    'HumanOS',
    'HumanOSClient',
    'HumanOSError',
    'InRunDecision',
    'InboxPage',
    'LeaseLostError',
    'NetworkError',
    'NotFoundError',
    'PayloadChange',
    'PayloadDigestRequiredError',
    'PayloadMismatchError',
    'PayloadTooLargeError',
    'PermissionDeniedError',
    'Principal',
    'Proposal',
    'Provenance',
    'RateLimitedError',
    'ReviewFrequency',
    'ReviewOutcome',
    'ReviewStatus',
    'ReviewedTask',
    'ReviewedTaskPage',
    'RiskAssessment',
    'SampleReason',
    'SampledTask',
    'ServerError',
    'StalePayloadError',
    'Task',
    'TaskOverriddenError',
    'TaskPage',
    'TaskStatus',
    'ToolCall',
    'TrustedCheckpoint',
    'VerifyReport',
    'Worker',
    '__version__',
    'canonical_json',
    'parse_ledger_export',
    'payload_digest',
    'require_approval',
    'verify_ledger',
]
