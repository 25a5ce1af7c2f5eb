"""Zendesk webhook signatures.

Zendesk signs every webhook request: ``X-Zendesk-Webhook-Signature`` is
``base64(HMAC-SHA256(signing_secret, timestamp + raw_body))`` and the timestamp it used is
in ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601, e.g. ``2026-11-25T15:04:05Z``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from sla_bridge.clock import Clock
from sla_bridge.platforms import Unauthorized, WebhookRequest

SIGNATURE_HEADER = "x-zendesk-webhook-signature"
TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"
INVOCATION_HEADER = "x-zendesk-webhook-invocation-id"
WEBHOOK_ID_HEADER = "x-zendesk-webhook-id"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature Zendesk sends for ``body`` signed at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def format_timestamp(instant: datetime) -> str:
    """Format an instant the way Zendesk writes the signature timestamp."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime | None:
    """Parse the signature timestamp (ISO 8601; a Unix time is accepted too)."""
    value = value.strip()
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class SignatureVerifier:
    """Checks signature and freshness of inbound webhooks against the bridge's clock."""

    def __init__(self, secret: SecretStr, clock: Clock, tolerance: timedelta) -> None:
        self._secret = secret
        self._clock = clock
        self._tolerance = tolerance

    def __repr__(self) -> str:
        return f"SignatureVerifier(secret=**********, tolerance={self._tolerance})"

    def verify(self, request: WebhookRequest) -> datetime:
        """Return the signed timestamp; raise :class:`Unauthorized` when anything is off."""
        secret = self._secret.get_secret_value()
        if not secret:
            raise Unauthorized("unauthorized", "SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET is not set; "
                               "every Zendesk webhook is refused")
        signature = request.header(SIGNATURE_HEADER)
        stamp = request.header(TIMESTAMP_HEADER)
        if not signature or not stamp:
            missing = SIGNATURE_HEADER if not signature else TIMESTAMP_HEADER
            raise Unauthorized("unauthorized", f"missing {missing} header")
        signed_at = parse_timestamp(stamp)
        if signed_at is None:
            raise Unauthorized("unauthorized", f"unreadable {TIMESTAMP_HEADER}")
        skew = self._clock.now() - signed_at
        if abs(skew) > self._tolerance:
            direction = "old" if skew > timedelta(0) else "in the future"
            raise Unauthorized("unauthorized", f"signature timestamp {stamp} is "
                               f"{abs(int(skew.total_seconds()))} s {direction} (tolerance "
                               f"{int(self._tolerance.total_seconds())} s)")
        expected = sign(secret, stamp, request.body)
        if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
            raise Unauthorized("unauthorized", "signature does not match the body")
        return signed_at
