"""``@require_approval``: a human approves each call of a function before it runs.

Calling the decorated function creates a HumanOS task whose proposal *is the call* — the function's
name and its arguments as the task's payload, plus the AI's reasoning and confidence — waits for the
decision, and runs the function only when approved, with the approved arguments (a human may have
edited them: ``{'arguments': {'subject': 'Better subject'}}``). The run is recorded in HumanOS
(execute → complete, or fail). On rejection it returns a message an LLM tool loop can read (default),
or raises :class:`~human_sdk.errors.ApprovalRejectedError` (``on_reject='raise'``).

Example:
    >>> from human_sdk import require_approval
    >>> @require_approval(approver_role='communications_lead')  # doctest: +SKIP
    ... def send_email(to: str, subject: str, body: str) -> str:
    ...     smtp.send(to, subject, body)
    ...     return f'sent to {to}'
    >>> send_email('client@example.com', 'Q4 review', 'Hello …')  # doctest: +SKIP
    'sent to client@example.com'       # or: 'Rejected by did:human:lee: tone is too casual'
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar, cast, overload

from ._context import AsyncExecutionContext, ExecutionContext
from .client import AsyncHumanOSClient, HumanOSClient
from .errors import ApprovalRejectedError, HumanOSError
from .models import Approval, ApprovalRequest

__all__ = ['Proposal', 'ToolCall', 'require_approval']

P = ParamSpec('P')
R = TypeVar('R')

_AUTO_EXCLUDE = ('self', 'cls')


@dataclass
class ToolCall:
    """One call of a gated function: its name and JSON arguments (what the human approves)."""

    function: str
    arguments: dict[str, Any]
    #: Arguments passed through unchanged and not shown (``self``, clients, …).
    hidden: dict[str, Any] = field(default_factory=dict)

    @property
    def payload(self) -> dict[str, Any]:
        return {'function': self.function, 'arguments': self.arguments}


@dataclass
class Proposal:
    """What a proposal provider returns: the AI's view of the call, shown to the approver."""

    reasoning: str | None = None
    confidence: float | None = None
    alternatives: Sequence[str] = ()
    action: str | None = None


ProposalProvider = Callable[[ToolCall], 'Proposal | Mapping[str, Any] | Awaitable[Proposal | Mapping[str, Any]]']


def _bind(sig: inspect.Signature, name: str, exclude: Sequence[str], args: Any, kwargs: Any) -> ToolCall:
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    shown: dict[str, Any] = {}
    hidden: dict[str, Any] = {}
    for key, value in bound.arguments.items():
        if key in exclude:
            hidden[key] = value
            continue
        try:
            shown[key] = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError) as e:
            raise TypeError(
                f'argument {key!r} of {name}() has no JSON form, so a human cannot review it; '
                f'pass exclude=[{key!r}] to hide it'
            ) from e
    return ToolCall(function=name, arguments=shown, hidden=hidden)


def _approved_arguments(call: ToolCall, approved: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments of an approved call's payload (the humans' edits applied); an edit may change the
    arguments, never the function (``payload_mismatch``)."""
    if approved.get('function') != call.function:
        raise HumanOSError(
            'payload_mismatch', 409, f'the approved call is {approved.get("function")!r}, not {call.function!r}'
        )
    arguments = approved.get('arguments')
    if not isinstance(arguments, dict):
        raise HumanOSError('payload_mismatch', 409, 'the approved payload has no arguments object')
    return arguments


def _rebuild(sig: inspect.Signature, call: ToolCall, approved: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword arguments of the approved call (with the humans' edits)."""
    values = {**_approved_arguments(call, approved), **call.hidden}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    positional = True
    for pname, param in sig.parameters.items():
        present = pname in values
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
            if present and positional:
                args.append(values[pname])
            elif present:
                kwargs[pname] = values[pname]
            else:
                positional = False
        elif param.kind == param.VAR_POSITIONAL:
            extra = values.get(pname) or []
            if extra and not positional:
                raise TypeError(f'cannot pass *{pname} after an omitted positional argument')
            args.extend(extra)
        elif param.kind == param.KEYWORD_ONLY:
            if present:
                kwargs[pname] = values[pname]
        else:  # VAR_KEYWORD
            kwargs.update(values.get(pname) or {})
    unknown = set(values) - set(sig.parameters)
    if unknown:
        raise TypeError(f'the approved call names unknown arguments: {sorted(unknown)}')
    sig.bind(*args, **kwargs)  # raises TypeError when the edited call no longer fits the function
    return args, kwargs


def _proposal_dict(p: Proposal | Mapping[str, Any] | None, call: ToolCall) -> dict[str, Any]:
    if p is None:
        p = Proposal()
    if isinstance(p, Proposal):
        d: dict[str, Any] = {
            'action': p.action,
            'reasoning': p.reasoning,
            'confidence': p.confidence,
            'alternatives': list(p.alternatives),
        }
    else:
        d = dict(p)
    d['action'] = d.get('action') or _describe(call)
    return {k: v for k, v in d.items() if v is not None}


def _call_task(
    call: ToolCall,
    prop: Proposal | Mapping[str, Any] | None,
    description: str | Callable[[ToolCall], str] | None,
    hitl: Mapping[str, Any] | None,
    risk_assessment: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``create_task`` options of a gated call: its payload is the call, its proposal describes it."""
    desc = description(call) if callable(description) else description
    return {
        'description': (desc or f'Run {_describe(call)}')[:2000],
        'payload': call.payload,
        'ai_proposal': _proposal_dict(prop, call),
        'human_in_loop': dict(hitl) if hitl else None,
        'risk_assessment': risk_assessment,
    }


def _describe(call: ToolCall) -> str:
    args = ', '.join(f'{k}={json.dumps(v, ensure_ascii=False)}' for k, v in call.arguments.items())
    text = f'{call.function}({args})'
    return text if len(text) <= 2000 else text[:1997] + '...'


def _default_message(call: ToolCall, approval: Approval) -> str:
    if approval.timed_out:
        return f'No human decided on {call.function} in time; it was not run.'
    if approval.expired:
        return f'The approval request for {call.function} expired without a decision; it was not run.'
    if approval.changes_requested:
        who = approval.changes_requested_by or 'a human reviewer'
        return f'{who} asked for changes to {call.function}: {approval.feedback or ""}. Call it again with the changes.'
    if approval.cancelled:
        return f'The request to run {call.function} was withdrawn; it was not run.'
    who = approval.rejected_by or 'a human reviewer'
    reason = approval.rejection_reason or 'no reason given'
    return f'{call.function} was rejected by {who}: {reason}'


def _json_result(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return {'type': type(value).__name__, 'repr': repr(value)[:2000]}


@overload
def require_approval(func: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def require_approval(
    func: None = None,
    /,
    *,
    client: HumanOSClient | AsyncHumanOSClient | None = None,
    approver_role: str | None = None,
    human_in_loop: Mapping[str, Any] | None = None,
    description: str | Callable[[ToolCall], str] | None = None,
    proposal: ProposalProvider | None = None,
    reasoning: str | None = None,
    confidence: float | None = None,
    risk_assessment: Mapping[str, Any] | None = None,
    on_reject: Literal['return', 'raise'] = 'return',
    rejection_message: Callable[[ToolCall, Approval], Any] | None = None,
    timeout: float | None = None,
    on_approval_request: Callable[[ApprovalRequest], Any] | None = None,
    exclude: Sequence[str] = (),
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def require_approval(
    func: Callable[P, R] | None = None,
    /,
    *,
    client: HumanOSClient | AsyncHumanOSClient | None = None,
    approver_role: str | None = None,
    human_in_loop: Mapping[str, Any] | None = None,
    description: str | Callable[[ToolCall], str] | None = None,
    proposal: ProposalProvider | None = None,
    reasoning: str | None = None,
    confidence: float | None = None,
    risk_assessment: Mapping[str, Any] | None = None,
    on_reject: Literal['return', 'raise'] = 'return',
    rejection_message: Callable[[ToolCall, Approval], Any] | None = None,
    timeout: float | None = None,
    on_approval_request: Callable[[ApprovalRequest], Any] | None = None,
    exclude: Sequence[str] = (),
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Gates a function (sync or async) behind a human approval of each call.

    Args:
        client: the client to use; a sync function needs a :class:`HumanOSClient`, an async one an
            :class:`AsyncHumanOSClient` (given the other kind, one with the same settings is made).
            Default: one from ``HUMANOS_URL`` / ``HUMANOS_API_KEY``.
        approver_role: who approves (``human_in_loop={'approver_role': …}``); server policy may add more.
        human_in_loop: further HITL options (``approval_timeout``, ``escalation_policy``, …).
        description: the task description, or a function of the call. Default ``"Run send_email(...)"``.
        proposal: returns the AI's ``Proposal`` (reasoning, confidence, alternatives) for a call — e.g.
            from your LLM's tool-call message; may be async for async functions.
        reasoning, confidence: fixed values when there is no provider.
        on_reject: ``'return'`` (default) returns ``rejection_message(call, approval)`` — by default a
            sentence with who rejected and why — instead of calling the function; ``'raise'`` raises
            ``ApprovalRejectedError`` carrying the reason. Expiry, withdrawal and ``timeout`` count as
            rejections.
        timeout: seconds to wait for the decision; then the task is withdrawn and treated as rejected.
        exclude: parameters neither shown nor editable (``self`` and ``cls`` always are).

    The approved call runs through HumanOS's execution (a leased, ledgered run completed with the
    function's result), so the audit trail shows what ran. Gated tasks name no capabilities, so no
    worker claims them.
    """

    hitl: dict[str, Any] = dict(human_in_loop or {})
    if approver_role is not None:
        hitl['approver_role'] = approver_role
    gate = _Gate(
        client=client,
        hitl=hitl,
        description=description,
        proposal=proposal,
        reasoning=reasoning,
        confidence=confidence,
        risk_assessment=risk_assessment,
        on_reject=on_reject,
        rejection_message=rejection_message,
        timeout=timeout,
        on_approval_request=on_approval_request,
        exclude=tuple(exclude),
    )
    if func is not None:
        return gate.wrap(func)
    return gate.wrap


@dataclass(frozen=True)
class _Gate:
    """The options of one ``require_approval``, and the calls gated by them."""

    client: HumanOSClient | AsyncHumanOSClient | None
    hitl: dict[str, Any]
    description: str | Callable[[ToolCall], str] | None
    proposal: ProposalProvider | None
    reasoning: str | None
    confidence: float | None
    risk_assessment: Mapping[str, Any] | None
    on_reject: Literal['return', 'raise']
    rejection_message: Callable[[ToolCall, Approval], Any] | None
    timeout: float | None
    on_approval_request: Callable[[ApprovalRequest], Any] | None
    exclude: tuple[str, ...]

    def wrap(self, fn: Callable[P, R]) -> Callable[P, R]:
        sig = inspect.signature(fn)
        hide = self.exclude + tuple(n for n in _AUTO_EXCLUDE if n in sig.parameters)
        bind = functools.partial(_bind, sig, getattr(fn, '__name__', 'function'), hide)
        if inspect.iscoroutinefunction(fn):
            return cast(Callable[P, R], _gated_async(self, fn, sig, bind))
        return cast(Callable[P, R], _gated_sync(self, fn, sig, bind))

    def task_options(self, call: ToolCall, prop: Proposal | Mapping[str, Any] | None) -> dict[str, Any]:
        if prop is None and (self.reasoning is not None or self.confidence is not None):
            prop = Proposal(reasoning=self.reasoning, confidence=self.confidence)
        return _call_task(call, prop, self.description, self.hitl, self.risk_assessment)

    def rejected(self, call: ToolCall, approval: Approval) -> Any:
        message = (self.rejection_message or _default_message)(call, approval)
        if self.on_reject == 'raise':
            code = 'expired' if approval.expired else 'cancelled' if approval.cancelled else 'rejected'
            if approval.changes_requested:
                code = 'changes_requested'
            if approval.timed_out:
                code = 'timed_out'
            raise ApprovalRejectedError(str(message), reason=approval.rejection_reason, approval=approval, code=code)
        return message


def _gated_async(
    gate: _Gate, fn: Callable[..., Any], sig: inspect.Signature, bind: Callable[[Any, Any], ToolCall]
) -> Callable[..., Awaitable[Any]]:
    afn = cast(Callable[..., Awaitable[Any]], fn)

    @functools.wraps(fn)
    async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
        c = _async_client(gate.client)
        call = bind(args, kwargs)
        prop = gate.proposal(call) if gate.proposal is not None else None
        if inspect.isawaitable(prop):
            prop = await prop
        task = await c.create_task(**gate.task_options(call, prop))
        approval = await c.wait_for_approval(
            task.id, on_approval_request=gate.on_approval_request, timeout=gate.timeout
        )
        if not approval.approved:
            # A wrapped call cannot revise its own arguments: the caller calls again with the changes.
            if approval.timed_out or approval.changes_requested:
                await _withdraw_async(c, task.id)
            return gate.rejected(call, approval)
        box: dict[str, Any] = {}

        async def handler(payload: dict[str, Any], ctx: AsyncExecutionContext) -> Any:
            a, kw = _rebuild(sig, call, payload)
            box['value'] = await afn(*a, **kw)
            return _json_result(box['value'])

        await c.execute_task(task.id, handler=handler)
        return box['value']

    return async_wrapper


def _gated_sync(
    gate: _Gate, fn: Callable[..., Any], sig: inspect.Signature, bind: Callable[[Any, Any], ToolCall]
) -> Callable[..., Any]:
    @functools.wraps(fn)
    def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
        c = _sync_client(gate.client)
        call = bind(args, kwargs)
        prop = gate.proposal(call) if gate.proposal is not None else None
        if inspect.isawaitable(prop):
            raise TypeError('an async proposal provider needs an async function')
        task = c.create_task(**gate.task_options(call, prop))
        approval = c.wait_for_approval(task.id, on_approval_request=gate.on_approval_request, timeout=gate.timeout)
        if not approval.approved:
            if approval.timed_out or approval.changes_requested:
                _withdraw(c, task.id)
            return gate.rejected(call, approval)
        box: dict[str, Any] = {}

        def handler(payload: dict[str, Any], ctx: ExecutionContext) -> Any:
            a, kw = _rebuild(sig, call, payload)
            box['value'] = fn(*a, **kw)
            return _json_result(box['value'])

        c.execute_task(task.id, handler=handler)
        return box['value']

    return sync_wrapper


def _sync_client(c: HumanOSClient | AsyncHumanOSClient | None) -> HumanOSClient:
    if isinstance(c, HumanOSClient):
        return c
    if c is None:
        return HumanOSClient()
    cfg = c.config
    return HumanOSClient(cfg.base_url, cfg.api_key, timeout=cfg.timeout, retries=cfg.retries, headers=cfg.headers)


def _async_client(c: HumanOSClient | AsyncHumanOSClient | None) -> AsyncHumanOSClient:
    if isinstance(c, AsyncHumanOSClient):
        return c
    from .facade import HumanOS

    if c is None:
        return HumanOS.client()
    cfg = c.config
    return AsyncHumanOSClient(cfg.base_url, cfg.api_key, timeout=cfg.timeout, retries=cfg.retries, headers=cfg.headers)


def _withdraw(c: HumanOSClient, task_id: str) -> None:
    try:
        c.cancel_task(task_id, reason='no decision before the caller stopped waiting')
    except HumanOSError:
        pass  # decided meanwhile, or already over: either way it will not run from here


async def _withdraw_async(c: AsyncHumanOSClient, task_id: str) -> None:
    try:
        await c.cancel_task(task_id, reason='no decision before the caller stopped waiting')
    except HumanOSError:
        pass
