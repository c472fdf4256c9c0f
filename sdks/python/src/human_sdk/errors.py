"""Typed errors. Every failure from the server is an RFC 9457 problem with a stable ``code``; branch on it.

Example:
    >>> from human_sdk import HumanOSError, ConflictError
    >>> try:  # doctest: +SKIP
    ...     client.approve(approval_id, approval_reason='ok')
    ... except ConflictError as e:
    ...     if e.code == 'already_decided':
    ...         print('someone was faster', e.request_id)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from .models import Approval

__all__ = [
    'ApprovalExpiredError',
    'ApprovalRejectedError',
    'AuthenticationError',
    'BadRequestError',
    'ConflictError',
    'HandlerRequiredError',
    'HumanOSError',
    'LeaseLostError',
    'NetworkError',
    'NotFoundError',
    'PayloadChange',
    'PayloadDigestRequiredError',
    'PayloadMismatchError',
    'PayloadTooLargeError',
    'PermissionDeniedError',
    'RateLimitedError',
    'ServerError',
    'StalePayloadError',
    'TaskOverriddenError',
    'error_from_problem',
]


class HumanOSError(Exception):
    """An error answer from HumanOS (problem+json), a transport failure, or a refused SDK call.

    Attributes:
        code: the server's stable problem code (``already_decided``, ``payload_mismatch``, …), or
            ``network_error`` / ``handler_required`` / ``rejected`` for failures the SDK reports itself.
        status: the HTTP status (0 when no answer came back).
        detail: the human-readable detail.
        problem: the full problem document, when the server sent one.
        request_id: the server's ``x-request-id`` of the failing request (else the one the SDK sent).
        retry_after: the answer's ``Retry-After`` in seconds (429, 503), else None.
    """

    code: str
    status: int
    detail: str
    problem: dict[str, Any] | None
    request_id: str | None
    method: str | None
    path: str | None
    retry_after: float | None

    def __init__(
        self,
        code: str,
        status: int,
        detail: str,
        *,
        problem: dict[str, Any] | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.status = status
        self.detail = detail
        self.problem = problem
        self.request_id = request_id
        self.method = method
        self.path = path
        self.retry_after: float | None = None

    def __str__(self) -> str:
        where = f' ({self.method} {self.path})' if self.method and self.path else ''
        rid = f' [request {self.request_id}]' if self.request_id else ''
        return f'{self.code}: {self.detail}{where}{rid}'

    def __repr__(self) -> str:
        return f'{type(self).__name__}(code={self.code!r}, status={self.status}, detail={self.detail!r})'


class NetworkError(HumanOSError):
    """No answer: connection refused, reset, or timed out (code ``network_error``)."""


class BadRequestError(HumanOSError):
    """400: ``validation_failed``, ``invalid_id``, ``bad_request``."""


class AuthenticationError(HumanOSError):
    """401 ``unauthorized``: missing, malformed, unknown or revoked token."""


class PermissionDeniedError(HumanOSError):
    """403: ``forbidden``, ``agent_cannot_decide``, ``requester_cannot_decide``, ``role_required``, …"""


class NotFoundError(HumanOSError):
    """404 ``not_found`` (also for things that exist but the caller may not see)."""


class ConflictError(HumanOSError):
    """409: ``already_decided``, ``invalid_state``, ``idempotency_key_reused``, …"""


class TaskOverriddenError(ConflictError):
    """409 ``task_overridden``: a human took over the task; stop the side effect."""


class LeaseLostError(ConflictError):
    """409 ``lease_lost``: the execution lease expired and the task moved on; stop."""


class PayloadMismatchError(ConflictError):
    """409 ``payload_mismatch``: the payload differs from the approved one; it needs a new approval."""


#: One difference between two versions of a payload: ``path`` is a JSON pointer (``/iban``);
#: ``from`` is absent when the member was added, ``to`` when it was removed.
PayloadChange = TypedDict('PayloadChange', {'path': str, 'from': Any, 'to': Any}, total=False)


class StalePayloadError(ConflictError):
    """409 ``stale_payload``: the decision named a payload version that is no longer the current one.

    Someone edited the payload after the approver was shown it; nothing was written. Show
    ``current_payload`` (and ``diff``) and decide again with ``payload_digest=e.current_digest``.

    Attributes:
        seen_digest: the digest the decision named (what its maker saw).
        current_digest: the digest of the payload as it stands.
        current_payload: the payload as it stands.
        diff: what changed from the seen version to the current one, or None when the server cannot tell.

    Example:
        >>> try:  # doctest: +SKIP
        ...     client.approve(view, approval_reason='IBAN checked')
        ... except StalePayloadError as e:
        ...     for c in e.diff or []:
        ...         print(c['path'], c.get('from'), '->', c.get('to'))
    """

    seen_digest: str
    current_digest: str
    current_payload: dict[str, Any]
    diff: list[PayloadChange] | None

    def __init__(self, code: str, status: int, detail: str, **kw: Any) -> None:
        super().__init__(code, status, detail, **kw)
        p = self.problem or {}
        self.seen_digest = str(p.get('seenDigest') or '')
        self.current_digest = str(p.get('currentDigest') or '')
        current = p.get('currentPayload')
        self.current_payload = current if isinstance(current, dict) else {}
        diff = p.get('diff')
        self.diff = [_change(c) for c in diff if isinstance(c, dict)] if isinstance(diff, list) else None


def _change(c: dict[str, Any]) -> PayloadChange:
    out = PayloadChange(path=str(c.get('path', '')))
    if 'from' in c:
        out['from'] = c['from']
    if 'to' in c:
        out['to'] = c['to']
    return out


class PayloadDigestRequiredError(HumanOSError):
    """428 ``payload_digest_required``: the payload was edited, so an approval must name the version it
    approves (pass the view shown, or ``payload_digest=``). Nothing was written."""


class ApprovalExpiredError(HumanOSError):
    """410 ``approval_expired``."""


class PayloadTooLargeError(HumanOSError):
    """413 ``payload_too_large``."""


class RateLimitedError(HumanOSError):
    """429 ``rate_limited``."""


class ServerError(HumanOSError):
    """5xx: ``internal``, ``unavailable``, or a proxy's error page."""


class HandlerRequiredError(HumanOSError):
    """``execute_task`` without a handler on a task no worker can claim (it names no capabilities)."""


class ApprovalRejectedError(HumanOSError):
    """A call gated by :func:`human_sdk.require_approval` was rejected (or expired, or was withdrawn).

    ``reason`` is the human's rejection reason; ``approval`` the full outcome.
    """

    approval: Approval | None
    reason: str | None

    def __init__(self, detail: str, *, reason: str | None, approval: Approval | None, code: str = 'rejected') -> None:
        super().__init__(code, 0, detail)
        self.reason = reason
        self.approval = approval


_BY_CODE: dict[str, type[HumanOSError]] = {
    'task_overridden': TaskOverriddenError,
    'lease_lost': LeaseLostError,
    'payload_mismatch': PayloadMismatchError,
    'stale_payload': StalePayloadError,
    'payload_digest_required': PayloadDigestRequiredError,
    'approval_expired': ApprovalExpiredError,
    'payload_too_large': PayloadTooLargeError,
    'rate_limited': RateLimitedError,
}

_BY_STATUS: dict[int, type[HumanOSError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: ApprovalExpiredError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
}


def error_from_problem(
    status: int,
    problem: dict[str, Any] | None,
    *,
    method: str,
    path: str,
    request_id: str | None,
) -> HumanOSError:
    """The typed error for an HTTP error answer (its problem document, when it is one)."""
    code = problem.get('code') if problem else None
    if not isinstance(code, str):
        code = f'http_{status}'
    detail = problem.get('detail') if problem else None
    if not isinstance(detail, str):
        detail = f'{method} {path} answered {status}'
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status) or (ServerError if status >= 500 else HumanOSError)
    return cls(code, status, detail, problem=problem, request_id=request_id, method=method, path=path)
