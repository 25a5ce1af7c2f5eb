"""Verifying inbound webhooks: an HMAC of the body (and a timestamp), or a shared secret.

The formula and the header names are parameters, so one verifier serves every platform::

    # Zendesk: base64(HMAC-SHA256(secret, timestamp + body)), signed at a timestamp
    HmacSignature("x-zendesk-webhook-signature", encoding="base64",
                  timestamp_header="x-zendesk-webhook-signature-timestamp")
    # GitHub-style (Jira Service Management): "sha256=" + hex(HMAC-SHA256(secret, body))
    HmacSignature("x-hub-signature", prefix="sha256=")
    # A secret the sender repeats in a header (Salesforce Flow)
    SharedSecretHeader("x-sla-bridge-secret")

Every comparison is constant-time; a timestamped signature must be fresh by the bridge's
(injected) clock. Refusals are :class:`~sla_bridge.platforms.Unauthorized`: the public
answer says nothing, the logged ``detail`` says what was wrong (never the secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import SecretStr

from sla_bridge.clock import Clock
from sla_bridge.platforms import Unauthorized, WebhookRequest

from ._settings import PlatformSettings

REFUSED = "unauthorized"


def parse_timestamp(value: str) -> datetime | None:
    """An ISO 8601 instant (``Z`` or an offset; UTC when it has none) or Unix seconds; ``None``
    when it is neither."""
    value = value.strip()
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _timestamp_then_body(timestamp: str, body: bytes) -> bytes:
    return timestamp.encode() + body


class WebhookScheme(Protocol):
    """How a platform authenticates its webhooks (see :class:`WebhookVerifier`)."""

    def check(self, request: WebhookRequest, secret: str) -> str | None:
        """The signed timestamp header's value, or ``None`` when the scheme has none; raise
        :class:`Unauthorized` when the request does not prove it knows ``secret``."""
        ...


@dataclass(frozen=True)
class HmacSignature:
    """An HMAC of the raw body, optionally preceded by a timestamp sent in its own header.

    ``message(timestamp, body)`` builds what is signed (the timestamp first, by default);
    the digest is written in ``encoding`` after ``prefix`` (``sha256=``).
    """

    signature_header: str
    timestamp_header: str | None = None
    algorithm: str = "sha256"
    encoding: Literal["base64", "hex"] = "hex"
    prefix: str = ""
    message: Callable[[str, bytes], bytes] = _timestamp_then_body

    def sign(self, secret: str, body: bytes, timestamp: str = "") -> str:
        """The header value the platform sends for ``body`` (signed at ``timestamp``)."""
        digest = hmac.new(secret.encode(), self.message(timestamp, body), self.algorithm).digest()
        text = base64.b64encode(digest).decode() if self.encoding == "base64" else digest.hex()
        return self.prefix + text

    def check(self, request: WebhookRequest, secret: str) -> str | None:
        """Compare the signature with the body's, in constant time; return the timestamp."""
        signature = _required(request, self.signature_header)
        stamp = _required(request, self.timestamp_header) if self.timestamp_header else None
        expected = self.sign(secret, request.body, stamp or "")
        if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
            raise Unauthorized(REFUSED, "signature does not match the body")
        return stamp


@dataclass(frozen=True)
class SharedSecretHeader:
    """The secret itself, repeated in a header by the sender (no signature, no timestamp)."""

    header: str

    def sign(self, secret: str, body: bytes = b"", timestamp: str = "") -> str:
        """The header value the sender must send: the secret."""
        return secret

    def check(self, request: WebhookRequest, secret: str) -> str | None:
        """Compare the header with the secret in constant time."""
        given = _required(request, self.header)
        if not hmac.compare_digest(hashlib.sha256(given.strip().encode()).digest(),
                                   hashlib.sha256(secret.encode()).digest()):
            raise Unauthorized(REFUSED, f"{self.header} does not hold the shared secret")
        return None


def _required(request: WebhookRequest, header: str) -> str:
    value = request.header(header)
    if not value:
        raise Unauthorized(REFUSED, f"missing {header.lower()} header")
    return value


class WebhookVerifier:
    """Checks inbound webhooks against a scheme, a secret and the bridge's clock."""

    def __init__(self, scheme: WebhookScheme, secret: SecretStr, clock: Clock,
                 tolerance: timedelta, *, secret_variable: str, platform_label: str,
                 parse: Callable[[str], datetime | None] = parse_timestamp) -> None:
        self.scheme = scheme
        self._secret = secret
        self._clock = clock
        self.tolerance = tolerance
        self.secret_variable = secret_variable
        self.platform_label = platform_label
        self._parse = parse

    @classmethod
    def for_settings(cls, scheme: WebhookScheme, settings: PlatformSettings,
                     clock: Clock) -> WebhookVerifier:
        """The verifier of a platform section: its webhook secret and signature tolerance."""
        return cls(scheme, settings.webhook_secret, clock, settings.signature_tolerance,
                   secret_variable=settings.variable("webhook_secret"),
                   platform_label=settings.platform_label)

    def __repr__(self) -> str:
        return f"WebhookVerifier({self.scheme!r}, secret={'*' * 10}, tolerance={self.tolerance})"

    def verify(self, request: WebhookRequest) -> datetime | None:
        """Return the signed instant (``None`` for schemes without one); raise
        :class:`Unauthorized` for a missing, wrong, unreadable or stale proof."""
        secret = self._secret.get_secret_value()
        if not secret:
            raise Unauthorized(REFUSED, f"{self.secret_variable} is not set; every "
                               f"{self.platform_label} webhook is refused")
        stamp = self.scheme.check(request, secret)
        if stamp is None:
            return None
        signed_at = self._parse(stamp)
        if signed_at is None:
            raise Unauthorized(REFUSED, f"unreadable signature timestamp {stamp[:40]!r}")
        skew = self._clock.now() - signed_at
        if abs(skew) > self.tolerance:
            direction = "old" if skew > timedelta(0) else "in the future"
            raise Unauthorized(REFUSED, f"signature timestamp {stamp} is "
                               f"{abs(int(skew.total_seconds()))} s {direction} (tolerance "
                               f"{int(self.tolerance.total_seconds())} s)")
        return signed_at
