"""End to end, what only JSM does with a reply to a closed request: JSM has no follow-up
tickets, so the bridge raises a new request on the customer's behalf (``POST
/rest/servicedeskapi/request`` with ``raiseOnBehalfOf``) and links it to the closed one
("Relates", ``POST /rest/api/2/issueLink``); the closed request stays closed.

https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-post
and https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-links/#api-rest-api-2-issuelink-post
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jira_driver import JiraDriver

from sla_bridge.testing.conformance import AgentUpdate, at, code42_scene

RESTORES = ("Restores fail from many devices since the upgrade. Product: Code42 app 11.2 on "
            "Windows 11. GUID 987654321098765432, user dana@acme.test, logs attached, "
            "screenshot attached, cloud destination: Code42 cloud.")
REQUEST_TYPE, ORGANIZATIONS = "customfield_10010", "customfield_10002"


@pytest.fixture
def desk(tmp_path: Path, clean_environment: None) -> Iterator[JiraDriver]:
    """The code42 cast on the JSM sandbox, the bridge wired to it."""
    driver = JiraDriver(tmp_path / "world", out=sys.stdout)
    driver.begin(code42_scene())
    yield driver
    driver.close(wait=False)


def closed(desk: JiraDriver) -> str:
    """Dana's Gold Severity 2 raised by e-mail, resolved at once, closed on Friday 4 Dec."""
    key = desk.open_ticket("Dana", "Restores fail", RESTORES, severity="2", channel="email",
                           at=at("2026-11-30 09:00"))
    desk.agent_update(key, "Avery", AgentUpdate(comment="Fixed by 11.2.1.", status="solved"),
                      at=at("2026-11-30 09:30"))
    assert desk.close_solved(at=at("2026-12-04 10:00")) == [key]
    return key


def test_a_reply_to_a_closed_request_raises_a_linked_request_for_the_customer(
        desk: JiraDriver) -> None:
    original = closed(desk)
    desk.customer_reply(original, "It fails again.", at=at("2026-12-07 09:00"))
    [new] = desk.follow_ups(original)

    raised, before = desk.sandbox.issue(new)["fields"], desk.sandbox.issue(original)["fields"]
    assert raised["reporter"]["accountId"] == desk.person_id("Dana")
    assert raised[REQUEST_TYPE]["requestType"]["name"] == "Emailed request"  # as the original
    assert before[REQUEST_TYPE]["requestType"]["name"] == "Emailed request"
    assert raised[ORGANIZATIONS] == before[ORGANIZATIONS]  # Acme: Gold, in the USA
    assert raised["priority"]["name"] == "High"  # the closed request's Severity 2
    [link] = raised["issuelinks"]
    assert link["type"]["name"] == "Relates"
    assert (link.get("inwardIssue") or link.get("outwardIssue"))["key"] == original
    # The closed request took the e-mailed reply and stays closed; the bridge wrote nothing
    # to it after closing it.
    assert before["status"]["name"] == "Closed"
    bridge = desk.sandbox.bridge["accountId"]
    assert [c["body"] for c in desk.sandbox.comments(original)][-1] == "It fails again."
    assert [c for c in desk.sandbox.comments(original) if c["author"]["accountId"] == bridge
            and c["created"] >= "2026-12-04T16:00"] == []
    # The new request has its own clocks, at the original's severity (4 business hours).
    assert desk.view(new).due["first_response"] == at("2026-12-07 13:00")


def test_a_lost_answer_to_raising_the_follow_up_does_not_raise_a_second_one(
        desk: JiraDriver) -> None:
    original = closed(desk)
    # Jira raises the request, and the answer saying so is lost.
    desk.sandbox.drop_next(1, after_processing=True, method="POST",
                           path=r"/rest/servicedeskapi/request$")
    desk.customer_reply(original, "It fails again.", at=at("2026-12-07 09:00"))
    assert "drop_after" in desk.faults_hit()
    assert len(desk.follow_ups(original)) == 1
    assert [key for key in desk.sandbox.state.issues if key != original] == desk.follow_ups(
        original)
    assert desk.look_again(original) == []
