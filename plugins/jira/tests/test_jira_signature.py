"""Admin webhooks are checked by ``X-Hub-Signature`` (sha256 HMAC of the raw body) and the
body's own timestamp; automation requests by the shared secret header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jira_testing import AUTOMATION_SECRET, WEBHOOK_SECRET, delivery, issue_updated, millis

from sla_bridge.platforms import Unauthorized, WebhookRequest
from sla_bridge.testing import VirtualClock
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.settings import JiraSettings
from sla_bridge_jira.signature import sign


@pytest.fixture
def offline(clock: VirtualClock) -> JiraPlatform:
    """The platform configured for a site it never calls (parsing does no I/O)."""
    settings = JiraSettings(base_url="http://127.0.0.1:9", email="bridge@acme.test",
                            api_token="t", webhook_secret=WEBHOOK_SECRET,
                            automation_secret=AUTOMATION_SECRET)
    return JiraPlatform(settings, clock)


def test_the_signature_matches_atlassians_test_vector() -> None:
    # developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
    assert sign("It's a Secret to Everybody", b"Hello World!") == (
        "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")


def test_a_signed_delivery_is_parsed(offline: JiraPlatform, clock: VirtualClock) -> None:
    events = offline.parse_webhook(delivery(issue_updated(millis(clock.now())), clock.now()))
    assert [e.ref.ticket_id for e in events] == ["SUP-42"]


@pytest.mark.parametrize("secret", [None, "a-guessed-secret"])
def test_unsigned_or_wrongly_signed_deliveries_are_refused(offline: JiraPlatform,
                                                           clock: VirtualClock,
                                                           secret: str | None) -> None:
    with pytest.raises(Unauthorized) as refused:
        offline.parse_webhook(delivery(issue_updated(millis(clock.now())), clock.now(),
                                       secret=secret))
    assert refused.value.status == 401
    assert WEBHOOK_SECRET not in refused.value.detail


def test_a_tampered_body_is_refused(offline: JiraPlatform, clock: VirtualClock) -> None:
    signed = delivery(issue_updated(millis(clock.now())), clock.now())
    tampered = WebhookRequest(headers=signed.headers,
                              body=signed.body.replace(b"SUP-42", b"SUP-43"),
                              received_at=signed.received_at)
    with pytest.raises(Unauthorized):
        offline.parse_webhook(tampered)


def test_a_replay_older_than_the_window_is_refused_though_signed(
        offline: JiraPlatform, clock: VirtualClock) -> None:
    then = clock.now()
    captured = delivery(issue_updated(millis(then)), then)
    clock.set(then + timedelta(hours=2))  # Jira's retries come within about 75 minutes
    assert offline.parse_webhook(captured)
    clock.set(then + timedelta(days=1, seconds=1))
    with pytest.raises(Unauthorized) as refused:
        offline.parse_webhook(captured)
    assert "SLA_BRIDGE_JIRA__SIGNATURE_TOLERANCE_SECONDS" in refused.value.detail


def test_the_automation_secret_is_checked_and_the_webhook_secret_does_not_open_it(
        offline: JiraPlatform, clock: VirtualClock) -> None:
    body = b'{"sla_bridge": "1", "issue_key": "SUP-7", "updated": "2026-11-23T14:00:00.000+0000"}'
    good = WebhookRequest(headers={"x-sla-bridge-secret": AUTOMATION_SECRET}, body=body,
                          received_at=clock.now())
    assert [e.ref.ticket_id for e in offline.parse_webhook(good)] == ["SUP-7"]
    for wrong in (WEBHOOK_SECRET, "guess"):
        bad = WebhookRequest(headers={"x-sla-bridge-secret": wrong}, body=body,
                             received_at=clock.now())
        with pytest.raises(Unauthorized):
            offline.parse_webhook(bad)
