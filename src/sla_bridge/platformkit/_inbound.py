"""Reading a verified JSON webhook: its body as an object, and the key of its delivery."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sla_bridge.platforms import BadPayload, WebhookRequest

_MAX_DELIVERY_ID = 200  # InboundEvent.delivery_id's limit


def json_object(request: WebhookRequest) -> dict[str, Any]:
    """The body as a JSON object; raise :class:`BadPayload` (answered 400) when it is not."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadPayload("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadPayload("the body must be a JSON object")
    return body


def delivery_id(request: WebhookRequest, *candidates: Any,
                hashed_headers: Sequence[str] = ()) -> str:
    """The key that makes a delivery processed once: the first non-empty candidate (the
    vendor's event or delivery id), else a digest of ``hashed_headers`` and the body, so
    that the same delivery sent twice has the same key."""
    for candidate in candidates:
        if isinstance(candidate, str | int) and str(candidate).strip():
            return str(candidate).strip()[:_MAX_DELIVERY_ID]
    signed = b"".join((request.header(h) or "").encode() for h in hashed_headers)
    return "body:" + hashlib.sha256(signed + request.body).hexdigest()[:40]
