"""The HumanOS clients: :class:`AsyncHumanOSClient` (asyncio) and :class:`HumanOSClient` (blocking).

One implementation: the async client (``_async/``) is written by hand; the blocking one (``_sync/``) is
generated from it by ``scripts/unasync_clients.py`` and has the same calls without ``await``.

Example:
    >>> from human_sdk import HumanOSClient
    >>> with HumanOSClient() as approver:  # doctest: +SKIP
    ...     for req in approver.iter_inbox():
    ...         approver.approve(req, approval_reason='checked the invoice')
"""

from ._async.client import AsyncHumanOSClient, OnApprovalRequest
from ._sync.client import HumanOSClient

__all__ = ['AsyncHumanOSClient', 'HumanOSClient', 'OnApprovalRequest']
