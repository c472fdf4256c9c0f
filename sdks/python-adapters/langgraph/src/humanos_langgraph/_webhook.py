"""Verifying a HumanOS webhook delivery (Standard Webhooks signatures, with the reference library)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standardwebhooks import Webhook

__all__ = ["verified_delivery"]


def verified_delivery(body: bytes | str, headers: Mapping[str, str], secret: str) -> dict[str, Any]:
    """The delivery's JSON once its signature and timestamp verify with ``secret`` (``whsec_…``);
    ``ValueError`` otherwise (answer 401). Checked over the raw body, before anything trusts it."""
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        delivery = Webhook(secret).verify(raw, lower)
    except Exception as e:  # the library raises its own error types, and KeyError on missing headers
        raise ValueError(f"the webhook delivery does not verify: {e}") from e
    if not isinstance(delivery, dict):
        raise ValueError("the webhook delivery is not a JSON object")
    return delivery
