"""Zendesk webhook signatures.

Zendesk signs every webhook request: ``X-Zendesk-Webhook-Signature`` is
``base64(HMAC-SHA256(signing_secret, timestamp + raw_body))`` and the timestamp it used is
in ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601, e.g. ``2026-11-25T15:04:05Z``). The
check itself (constant time, fresh by the bridge's clock) is the kit's
:class:`~sla_bridge.platformkit.WebhookVerifier`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sla_bridge.platformkit import HmacSignature, parse_timestamp

SIGNATURE_HEADER = "x-zendesk-webhook-signature"
TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"
INVOCATION_HEADER = "x-zendesk-webhook-invocation-id"
WEBHOOK_ID_HEADER = "x-zendesk-webhook-id"

SCHEME = HmacSignature(SIGNATURE_HEADER, timestamp_header=TIMESTAMP_HEADER, encoding="base64")

__all__ = ["INVOCATION_HEADER", "SCHEME", "SIGNATURE_HEADER", "TIMESTAMP_HEADER",
           "WEBHOOK_ID_HEADER", "format_timestamp", "parse_timestamp", "sign"]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature Zendesk sends for ``body`` signed at ``timestamp``."""
    return SCHEME.sign(secret, body, timestamp)


def format_timestamp(instant: datetime) -> str:
    """Format an instant the way Zendesk writes the signature timestamp."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
