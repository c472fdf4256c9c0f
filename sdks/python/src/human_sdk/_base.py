"""What both clients share: configuration, request building, answers to typed errors, retry policy.

The retry rule is the same in the three SDKs (``sdks/conformance/cases.json`` checks it): a call that
is safe to repeat — a GET, a PUT, a read-only dry run, or a write carrying an ``Idempotency-Key``
(one key per call, reused by each retry) — is retried after no answer or a 429/502/503/504, at most
``retries`` times. A ``Retry-After`` (seconds or an HTTP date) is waited out when it is at most
``max_retry_after`` seconds; a longer one ends the call with the error, its ``retry_after`` set.
Without one, exponential backoff with jitter. Each attempt sends its own ``x-request-id`` (the server
adopts it as that request's id); an error carries the server's, else the one sent. Any other call (a
POST without a key) is never retried: its error carries ``retry_after`` so the caller decides.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from . import _calls
from .errors import (
    ApprovalExpiredError,
    ConflictError,
    HandlerRequiredError,
    HumanOSError,
    NetworkError,
    PayloadMismatchError,
    error_from_problem,
)
from .models import Task

__version__ = '0.1.0'

DEFAULT_URL = 'http://127.0.0.1:8787'
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = f'humanos-sdk-python/{__version__}'
#: Heartbeat answers that mean "stop the side effect now".
STOP_CODES = frozenset({'task_overridden', 'lease_lost', 'invalid_state', 'forbidden'})
FINISHED = frozenset({'completed', 'failed'})


@dataclass(frozen=True)
class ClientConfig:
    """Resolved client settings (explicit arguments, else ``HUMANOS_URL`` / ``HUMANOS_API_KEY``)."""

    base_url: str
    api_key: str | None
    timeout: float
    retries: int
    headers: Mapping[str, str]
    max_retry_after: float = 30.0

    @classmethod
    def resolve(
        cls,
        base_url: str | None,
        api_key: str | None,
        timeout: float,
        retries: int,
        headers: Mapping[str, str] | None,
        max_retry_after: float = 30.0,
    ) -> ClientConfig:
        url = (base_url or os.environ.get('HUMANOS_URL') or DEFAULT_URL).rstrip('/')
        key = api_key if api_key is not None else os.environ.get('HUMANOS_API_KEY') or None
        if timeout <= 0:
            raise ValueError('timeout must be positive seconds')
        if retries < 0:
            raise ValueError('retries must be >= 0')
        if max_retry_after < 0:
            raise ValueError('max_retry_after must be >= 0 seconds')
        return cls(
            base_url=url,
            api_key=key,
            timeout=timeout,
            retries=retries,
            headers=dict(headers or {}),
            max_retry_after=max_retry_after,
        )


def backoff(attempt: int) -> float:
    """Seconds before retry ``attempt`` (1-based): exponential with jitter, capped at 2 s."""
    return float(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))


def new_request_id() -> str:
    return 'req_' + uuid.uuid4().hex


def request_parts(cfg: ClientConfig, call: _calls.Call[Any]) -> tuple[str, dict[str, str], bytes | None, httpx.Timeout]:
    """URL, headers, body and timeout of a call; each attempt adds its own ``x-request-id``."""
    headers = {
        'accept': 'text/plain' if call.raw else 'application/json',
        'user-agent': USER_AGENT,
        **cfg.headers,
        **call.headers,
    }
    if cfg.api_key:
        headers['authorization'] = f'Bearer {cfg.api_key}'
    content: bytes | None = None
    if call.body is not _calls.NO_BODY:
        headers['content-type'] = 'application/json'
        content = json.dumps(call.body, ensure_ascii=False, allow_nan=False).encode('utf-8')
    return cfg.base_url + call.path, headers, content, httpx.Timeout(cfg.timeout + call.extra_timeout)


def network_error(call: _calls.Call[Any], e: Exception, request_id: str) -> NetworkError:
    return NetworkError(
        'network_error',
        0,
        f'{type(e).__name__}: {e}' if str(e) else type(e).__name__,
        request_id=request_id,
        method=call.method,
        path=call.path,
    )


def answer(call: _calls.Call[Any], res: httpx.Response, request_id: str) -> tuple[Any, HumanOSError | None]:
    """The parsed result of a 2xx answer, or the typed error of any other."""
    rid = res.headers.get('x-request-id') or request_id
    if res.is_success:
        if call.raw:
            return call.parse(res.text), None
        try:
            data = res.json()
        except ValueError:
            return None, HumanOSError(
                'bad_response', res.status_code, 'the server answered with invalid JSON', request_id=rid
            )
        return call.parse(data), None
    problem: dict[str, Any] | None = None
    try:
        parsed = res.json()
        problem = parsed if isinstance(parsed, dict) else None
    except ValueError:
        problem = None
    err = error_from_problem(res.status_code, problem, method=call.method, path=call.path, request_id=rid)
    err.retry_after = parse_retry_after(res.headers.get('retry-after'))
    return None, err


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None if absent or bad.

    Example:
        >>> parse_retry_after('2'), parse_retry_after(None), parse_retry_after('soon')
        (2.0, None, None)
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return max(0.0, (at - (now or datetime.now(timezone.utc))).total_seconds())


def retry_delay(cfg: ClientConfig, call: _calls.Call[Any], err: HumanOSError, attempt: int) -> float | None:
    """Seconds to wait before retrying ``call`` after ``err`` on its ``attempt``-th retry (0-based), or
    None to give up with ``err`` (see the module's retry rule)."""
    if not call.retry or attempt >= cfg.retries:
        return None
    if not (isinstance(err, NetworkError) or err.status in RETRY_STATUSES):
        return None
    if err.retry_after is not None:
        return err.retry_after if err.retry_after <= cfg.max_retry_after else None
    return backoff(attempt + 1)


def check_runnable(task: Task, payload: Mapping[str, Any] | None) -> None:
    """Why a task cannot be left to the workers, as the errors the server would answer with."""
    from .canonical import payload_digest

    if task.status == 'expired':
        raise ApprovalExpiredError('approval_expired', 410, f'task {task.task_id} expired without approval')
    if task.status in ('awaiting_approval', 'rejected', 'cancelled'):
        raise ConflictError(
            'invalid_state',
            409,
            f'task {task.task_id} is {task.status}; only an approved task can execute',
            problem={'status': task.status},
        )
    if payload is not None and task.payload_digest is not None and payload_digest(payload) != task.payload_digest:
        raise PayloadMismatchError(
            'payload_mismatch',
            409,
            'the payload differs from the approved payload; it needs a new approval',
            problem={'approvedDigest': task.payload_digest, 'givenDigest': payload_digest(payload)},
        )
    if task.status == 'approved' and not task.required_capabilities:
        raise HandlerRequiredError(
            'handler_required',
            0,
            f'task {task.task_id} names no capabilities, so no worker will claim it; pass handler= to run it here',
        )


def error_body(e: BaseException) -> dict[str, Any]:
    return {'message': str(e) or type(e).__name__, 'type': type(e).__name__}


def jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True
