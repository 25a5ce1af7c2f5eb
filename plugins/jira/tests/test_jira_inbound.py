"""What the bridge makes of Jira's deliveries: one "look again" per request, the bridge's own
writes recognised, other projects ignored, bodies Jira does not send refused (400), and one
comment's two deliveries stored once."""

from __future__ import annotations

import json

import pytest
from jira_testing import (
    AGENT,
    AUTOMATION_SECRET,
    CUSTOMER,
    WEBHOOK_SECRET,
    comment_created,
    delivery,
    issue_commented,
    issue_updated,
    millis,
)

from sla_bridge.platforms import BadPayload, WebhookRequest
from sla_bridge.testing import VirtualClock
from sla_bridge_jira.inbound import AUTOMATION_BODY, automation_body
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.settings import JiraSettings


def offline(clock: VirtualClock, **settings: object) -> JiraPlatform:
    return JiraPlatform(JiraSettings(base_url="http://127.0.0.1:9", email="bridge@acme.test",
                                     api_token="t", webhook_secret=WEBHOOK_SECRET,
                                     automation_secret=AUTOMATION_SECRET, projects=["SUP"],
                                     **settings), clock)


def test_an_issue_update_is_one_event_named_by_its_identifier(clock: VirtualClock) -> None:
    [event] = offline(clock).parse_webhook(
        delivery(issue_updated(millis(clock.now())), clock.now(), identifier="a1b2-c3"))
    assert event.ref.ticket_id == "SUP-42"
    assert event.delivery_id == "a1b2-c3"
    assert event.event_type == "ticket.updated"
    assert event.occurred_at == clock.now().replace(microsecond=0)
    assert event.payload["actor_account_id"] == AGENT["accountId"]
    assert event.payload["status"] == "In Progress"
    assert not event.by_bridge


def test_the_same_delivery_retried_by_jira_has_the_same_delivery_id(clock: VirtualClock) -> None:
    platform = offline(clock)
    body = issue_updated(millis(clock.now()))
    first = platform.parse_webhook(delivery(body, clock.now(), identifier="id-7"))
    retried = platform.parse_webhook(delivery(body, clock.now(), identifier="id-7",
                                              headers={"X-Atlassian-Webhook-Retry": "1"}))
    assert first[0].delivery_id == retried[0].delivery_id


def test_the_bridges_own_update_is_recognised_as_its_echo(clock: VirtualClock) -> None:
    platform = offline(clock, bridge_account_id=AGENT["accountId"])
    [event] = platform.parse_webhook(delivery(issue_updated(millis(clock.now())), clock.now()))
    assert event.by_bridge


def test_one_comment_arriving_twice_is_one_delivery(clock: VirtualClock) -> None:
    platform = offline(clock)
    stamp = millis(clock.now())
    [own] = platform.parse_webhook(delivery(comment_created(stamp), clock.now(),
                                            identifier="first"))
    [on_issue] = platform.parse_webhook(delivery(issue_commented(stamp), clock.now(),
                                                 identifier="second"))
    assert own.delivery_id == on_issue.delivery_id
    assert own.event_type == "comment.created"
    assert own.payload["comment_public"] is True


def test_an_internal_comment_by_a_customer_is_told_apart(clock: VirtualClock) -> None:
    [event] = offline(clock).parse_webhook(delivery(
        comment_created(millis(clock.now()), public=False, author=CUSTOMER), clock.now()))
    assert event.payload["comment_public"] is False
    assert event.payload["actor_account_id"] == CUSTOMER["accountId"]


def test_a_deleted_request_is_an_event_the_reconciler_finds_gone(clock: VirtualClock) -> None:
    body = {**issue_updated(millis(clock.now())), "webhookEvent": "jira:issue_deleted"}
    [event] = offline(clock).parse_webhook(delivery(body, clock.now()))
    assert event.event_type == "ticket.deleted"


def test_other_projects_and_other_events_are_acknowledged_and_ignored(
        clock: VirtualClock) -> None:
    platform = offline(clock)
    stamp = millis(clock.now())
    assert platform.parse_webhook(delivery(issue_updated(stamp, "OPS-3"), clock.now())) == []
    assert platform.parse_webhook(delivery(comment_created(stamp, "OPS-3"), clock.now())) == []
    worklog = {"timestamp": stamp, "webhookEvent": "worklog_updated", "worklog": {"id": "1"}}
    assert platform.parse_webhook(delivery(worklog, clock.now())) == []


@pytest.mark.parametrize(("change", "says"), [
    ({"webhookEvent": None}, "webhookEvent"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"issue": "SUP-42"}, "issue must be an object"),
    ({"issue": {"key": "sup 42"}}, "issue.key"),
])
def test_a_body_jira_does_not_send_is_400_naming_what_is_wrong(
        clock: VirtualClock, change: dict[str, object], says: str) -> None:
    body = {**issue_updated(millis(clock.now())), **change}
    with pytest.raises(BadPayload) as refused:
        offline(clock).parse_webhook(delivery(body, clock.now()))
    assert refused.value.status == 400
    assert says in refused.value.public


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_400(clock: VirtualClock, raw: bytes) -> None:
    with pytest.raises(BadPayload):
        offline(clock).parse_webhook(delivery(raw, clock.now()))


def automation(body: dict[str, object], clock: VirtualClock) -> WebhookRequest:
    return WebhookRequest(headers={"x-sla-bridge-secret": AUTOMATION_SECRET,
                                   "content-type": "application/json"},
                          body=json.dumps(body).encode(), received_at=clock.now())


def rendered(**values: str) -> dict[str, object]:
    """The pasted automation body as Automation renders its smart values."""
    body: dict[str, object] = dict(AUTOMATION_BODY)
    body.update({"issue_key": "SUP-9", "issue_id": "10090", "project_key": "SUP",
                 "status": "Waiting for support", "priority": "High",
                 "updated": "2026-11-23T14:00:00.000+0000",
                 "actor_account_id": CUSTOMER["accountId"], **values})
    return body


def test_the_pasted_automation_body_is_valid_json_with_smart_values() -> None:
    parsed = json.loads(automation_body("issue.commented"))
    assert parsed["issue_key"] == "{{issue.key}}"
    assert parsed["event"] == "issue.commented"


def test_an_automation_request_is_an_event_with_a_derived_delivery_id(
        clock: VirtualClock) -> None:
    platform = offline(clock)
    [event] = platform.parse_webhook(automation(rendered(), clock))
    [again] = platform.parse_webhook(automation(rendered(), clock))
    [later] = platform.parse_webhook(automation(
        rendered(updated="2026-11-23T15:00:00.000+0000"), clock))
    assert event.ref.ticket_id == "SUP-9"
    assert event.delivery_id == again.delivery_id != later.delivery_id
    assert event.payload["source"] == "automation"


def test_an_unrendered_automation_body_is_400_saying_so(clock: VirtualClock) -> None:
    with pytest.raises(BadPayload) as refused:
        offline(clock).parse_webhook(automation(dict(AUTOMATION_BODY), clock))
    assert "unrendered smart value" in refused.value.public


def test_an_automation_request_for_another_project_is_ignored(clock: VirtualClock) -> None:
    assert offline(clock).parse_webhook(automation(
        rendered(issue_key="OPS-1", project_key="OPS"), clock)) == []
