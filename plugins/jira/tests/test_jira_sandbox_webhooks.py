"""The sandbox's admin webhooks (and Automation web requests) as Jira Cloud sends them, to a
real HTTP receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jira import JIRA

from sla_bridge.testing import WebhookReceiver
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.sandbox._webhooks import sign

SECRET = "G8j4166a5OkXRD4WbqV3"
HOOKS = "/rest/webhooks/1.0/webhook"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """Where the webhooks go."""
    with WebhookReceiver() as endpoint:
        yield endpoint


@pytest.fixture
def site() -> Iterator[Sandbox]:
    """A running sandbox with a customer and an agent (with a token)."""
    with Sandbox() as sandbox:
        sandbox.add_customer("Grace", "grace@gold.test", token="grace-token")
        sandbox.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
        yield sandbox


def who(site: Sandbox, email: str) -> str:
    """The account id of the person with this e-mail."""
    return str(site.account(email)["accountId"])


def bodies(receiver: WebhookReceiver, count: int) -> list[dict[str, Any]]:
    """The first ``count`` bodies received, parsed."""
    return [json.loads(r.body) for r in receiver.wait_for(count)[:count]]


def test_atlassian_signature_test_vector() -> None:
    """The signature is WebSub's ``sha256=<hex HMAC-SHA256>``; Atlassian's test vector
    (secret "It's a Secret to Everybody", payload "Hello World!") gives its documented value
    (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks)."""
    assert sign("It's a Secret to Everybody", b"Hello World!") == (
        "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9")


def test_registration_keeps_the_secret_unreadable(site: Sandbox) -> None:
    """``POST /rest/webhooks/1.0/webhook`` with events, a JQL filter and a secret answers
    the webhook with ``isSigned`` and never the secret; only admins manage webhooks
    (https://developer.atlassian.com/cloud/jira/platform/webhooks/#registering-a-webhook-using-the-jira-rest-api--other-integrations-)."""
    body = {"name": "sla-bridge", "url": "http://127.0.0.1:9/hook",
            "events": ["jira:issue_updated", "comment_created"],
            "filters": {"issue-related-events-section": "project = SUP"},
            "excludeBody": False, "secret": SECRET}
    agent = httpx.post(site.base_url + HOOKS, json=body, auth=("ada@vendor.test", "ada-token"))
    assert agent.status_code == 403
    made = httpx.post(site.base_url + HOOKS, json=body, auth=(site.api_email, site.api_token))
    assert made.status_code == 201
    assert made.json()["isSigned"] is True
    listed = httpx.get(site.base_url + HOOKS, auth=(site.api_email, site.api_token)).text
    assert SECRET not in listed
    removed = httpx.delete(made.json()["self"], auth=(site.api_email, site.api_token))
    assert removed.status_code == 204
    assert httpx.get(site.base_url + HOOKS, auth=(site.api_email, site.api_token)).json() == []


def test_unreadable_jql_is_refused_at_registration(site: Sandbox) -> None:
    """A filter the site cannot read is a 400 at registration, not a webhook that matches
    everything (same page: the filter is JQL)."""
    made = httpx.post(site.base_url + HOOKS, auth=(site.api_email, site.api_token), json={
        "name": "x", "url": "http://127.0.0.1:9/hook", "events": ["jira:issue_updated"],
        "filters": {"issue-related-events-section": "project ~ SUP OR"}})
    assert made.status_code == 400


def test_a_signed_delivery_as_jira_sends_it(site: Sandbox, receiver: WebhookReceiver) -> None:
    """An update is a ``jira:issue_updated`` with ``timestamp`` (ms), ``user``, ``issue``
    and ``changelog``, signed over the exact bytes, with an identifier and no retry header on
    the first attempt (same page, "Secure admin webhooks" and the delivery headers)."""
    site.register_webhook(receiver.url, secret=SECRET)
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    site.edit(key, who(site, "ada@vendor.test"), {"priority": {"name": "High"}})
    created, updated = receiver.wait_for(2)[:2]
    assert json.loads(created.body)["webhookEvent"] == "jira:issue_created"
    expected = "sha256=" + hmac.new(SECRET.encode(), updated.body, hashlib.sha256).hexdigest()
    assert updated.headers["x-hub-signature"] == expected
    assert updated.headers["x-atlassian-webhook-identifier"]
    assert "x-atlassian-webhook-retry" not in updated.headers
    body = json.loads(updated.body)
    assert body["issue_event_type_name"] == "issue_updated"
    assert body["user"]["accountId"] == who(site, "ada@vendor.test")
    assert body["issue"]["key"] == key
    assert body["changelog"]["items"][0]["toString"] == "High"
    assert isinstance(body["timestamp"], int)


def test_no_signature_without_a_secret(site: Sandbox, receiver: WebhookReceiver) -> None:
    """``X-Hub-Signature`` is sent only when the webhook has a secret (same page)."""
    site.register_webhook(receiver.url)
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert "x-hub-signature" not in receiver.wait_for(1)[0].headers


def test_a_comment_fires_two_deliveries(site: Sandbox, receiver: WebhookReceiver) -> None:
    """A comment is a ``comment_created`` (comment with ``jsdPublic``, a reduced issue, no
    user) and a ``jira:issue_updated`` (``issue_commented``) with different identifiers
    (events on https://developer.atlassian.com/cloud/jira/platform/webhooks/; the shapes as
    real deliveries captured by third parties show them, the research's A1 [3rd])."""
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    site.register_webhook(receiver.url)
    site.comment(key, who(site, "ada@vendor.test"), "internal", public=False)
    first, second = receiver.wait_for(2)[:2]
    events = {json.loads(r.body)["webhookEvent"]: json.loads(r.body) for r in (first, second)}
    comment = events["comment_created"]
    assert comment["comment"]["jsdPublic"] is False
    assert "user" not in comment
    assert set(comment["issue"]["fields"]) == {"summary", "issuetype", "project", "assignee",
                                               "priority", "status"}
    assert events["jira:issue_updated"]["issue_event_type_name"] == "issue_commented"
    assert (first.headers["x-atlassian-webhook-identifier"]
            != second.headers["x-atlassian-webhook-identifier"])


def test_the_bridges_own_writes_echo_with_its_account(site: Sandbox,
                                                      receiver: WebhookReceiver) -> None:
    """The bridge's writes fire webhooks like anyone's, naming its account as the actor
    (``user`` / ``comment.author``), which is how the bridge recognises its echo."""
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    site.register_webhook(receiver.url)
    jira = JIRA(server=site.base_url, basic_auth=(site.api_email, site.api_token),
                max_retries=0)
    jira.add_comment(key, "We are on it")
    received = bodies(receiver, 2)
    by_event = {b["webhookEvent"]: b for b in received}
    bridge = site.bridge["accountId"]
    assert by_event["comment_created"]["comment"]["author"]["accountId"] == bridge
    assert by_event["jira:issue_updated"]["user"]["accountId"] == bridge


def test_the_jql_filter_chooses_the_issues(site: Sandbox, receiver: WebhookReceiver) -> None:
    """Only issues matching the webhook's JQL filter are sent (registration page: the
    ``issue-related-events-section`` filter)."""
    site.add_project("OPS", "Operations", ["Get IT help"])
    site.register_webhook(receiver.url, jql="project = SUP")
    grace = who(site, "grace@gold.test")
    site.open_request(grace, "Other desk", project="OPS")
    site.open_request(grace, "Ours")
    site.flush()
    received = bodies(receiver, 1)
    assert [b["issue"]["key"] for b in received] == ["SUP-1"]
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 503])
def test_retried_answers_keep_the_identifier(site: Sandbox, receiver: WebhookReceiver,
                                             status: int) -> None:
    """After 408, 409, 425, 429 or a 5xx Jira sends the same body again with the same
    ``X-Atlassian-Webhook-Identifier`` and ``X-Atlassian-Webhook-Retry`` 1, 2 ..., five
    retries at most (https://community.developer.atlassian.com/t/new-jira-cloud-webhook-retry-policy/30554)."""
    receiver.status = status
    site.register_webhook(receiver.url, secret=SECRET)
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert site.flush()
    attempts = receiver.requests
    assert len(attempts) == 6
    assert len({a.headers["x-atlassian-webhook-identifier"] for a in attempts}) == 1
    assert len({a.body for a in attempts}) == 1
    assert [a.headers.get("x-atlassian-webhook-retry") for a in attempts] == [
        None, "1", "2", "3", "4", "5"]


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_client_errors_are_not_retried(site: Sandbox, receiver: WebhookReceiver,
                                             status: int) -> None:
    """Other 4xx answers are final (same post)."""
    receiver.status = status
    site.register_webhook(receiver.url)
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert site.flush()
    assert len(receiver.requests) == 1


def test_unreachable_endpoints_are_retried(site: Sandbox) -> None:
    """A connection that fails is retried like a 5xx (same post)."""
    with WebhookReceiver() as gone:
        url = gone.url
    site.register_webhook(url)
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert site.flush()
    assert len(site.deliveries[0].attempts) == 6


def test_lost_and_repeated_deliveries(site: Sandbox, receiver: WebhookReceiver) -> None:
    """Deliveries may be lost, or arrive twice "if the delivery acknowledgment fails" (same
    post): a repeated one has the same identifier."""
    site.register_webhook(receiver.url)
    grace = who(site, "grace@gold.test")
    site.drop_webhooks(1)
    site.open_request(grace, "Lost")
    site.duplicate_webhooks(1)
    site.open_request(grace, "Twice")
    assert site.flush()
    keys = [json.loads(r.body)["issue"]["key"] for r in receiver.requests]
    assert keys == ["SUP-2", "SUP-2"]
    assert len({r.headers["x-atlassian-webhook-identifier"] for r in receiver.requests}) == 1


def test_automation_web_request(site: Sandbox, receiver: WebhookReceiver) -> None:
    """An Automation rule's "Send web request" sends its custom body with smart values
    replaced and its static headers
    (https://support.atlassian.com/cloud-automation/docs/issue-data-automation-format-payload-for-send-web-request/),
    once: that it carries no identifier and is never retried is [inferred]."""
    receiver.status = 503
    site.add_automation(receiver.url, '{"issue_key": "{{issue.key}}", '
                        '"status": "{{issue.status.name}}"}',
                        {"X-SLA-Bridge-Token": "automation-secret"})
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert site.automation.flush()
    (only,) = receiver.requests
    assert json.loads(only.body) == {"issue_key": "SUP-1", "status": "Waiting for support"}
    assert only.headers["x-sla-bridge-token"] == "automation-secret"
    assert "x-atlassian-webhook-identifier" not in only.headers


def test_url_variables_are_substituted(site: Sandbox, receiver: WebhookReceiver) -> None:
    """An admin webhook's URL may name ``${issue.key}``, which Jira replaces (registration
    page, "Variable substitution in the webhook URL")."""
    site.register_webhook(receiver.url + "/jira/${issue.key}")
    site.open_request(who(site, "grace@gold.test"), "Restore fails")
    assert site.flush()
    assert [d.endpoint for d in site.deliveries] == [receiver.url + "/jira/SUP-1"]


def test_late_deliveries_arrive_after_later_changes(site: Sandbox,
                                                    receiver: WebhookReceiver) -> None:
    """Webhooks may arrive "later than usual (up to 30 minutes)" (retry-policy post): held
    back, then sent newest first, each body still shows the issue as it was then."""
    site.register_webhook(receiver.url, events=["jira:issue_updated"])
    key = site.open_request(who(site, "grace@gold.test"), "Restore fails")
    ada = who(site, "ada@vendor.test")
    site.hold_webhooks()
    site.transition(key, ada, "Start progress")
    site.transition(key, ada, "Pending")
    assert receiver.requests == []
    assert site.release_webhooks(newest_first=True) == 2
    statuses = [b["issue"]["fields"]["status"]["name"] for b in bodies(receiver, 2)]
    assert statuses == ["Pending", "In progress"]
