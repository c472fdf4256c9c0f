"""HumanOS behind the OpenAI Agents SDK's tool approvals (``needs_approval`` interruptions).

Example:
    >>> from humanos_openai_agents import HumanOSApprovals  # doctest: +SKIP
    >>> approvals = HumanOSApprovals(client, approver_role='finance_lead')  # doctest: +SKIP
    >>> agent = Agent(name='payments', tools=[approvals.gate(send_payment)])  # doctest: +SKIP
"""

from .approvals import HumanOSApprovals, NeedsApproval, PendingApproval, Resolution

__all__ = ["HumanOSApprovals", "NeedsApproval", "PendingApproval", "Resolution"]
