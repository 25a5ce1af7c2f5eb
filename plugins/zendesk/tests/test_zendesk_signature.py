"""Webhook signatures: base64 HMAC-SHA256 of timestamp + raw body, fresh within 5 minutes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.platforms import Unauthorized, WebhookRequest
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.settings import ZendeskSettings
from sla_bridge_zendesk.signature import format_timestamp, sign

SECRET = "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0"
NOW = datetime(2026, 11, 25, 15, 4, 5, tzinfo=UTC)
BODY = json.dumps({"ticket_id": "42", "event": "ticket.updated"}).encode()


def platform(secret: str = SECRET, clock: FixedClock | None = None) -> ZendeskPlatform:
    settings = ZendeskSettings(_env_file=None, subdomain="acme", email="bridge@acme.test",
                               api_token="token", webhook_secret=secret)
    return ZendeskPlatform(settings, clock or FixedClock(NOW))


def signed(body: bytes = BODY, at: datetime = NOW, secret: str = SECRET,
           **headers: str) -> WebhookRequest:
    stamp = format_timestamp(at)
    base = {"x-zendesk-webhook-signature-timestamp": stamp,
            "x-zendesk-webhook-signature": sign(secret, stamp, body),
            "x-zendesk-webhook-invocation-id": "01HINVOCATION"}
    base.update({k.replace("_", "-"): v for k, v in headers.items()})
    return WebhookRequest(headers=base, body=body, received_at=at)


def test_signature_is_base64_hmac_sha256_of_timestamp_and_body() -> None:
    stamp = "2026-11-25T15:04:05Z"
    expected = base64.b64encode(hmac.new(SECRET.encode(), stamp.encode() + BODY,
                                         hashlib.sha256).digest()).decode()
    assert sign(SECRET, stamp, BODY) == expected


def test_a_good_signature_is_accepted() -> None:
    events = platform().parse_webhook(signed())
    assert [e.ref.ticket_id for e in events] == ["42"]


@pytest.mark.parametrize("age", [timedelta(minutes=4, seconds=59), -timedelta(minutes=4)])
def test_timestamps_within_five_minutes_are_fresh(age: timedelta) -> None:
    assert platform().parse_webhook(signed(at=NOW - age))


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), timedelta(hours=3),
                                 -timedelta(minutes=5, seconds=1)])
def test_stale_or_future_timestamps_are_refused(age: timedelta) -> None:
    with pytest.raises(Unauthorized) as caught:
        platform().parse_webhook(signed(at=NOW - age))
    assert "tolerance" in caught.value.detail


def test_freshness_is_judged_by_the_injected_clock() -> None:
    clock = FixedClock(NOW)
    zendesk = platform(clock=clock)
    request = signed()
    assert zendesk.parse_webhook(request)
    clock.advance(timedelta(minutes=6))
    with pytest.raises(Unauthorized):
        zendesk.parse_webhook(request)


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(Unauthorized) as caught:
        platform().parse_webhook(signed(secret="another secret"))
    assert caught.value.status == 401
    assert "does not match" in caught.value.detail


def test_a_tampered_body_is_refused() -> None:
    good = signed()
    tampered = WebhookRequest(headers=good.headers, body=BODY.replace(b"42", b"43"),
                              received_at=NOW)
    with pytest.raises(Unauthorized):
        platform().parse_webhook(tampered)


@pytest.mark.parametrize("header", ["x-zendesk-webhook-signature",
                                    "x-zendesk-webhook-signature-timestamp"])
def test_a_missing_header_is_refused(header: str) -> None:
    request = signed()
    headers = {k: v for k, v in request.headers.items() if k != header}
    with pytest.raises(Unauthorized) as caught:
        platform().parse_webhook(WebhookRequest(headers=headers, body=BODY, received_at=NOW))
    assert header in caught.value.detail


def test_an_unreadable_timestamp_is_refused() -> None:
    request = signed()
    headers = {**request.headers, "x-zendesk-webhook-signature-timestamp": "yesterday"}
    with pytest.raises(Unauthorized):
        platform().parse_webhook(WebhookRequest(headers=headers, body=BODY, received_at=NOW))


def test_without_a_configured_secret_every_webhook_is_refused() -> None:
    with pytest.raises(Unauthorized) as caught:
        platform(secret="").parse_webhook(signed(secret=""))
    assert "WEBHOOK_SECRET" in caught.value.detail


def test_the_public_refusal_says_nothing_about_the_reason() -> None:
    with pytest.raises(Unauthorized) as caught:
        platform().parse_webhook(signed(secret="wrong"))
    assert caught.value.public == "unauthorized"
    assert SECRET not in caught.value.detail
    assert SECRET not in repr(platform().verifier)
