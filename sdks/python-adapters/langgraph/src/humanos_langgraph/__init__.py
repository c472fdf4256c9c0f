"""HumanOS behind LangGraph interrupts: durable, audited human approvals of a graph's tool calls.

A gated tool call pauses the graph (``interrupt``); :class:`HumanOSApprovals` turns the pause into a
HumanOS task (policy, risk and approvers decided by the server), and resumes the thread with
``Command(resume=…)`` carrying the human's :class:`Decision` — approved (the tool runs with the
approved, possibly edited, arguments), rejected (the model reads why), changes requested — from a
waiter, a worker or a webhook, in this process or another one after a restart.

Example:
    >>> from human_sdk import AsyncHumanOSClient
    >>> from humanos_langgraph import HumanOSApprovals
    >>> approvals = HumanOSApprovals(AsyncHumanOSClient(), approver_role='finance')  # doctest: +SKIP
    >>> agent = create_react_agent(model, [approvals.tool(wire)], checkpointer=saver)  # doctest: +SKIP
    >>> await approvals.run(agent, {'messages': [('user', 'Pay invoice 42')]}, config)  # doctest: +SKIP
"""

from collections.abc import Callable
from typing import Any

from langchain_core.tools import BaseTool

from ._approvals import HumanOSApprovals, PendingApproval
from ._graph import APPROVAL, TOOL_CALL, Decision, DecisionStatus, request_approval
from ._tools import rejection_text
from ._wrapper import HumanOSApprovalTool

__all__ = [
    "APPROVAL",
    "TOOL_CALL",
    "Decision",
    "DecisionStatus",
    "HumanOSApprovalTool",
    "HumanOSApprovals",
    "PendingApproval",
    "humanos_tool_approval",
    "rejection_text",
    "request_approval",
]


def humanos_tool_approval(tool: BaseTool | Callable[..., Any], approvals: HumanOSApprovals) -> HumanOSApprovalTool:
    """``approvals.tool(tool)``: the tool, gated behind a HumanOS approval of each call."""
    return HumanOSApprovalTool.wrap(tool, approvals)
