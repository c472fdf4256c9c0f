"""One description per API call (method, path, body, retry policy, parser), shared by both clients."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from ._wire import camel_keys, drop_none
from .models import (
    Approval,
    ApprovalClaim,
    ApprovalComment,
    ApprovalRequest,
    ApproverMetrics,
    AuditReview,
    AuditReviewPage,
    ChangesRequestedResult,
    CreatedTask,
    DecisionResult,
    Delegation,
    Execution,
    InboxPage,
    Principal,
    ReviewedTaskPage,
    RevisedTask,
    Task,
    TaskPage,
)

T = TypeVar('T')
PREFIX = '/v1/humanos'
NO_BODY: Any = object()


def _q(s: str) -> str:
    return quote(s, safe=':')


def _json(x: Any) -> Any:
    return x


@dataclass
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[Any], T]
    body: Any = NO_BODY
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Safe to repeat after a network error or 502/503/504: GETs, and POSTs with an idempotency key.
    retry: bool = False
    #: Seconds added to the client's timeout (long-polls).
    extra_timeout: float = 0.0
    raw: bool = False


def create_task(body: dict[str, Any], idempotency_key: str) -> Call[CreatedTask]:
    return Call(
        'POST',
        f'{PREFIX}/tasks',
        CreatedTask.model_validate,
        body=body,
        headers={'idempotency-key': idempotency_key},
        retry=True,
    )


def evaluate_policy(body: dict[str, Any]) -> Call[dict[str, Any]]:
    return Call('POST', f'{PREFIX}/policy/evaluate', _json, body=body, retry=True)


def _read(path: str, parse: Callable[[Any], T], wait: float | None) -> Call[T]:
    """A read, long-polled when ``wait`` (seconds) is given: the request's timeout grows by the wait."""
    return Call('GET', path, parse, params={'wait': wait} if wait else None, retry=True, extra_timeout=wait or 0.0)


def get_task(task_id: str, wait: float | None = None) -> Call[Task]:
    return _read(f'{PREFIX}/tasks/{_q(task_id)}', Task.model_validate, wait)


def list_tasks(status: str | None, limit: int | None, cursor: str | None) -> Call[TaskPage]:
    params = drop_none({'status': status, 'limit': limit, 'cursor': cursor})
    return Call('GET', f'{PREFIX}/tasks', TaskPage.model_validate, params=params, retry=True)


def task_history(task_id: str) -> Call[dict[str, Any]]:
    return Call('GET', f'{PREFIX}/tasks/{_q(task_id)}/history', _json, retry=True)


def decision(task_id: str, wait: float) -> Call[Approval]:
    return Call(
        'GET',
        f'{PREFIX}/tasks/{_q(task_id)}/decision',
        Approval.model_validate,
        params={'wait': wait},
        retry=True,
        extra_timeout=wait,
    )


def inbox(status: str | None, limit: int | None, cursor: str | None) -> Call[InboxPage]:
    params = drop_none({'status': status, 'limit': limit, 'cursor': cursor})
    return Call('GET', f'{PREFIX}/approvals', InboxPage.model_validate, params=params, retry=True)


def get_approval(approval_id: str, wait: float | None = None) -> Call[ApprovalRequest]:
    return _read(f'{PREFIX}/approvals/{_q(approval_id)}', ApprovalRequest.model_validate, wait)


def gate_ref(approval: str | ApprovalRequest, payload_digest: str | None) -> tuple[str, str | None]:
    """The gate's id and the digest to send: ``payload_digest`` if given, else a view's ``current_digest``."""
    if isinstance(approval, str):
        return approval, payload_digest
    return approval.id, payload_digest if payload_digest is not None else approval.current_digest


def approve(
    approval_id: str,
    payload_digest: str | None,
    approval_reason: str | None,
    feedback: str | None,
    edits: Mapping[str, Any] | None,
    approved_by: str | None,
    assign_to: str | None,
    idempotency_key: str,
    alternative: int | None = None,
) -> Call[DecisionResult]:
    body = drop_none(
        {
            'payloadDigest': payload_digest,
            'approvalReason': approval_reason,
            'feedback': feedback,
            'edits': dict(edits) if edits is not None else None,
            'approvedBy': approved_by,
            'assignTo': assign_to,
            'alternative': alternative,
        }
    )
    return Call(
        'POST',
        f'{PREFIX}/approvals/{_q(approval_id)}/approve',
        DecisionResult.model_validate,
        body=body,
        headers={'idempotency-key': idempotency_key},
        retry=True,
    )


def request_changes(approval_id: str, payload_digest: str | None, feedback: str) -> Call[ChangesRequestedResult]:
    return Call(
        'POST',
        f'{PREFIX}/approvals/{_q(approval_id)}/request-changes',
        ChangesRequestedResult.model_validate,
        body=drop_none({'payloadDigest': payload_digest, 'feedback': feedback}),
    )


def revise(
    task_id: str,
    payload: Mapping[str, Any],
    ai_proposal: Mapping[str, Any] | None,
    risk_assessment: Mapping[str, Any] | None,
) -> Call[RevisedTask]:
    body = drop_none(
        {
            'payload': dict(payload),
            'aiProposal': camel_keys(ai_proposal) if ai_proposal is not None else None,
            'riskAssessment': camel_keys(risk_assessment) if risk_assessment is not None else None,
        }
    )
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/revise', RevisedTask.model_validate, body=body)


def reject(
    approval_id: str,
    payload_digest: str | None,
    rejection_reason: str,
    feedback: str | None,
    rejected_by: str | None,
    idempotency_key: str,
) -> Call[DecisionResult]:
    body = drop_none(
        {
            'payloadDigest': payload_digest,
            'rejectionReason': rejection_reason,
            'feedback': feedback,
            'rejectedBy': rejected_by,
        }
    )
    return Call(
        'POST',
        f'{PREFIX}/approvals/{_q(approval_id)}/reject',
        DecisionResult.model_validate,
        body=body,
        headers={'idempotency-key': idempotency_key},
        retry=True,
    )


def execute(task_id: str, payload: Mapping[str, Any] | None, lease_seconds: int | None) -> Call[Execution]:
    body = drop_none({'payload': dict(payload) if payload is not None else None, 'leaseSeconds': lease_seconds})
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/execute', Execution.model_validate, body=body)


def claim(
    capabilities: Sequence[str], limit: int | None, lease_seconds: int | None, wait: float | None = None
) -> Call[list[Execution]]:
    body = drop_none({'capabilities': list(capabilities), 'limit': limit, 'leaseSeconds': lease_seconds})
    return Call(
        'POST',
        f'{PREFIX}/executions/claim',
        lambda r: [Execution.model_validate(x) for x in r['items']],
        body=body,
        params={'wait': wait} if wait else None,
        extra_timeout=wait or 0.0,
    )


def heartbeat(
    task_id: str, lease_id: str, lease_seconds: int | None, confidence: float | None, progress: str | None
) -> Call[dict[str, Any]]:
    body = drop_none(
        {'leaseId': lease_id, 'leaseSeconds': lease_seconds, 'confidence': confidence, 'progress': progress}
    )
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/heartbeat', _json, body=body)


def submit_decision(task_id: str, body: dict[str, Any]) -> Call[dict[str, Any]]:
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/decisions', _json, body=body)


def finish(
    task_id: str, outcome: str, value: Any, has_value: bool, execution_id: str | None, lease_id: str | None
) -> Call[Task]:
    body: dict[str, Any] = drop_none({'executionId': execution_id, 'leaseId': lease_id})
    if has_value:
        body['result' if outcome == 'complete' else 'error'] = value
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/{outcome}', Task.model_validate, body=body)


def cancel(task_id: str, reason: str) -> Call[Task]:
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/cancel', Task.model_validate, body={'reason': reason})


def override(task_id: str, reason: str, continue_execution: bool, overridden_by: str | None) -> Call[dict[str, Any]]:
    body = drop_none({'reason': reason, 'continueExecution': continue_execution, 'overriddenBy': overridden_by})
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/override', _json, body=body)


def feedback(
    task_id: str, quality: str, correctness: bool | None, comments: str | None, improvements: Sequence[str] | None
) -> Call[dict[str, Any]]:
    body = drop_none(
        {
            'quality': quality,
            'correctness': correctness,
            'comments': comments,
            'improvements': list(improvements) if improvements is not None else None,
        }
    )
    return Call('POST', f'{PREFIX}/tasks/{_q(task_id)}/feedback', _json, body=body)


def calibration(agent: str, capability: str | None) -> Call[dict[str, Any]]:
    return Call(
        'GET', f'{PREFIX}/calibration', _json, params=drop_none({'agent': agent, 'capability': capability}), retry=True
    )


def create_principal(
    id: str, roles: Sequence[str], kind: str | None, capabilities: Sequence[str] | None, token_expires_in: int | None
) -> Call[Principal]:
    body = drop_none(
        {
            'id': id,
            'roles': list(roles),
            'kind': kind,
            'capabilities': list(capabilities) if capabilities is not None else None,
            'tokenExpiresIn': token_expires_in,
        }
    )
    return Call('POST', f'{PREFIX}/principals', Principal.model_validate, body=body)


def me() -> Call[Principal]:
    return Call('GET', f'{PREFIX}/me', Principal.model_validate, retry=True)


def register_capabilities(capabilities: Sequence[str]) -> Call[dict[str, Any]]:
    return Call('PUT', f'{PREFIX}/me/capabilities', _json, body={'capabilities': list(capabilities)}, retry=True)


def ledger_checkpoint() -> Call[dict[str, Any]]:
    return Call('GET', f'{PREFIX}/ledger/checkpoint', _json, retry=True)


def ledger_public_key() -> Call[dict[str, Any]]:
    return Call('GET', f'{PREFIX}/ledger/public-key', _json, retry=True)


def ledger_export() -> Call[str]:
    return Call('GET', f'{PREFIX}/ledger/export', str, retry=True, raw=True, extra_timeout=600)


def consistency_proof(size1: int, size2: int | None) -> Call[dict[str, Any]]:
    params = drop_none({'from': size1, 'to': size2})
    return Call('GET', f'{PREFIX}/ledger/proof/consistency', _json, params=params, retry=True)


def inclusion_proof(index: int, size: int | None) -> Call[dict[str, Any]]:
    params = drop_none({'index': index, 'size': size})
    return Call('GET', f'{PREFIX}/ledger/proof/inclusion', _json, params=params, retry=True)


def comment(approval_id: str, body: str) -> Call[ApprovalComment]:
    path = f'{PREFIX}/approvals/{_q(approval_id)}/comments'
    return Call('POST', path, ApprovalComment.model_validate, body={'body': body})


def comments(approval_id: str) -> Call[list[ApprovalComment]]:
    def parse(r: Any) -> list[ApprovalComment]:
        return [ApprovalComment.model_validate(c) for c in r['items']]

    return Call('GET', f'{PREFIX}/approvals/{_q(approval_id)}/comments', parse, retry=True)


def claim_approval(approval_id: str, release: bool) -> Call[ApprovalClaim]:
    path = f'{PREFIX}/approvals/{_q(approval_id)}/claim'
    if release:
        return Call('DELETE', path, ApprovalClaim.model_validate)
    return Call('POST', path, ApprovalClaim.model_validate, body={})


def assign(approval_id: str, assignee: str) -> Call[ApprovalClaim]:
    path = f'{PREFIX}/approvals/{_q(approval_id)}/assign'
    return Call('POST', path, ApprovalClaim.model_validate, body={'assignee': assignee})


def attention_checks() -> Call[dict[str, Any]]:
    return Call('GET', f'{PREFIX}/audit/attention-checks', _json, retry=True)


def approver_metrics(since: str | None, until: str | None) -> Call[ApproverMetrics]:
    params = drop_none({'since': since, 'until': until})
    return Call('GET', f'{PREFIX}/audit/approvers', ApproverMetrics.model_validate, params=params, retry=True)


def audit_reviews(
    status: str | None, frequency: str | None, limit: int | None, cursor: str | None
) -> Call[AuditReviewPage]:
    params = drop_none({'status': status, 'frequency': frequency, 'limit': limit, 'cursor': cursor})
    return Call('GET', f'{PREFIX}/audit/reviews', AuditReviewPage.model_validate, params=params, retry=True)


def get_audit_review(review_id: str) -> Call[AuditReview]:
    return Call('GET', f'{PREFIX}/audit/reviews/{_q(review_id)}', AuditReview.model_validate, retry=True)


def audit_review_tasks(review_id: str, limit: int | None, cursor: str | None) -> Call[ReviewedTaskPage]:
    params = drop_none({'limit': limit, 'cursor': cursor})
    return Call(
        'GET',
        f'{PREFIX}/audit/reviews/{_q(review_id)}/tasks',
        ReviewedTaskPage.model_validate,
        params=params,
        retry=True,
    )


def complete_audit_review(
    review_id: str, outcome: str, findings: str, flagged_task_ids: Sequence[str] | None
) -> Call[AuditReview]:
    # Not retried: a repeat after a lost answer would be refused as already_decided.
    body = drop_none(
        {
            'outcome': outcome,
            'findings': findings,
            'flaggedTaskIds': list(flagged_task_ids) if flagged_task_ids is not None else None,
        }
    )
    return Call('POST', f'{PREFIX}/audit/reviews/{_q(review_id)}/complete', AuditReview.model_validate, body=body)


def in_run_decision_body(
    action: str,
    reasoning: str | None,
    confidence: float | None,
    alternatives: Sequence[str] | None,
    payload: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return camel_keys(
        {
            'action': action,
            'reasoning': reasoning,
            'confidence': confidence,
            'alternatives': list(alternatives) if alternatives is not None else None,
            'payload': dict(payload) if payload is not None else None,
        }
    )


# ---- delegations -----------------------------------------------------------------------------------


def create_delegation(body: Mapping[str, Any]) -> Call[Delegation]:
    # Not retried: a repeat after a lost answer would create a second delegation.
    return Call('POST', f'{PREFIX}/delegations', Delegation.model_validate, body=dict(body))


def list_delegations(side: str | None, include_ended: bool | None) -> Call[list[Delegation]]:
    params = drop_none({'as': side, 'includeEnded': None if include_ended is None else str(include_ended).lower()})
    return Call(
        'GET',
        f'{PREFIX}/delegations',
        lambda body: [Delegation.model_validate(d) for d in body['items']],
        params=params,
        retry=True,
    )


def get_delegation(delegation_id: str) -> Call[Delegation]:
    return Call('GET', f'{PREFIX}/delegations/{_q(delegation_id)}', Delegation.model_validate, retry=True)


def update_delegation(delegation_id: str, body: Mapping[str, Any]) -> Call[Delegation]:
    return Call('PATCH', f'{PREFIX}/delegations/{_q(delegation_id)}', Delegation.model_validate, body=dict(body))


def end_delegation(delegation_id: str, reason: str | None) -> Call[Delegation]:
    body = drop_none({'reason': reason})
    return Call('POST', f'{PREFIX}/delegations/{_q(delegation_id)}/end', Delegation.model_validate, body=body)


def delegation_body(
    *,
    delegate: str | None = None,
    starts_at: str | None = None,
    ends_at: str | None = None,
    roles: Sequence[str] | None = None,
    scope: Mapping[str, Any] | None = None,
    out_of_office: bool | None = None,
    message: str | None = None,
    delegator: str | None = None,
) -> dict[str, Any]:
    return drop_none(
        {
            'delegate': delegate,
            'delegator': delegator,
            'startsAt': starts_at,
            'endsAt': ends_at,
            'roles': list(roles) if roles is not None else None,
            'scope': dict(scope) if scope is not None else None,
            'outOfOffice': out_of_office,
            'message': message,
        }
    )
