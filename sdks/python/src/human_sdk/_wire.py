"""Request bodies: snake_case options in, camelCase on the wire; payloads pass through untouched."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Words the wire spells in capitals (the seed's `showAIReasoning`).
_SPECIAL = {'show_ai_reasoning': 'showAIReasoning'}
_SNAKE = re.compile(r'_([a-z0-9])')


def camel(key: str) -> str:
    """``approval_timeout`` → ``approvalTimeout``; keys already in camelCase are left as they are.

    Example:
        >>> camel('approval_required'), camel('show_ai_reasoning'), camel('approverRole')
        ('approvalRequired', 'showAIReasoning', 'approverRole')
    """
    if key in _SPECIAL:
        return _SPECIAL[key]
    return _SNAKE.sub(lambda m: m.group(1).upper(), key)


def camel_keys(value: Mapping[str, Any]) -> dict[str, Any]:
    """Renames the keys of one options object (not its values: they may be payloads)."""
    return {camel(k): v for k, v in value.items() if v is not None}


def camel_list(items: Any) -> list[dict[str, Any]]:
    return [camel_keys(x) for x in items]


def drop_none(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def create_task_body(
    *,
    description: str,
    required_capabilities: Any = None,
    human_in_loop: Mapping[str, Any] | None = None,
    payload: Mapping[str, Any] | None = None,
    on_behalf_of: str | None = None,
    ai_proposal: Mapping[str, Any] | None = None,
    risk_assessment: Mapping[str, Any] | None = None,
    approval_chain: Any = None,
    approval_policy: Mapping[str, Any] | None = None,
    auto_escalation: Mapping[str, Any] | None = None,
    routing: Mapping[str, Any] | None = None,
    audit_frequency: str | None = None,
) -> dict[str, Any]:
    return drop_none(
        {
            'description': description,
            'requiredCapabilities': list(required_capabilities) if required_capabilities is not None else None,
            'humanInLoop': camel_keys(human_in_loop) if human_in_loop is not None else None,
            'payload': dict(payload) if payload is not None else None,
            'onBehalfOf': on_behalf_of,
            'aiProposal': camel_keys(ai_proposal) if ai_proposal is not None else None,
            'riskAssessment': camel_keys(risk_assessment) if risk_assessment is not None else None,
            'approvalChain': camel_list(approval_chain) if approval_chain is not None else None,
            'approvalPolicy': camel_keys(approval_policy) if approval_policy is not None else None,
            'autoEscalation': camel_keys(auto_escalation) if auto_escalation is not None else None,
            'routing': camel_keys(routing) if routing is not None else None,
            'auditFrequency': audit_frequency,
        }
    )


def parse_sse(lines: list[str]) -> tuple[str | None, str | None, str]:
    """One server-sent event from its lines: (id, event, data)."""
    ev_id: str | None = None
    event: str | None = None
    data: list[str] = []
    for line in lines:
        if line.startswith(':'):
            continue
        field, _, value = line.partition(':')
        value = value.removeprefix(' ')
        if field == 'id':
            ev_id = value
        elif field == 'event':
            event = value
        elif field == 'data':
            data.append(value)
    return ev_id, event, '\n'.join(data)
