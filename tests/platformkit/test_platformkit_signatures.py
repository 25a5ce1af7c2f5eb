"""Webhook verification: Zendesk-style timestamped HMAC, GitHub-style body HMAC (Jira Service
Management) and a shared secret in a header (Salesforce Flow)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from platformkit_fakes import NOW, SECRET
from pydantic import SecretStr

from sla_bridge.clock import FixedClock
from sla_bridge.platformkit import (
    HmacSignature,
    SharedSecretHeader,
    WebhookScheme,
    WebhookVerifier,
    parse_timestamp,
)
from sla_bridge.platforms import Unauthorized, WebhookRequest

BODY = b'{"ticket_id": "42"}'
ZENDESK_STYLE = HmacSignature("x-zendesk-webhook-signature", encoding="base64",
                              timestamp_header="x-zendesk-webhook-signature-timestamp")
JSM_STYLE = HmacSignature("x-hub-signature", prefix="sha256=")
SALESFORCE_STYLE = SharedSecretHeader("x-sla-bridge-secret")


def verifier(scheme: WebhookScheme, clock: FixedClock | None = None,
             secret: str = SECRET) -> WebhookVerifier:

    return WebhookVerifier(scheme, SecretStr(secret), clock or FixedClock(NOW),
                           timedelta(minutes=5), secret_variable="SLA_BRIDGE_ACME__WEBHOOK_SECRET",
                           platform_label="Acme")


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamped(at: datetime = NOW, secret: str = SECRET, body: bytes = BODY) -> WebhookRequest:
    headers = {"x-zendesk-webhook-signature-timestamp": stamp(at),
               "x-zendesk-webhook-signature": ZENDESK_STYLE.sign(secret, body, stamp(at))}
    return WebhookRequest(headers=headers, body=body, received_at=NOW)


def hub(signature: str, body: bytes = BODY) -> WebhookRequest:
    return WebhookRequest(headers={"x-hub-signature": signature}, body=body, received_at=NOW)


def refusal(verify: WebhookVerifier, request: WebhookRequest) -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        verify.verify(request)
    assert caught.value.status == 401
    assert caught.value.public == "unauthorized"  # the sender learns nothing
    assert SECRET not in caught.value.detail
    return caught.value


# -- the timestamped HMAC (Zendesk) -----------------------------------------------------


def test_the_timestamped_signature_is_base64_hmac_of_timestamp_and_body() -> None:
    expected = base64.b64encode(hmac.new(SECRET.encode(), stamp(NOW).encode() + BODY,
                                         hashlib.sha256).digest()).decode()
    assert ZENDESK_STYLE.sign(SECRET, BODY, stamp(NOW)) == expected


def test_a_good_signature_is_accepted_with_its_signed_instant() -> None:
    assert verifier(ZENDESK_STYLE).verify(timestamped()) == NOW


def test_a_wrong_signature_is_refused() -> None:
    assert "does not match" in refusal(verifier(ZENDESK_STYLE),
                                       timestamped(secret="another")).detail


def test_a_tampered_body_is_refused() -> None:
    good = timestamped()
    tampered = WebhookRequest(headers=good.headers, body=BODY.replace(b"42", b"43"),
                              received_at=NOW)
    refusal(verifier(ZENDESK_STYLE), tampered)


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), timedelta(days=1),
                                 -timedelta(minutes=5, seconds=1)])
def test_a_stale_or_future_timestamp_is_refused(age: timedelta) -> None:
    detail = refusal(verifier(ZENDESK_STYLE), timestamped(at=NOW - age)).detail
    assert "tolerance 300 s" in detail
    assert ("old" if age > timedelta(0) else "in the future") in detail


@pytest.mark.parametrize("age", [timedelta(minutes=4, seconds=59), -timedelta(minutes=4)])
def test_a_timestamp_within_the_window_is_fresh(age: timedelta) -> None:
    assert verifier(ZENDESK_STYLE).verify(timestamped(at=NOW - age))


def test_freshness_is_judged_by_the_injected_clock() -> None:
    clock = FixedClock(NOW)
    verify = verifier(ZENDESK_STYLE, clock)
    request = timestamped()
    assert verify.verify(request)
    clock.advance(timedelta(minutes=6))
    refusal(verify, request)


@pytest.mark.parametrize("header", ["x-zendesk-webhook-signature",
                                    "x-zendesk-webhook-signature-timestamp"])
def test_a_missing_header_is_named(header: str) -> None:
    good = timestamped()
    headers = {k: v for k, v in good.headers.items() if k != header}
    request = WebhookRequest(headers=headers, body=BODY, received_at=NOW)
    assert f"missing {header} header" in refusal(verifier(ZENDESK_STYLE), request).detail


def test_an_unreadable_timestamp_is_refused() -> None:
    headers = {"x-zendesk-webhook-signature-timestamp": "yesterday",
               "x-zendesk-webhook-signature": ZENDESK_STYLE.sign(SECRET, BODY, "yesterday")}
    request = WebhookRequest(headers=headers, body=BODY, received_at=NOW)
    assert "unreadable" in refusal(verifier(ZENDESK_STYLE), request).detail


def test_without_a_secret_every_webhook_is_refused_and_the_variable_named() -> None:
    detail = refusal(verifier(ZENDESK_STYLE, secret=""), timestamped(secret="")).detail
    assert detail == ("SLA_BRIDGE_ACME__WEBHOOK_SECRET is not set; every Acme webhook is "
                      "refused")


def test_the_verifier_never_shows_its_secret() -> None:
    assert SECRET not in repr(verifier(ZENDESK_STYLE))


# -- the body HMAC (Jira Service Management) --------------------------------------------


def test_a_hub_signature_is_sha256_hex_of_the_body() -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert JSM_STYLE.sign(SECRET, BODY) == expected
    assert verifier(JSM_STYLE).verify(hub(expected)) is None  # no timestamp to judge


@pytest.mark.parametrize("signature", [
    "sha256=" + "0" * 64,
    hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(),  # without the prefix
    "sha1=" + hmac.new(SECRET.encode(), BODY, hashlib.sha1).hexdigest(),
])
def test_a_wrong_hub_signature_is_refused(signature: str) -> None:
    refusal(verifier(JSM_STYLE), hub(signature))


def test_a_hub_signature_of_another_body_is_refused() -> None:
    refusal(verifier(JSM_STYLE), hub(JSM_STYLE.sign(SECRET, b"{}")))


# -- the shared secret (Salesforce Flow) ------------------------------------------------


def shared(value: str | None) -> WebhookRequest:
    headers = {} if value is None else {"x-sla-bridge-secret": value}
    return WebhookRequest(headers=headers, body=BODY, received_at=NOW)


def test_the_shared_secret_is_accepted() -> None:
    assert verifier(SALESFORCE_STYLE).verify(shared(SECRET)) is None


@pytest.mark.parametrize("value", ["wrong", SECRET[:-1], SECRET + "x", ""])
def test_a_wrong_shared_secret_is_refused(value: str) -> None:
    refusal(verifier(SALESFORCE_STYLE), shared(value))


def test_a_missing_shared_secret_header_is_named() -> None:
    assert "x-sla-bridge-secret" in refusal(verifier(SALESFORCE_STYLE), shared(None)).detail


# -- timestamps ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-25T15:04:05Z", NOW),
    ("2026-11-25T09:04:05-06:00", NOW),
    ("2026-11-25T15:04:05", NOW),
    (str(int(NOW.timestamp())), NOW),
    ("yesterday", None),
    ("", None),
])
def test_timestamps_are_iso_8601_or_unix_seconds(text: str, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected
