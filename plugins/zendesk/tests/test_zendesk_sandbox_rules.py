"""The sandbox keeps Zendesk's ticket rules, injects faults on request, and runs standalone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
import requests
from zendesk_testing import Account

from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.sandbox._errors import ApiError


def api_error(call: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def solved_then_closed(sandbox: Sandbox, account: Account) -> dict[str, object]:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.agent_update(ticket["id"], account.agent["id"], status="solved")
    return sandbox.agent_update(ticket["id"], account.agent["id"], status="closed")


def test_a_closed_ticket_refuses_every_update_with_422(sandbox: Sandbox,
                                                       account: Account) -> None:
    ticket = solved_then_closed(sandbox, account)
    agent = sandbox.state.user(account.agent["id"])
    for payload in ({"status": "open"}, {"comment": {"body": "hello"}},
                    {"additional_tags": ["x"]}):
        error = api_error(lambda p=payload: sandbox.state.update_ticket(ticket["id"], p, agent))
        assert error.status == 422
        assert error.body["details"]["status"][0]["description"] == (
            "Status: closed prevents ticket update")


def test_only_a_solved_ticket_can_be_closed_and_none_goes_back_to_new(
        sandbox: Sandbox, account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    agent = sandbox.state.user(account.agent["id"])
    assert api_error(lambda: sandbox.state.update_ticket(
        ticket["id"], {"status": "closed"}, agent)).status == 422
    sandbox.agent_update(ticket["id"], account.agent["id"], status="open")
    assert api_error(lambda: sandbox.state.update_ticket(
        ticket["id"], {"status": "new"}, agent)).status == 422


def test_the_close_solved_automation_closes_as_the_system(sandbox: Sandbox,
                                                          account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.agent_update(ticket["id"], account.agent["id"], status="solved")
    assert sandbox.close_solved() == [ticket["id"]]
    assert sandbox.ticket(ticket["id"])["status"] == "closed"
    assert sandbox.audits(ticket["id"])[-1]["author_id"] == -1


def test_the_requesters_reply_reopens_pending_and_solved(sandbox: Sandbox,
                                                         account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    for status in ("pending", "solved"):
        sandbox.agent_update(ticket["id"], account.agent["id"], status=status)
        assert sandbox.customer_reply(ticket["id"], "still broken")["status"] == "open"


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(sandbox: Sandbox,
                                                      account: Account) -> None:
    closed = solved_then_closed(sandbox, account)
    follow_up = sandbox.customer_reply(closed["id"], "It broke again")
    assert follow_up["id"] != closed["id"]
    assert follow_up["via"]["source"] == {"rel": "follow_up", "to": {}, "from": {
        "ticket_id": closed["id"], "subject": "S", "channel": "web"}}
    assert sandbox.ticket(closed["id"])["followup_ids"] == [follow_up["id"]]


def test_a_follow_up_source_that_is_not_closed_has_no_effect(sandbox: Sandbox,
                                                             account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    other = sandbox.open_ticket(account.customer["id"], "T", "B",
                                via_followup_source_id=ticket["id"])
    assert other["via"]["source"]["rel"] is None
    assert sandbox.ticket(ticket["id"])["followup_ids"] == []


def test_assigning_a_new_ticket_opens_it(sandbox: Sandbox, account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    after = sandbox.agent_update(ticket["id"], account.agent["id"],
                                 assignee_id=account.agent["id"])
    assert after["status"] == "open"


def test_validation_errors(sandbox: Sandbox, account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    agent = sandbox.state.user(account.agent["id"])
    cases = {"priority": {"priority": "asap"}, "type": {"type": "chore"},
             "status": {"status": "waiting"}, "group": {"group_id": 1},
             "assignee_id": {"assignee_id": account.customer["id"]},
             "comment": {"comment": {"body": " "}}}
    for field, payload in cases.items():
        error = api_error(lambda p=payload: sandbox.state.update_ticket(ticket["id"], p, agent))
        assert (error.status, error.body["error"]) == (422, "RecordInvalid")
        assert field in error.body["details"], field
    blank = api_error(lambda: sandbox.state.create_ticket({"subject": "x"}, agent))
    assert "description" in blank.body["details"]


def test_the_assignee_must_be_a_member_of_the_group(sandbox: Sandbox) -> None:
    """Zendesk answers 422 "Assignee: is not a member of the group" (zenpy issue 628,
    https://github.com/facetoe/zenpy/issues/628; Group Memberships API,
    https://developer.zendesk.com/api-reference/ticketing/groups/group_memberships/)."""
    customer = sandbox.add_user("Pat", "pat@example.test")
    sandbox.add_group("Tier 1")
    sandbox.add_group("Tier 2")
    avery = sandbox.add_agent("Avery", "avery@vendor.test", groups=["Tier 1"])
    ticket = sandbox.open_ticket(customer["id"], "S", "B")
    agent = sandbox.state.user(avery["id"])
    tier1, tier2 = sandbox.group_id("Tier 1"), sandbox.group_id("Tier 2")
    sandbox.agent_update(ticket["id"], avery["id"], group_id=tier1, assignee_id=avery["id"])
    error = api_error(lambda: sandbox.state.update_ticket(ticket["id"], {"group_id": tier2},
                                                          agent))
    assert (error.status, error.body["details"]["assignee"][0]["description"]) == (
        422, "Assignee: is not a member of the group")
    # To the group unassigned is fine; the membership is listed as the API lists it.
    sandbox.state.update_ticket(ticket["id"], {"group_id": tier2, "assignee_id": None}, agent)
    listed = requests.get(f"{sandbox.base_url}/api/v2/group_memberships.json",
                          auth=(f"{sandbox.api_email}/token", sandbox.api_token), timeout=10)
    assert [(m["user_id"], m["group_id"]) for m in listed.json()["group_memberships"]
            if m["user_id"] == avery["id"]] == [(avery["id"], tier1)]


def test_a_ticket_is_solved_only_with_an_assignee(sandbox: Sandbox, account: Account) -> None:
    """Zendesk solves only assigned tickets (Tickets API,
    https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/; the wording of the
    422 is the sandbox's own); the agent workspace assigns the agent who submits a ticket as
    solved."""
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    agent = sandbox.state.user(account.agent["id"])
    error = api_error(lambda: sandbox.state.update_ticket(ticket["id"], {"status": "solved"},
                                                          agent))
    assert (error.status, error.body["details"]["assignee"][0]["description"]) == (
        422, "Assignee: is required when solving a ticket")
    solved = sandbox.agent_update(ticket["id"], account.agent["id"], status="solved")
    assert (solved["status"], solved["assignee_id"]) == ("solved", account.agent["id"])


def test_safe_update_refuses_outdated_data(sandbox: Sandbox, account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    agent = sandbox.state.user(account.agent["id"])
    error = api_error(lambda: sandbox.state.update_ticket(ticket["id"], {
        "priority": "low", "safe_update": True, "updated_stamp": "2000-01-01T00:00:00Z"}, agent))
    assert (error.status, error.body["error"]) == (409, "UpdateConflict")
    sandbox.state.update_ticket(ticket["id"], {"priority": "low", "safe_update": True,
                                               "updated_stamp": ticket["updated_at"]}, agent)


def test_an_update_that_changes_nothing_leaves_no_audit(sandbox: Sandbox,
                                                        account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B", priority="low")
    sandbox.agent_update(ticket["id"], account.agent["id"], priority="low")
    assert len(sandbox.audits(ticket["id"])) == 1


@pytest.fixture
def api(sandbox: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{sandbox.api_email}/token", sandbox.api_token)
    return session


def test_faults_through_the_admin_api(sandbox: Sandbox, account: Account,
                                      api: requests.Session) -> None:
    url = f"{sandbox.base_url}/api/v2/users/me.json"
    added = requests.post(f"{sandbox.base_url}/_sandbox/faults", json={
        "kind": "status", "status": 429, "retry_after": 3, "count": 2, "path": "/users/me"})
    assert added.status_code == 201
    first, second, third = api.get(url), api.get(url), api.get(url)
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["retry-after"] == "3"
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"kind": "status", "status": 503})
    assert api.get(url).status_code == 503
    requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"kind": "drop_before"})
    with pytest.raises(requests.RequestException):
        api.get(url)
    bad = requests.post(f"{sandbox.base_url}/_sandbox/faults", json={"kind": "explode"})
    assert bad.status_code == 400
    log = requests.get(f"{sandbox.base_url}/_sandbox/requests").json()["requests"]
    assert [r["fault"] for r in log if r["path"] == "/api/v2/users/me"] == [
        "429", "429", None, "503", "drop_before"]


def test_faults_match_method_and_path(sandbox: Sandbox, account: Account,
                                      api: requests.Session) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.fail_next(1, status=500, method="PUT", path=r"/tickets/\d+$")
    assert api.get(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json").status_code == 200
    answer = api.put(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json",
                     json={"ticket": {"priority": "low"}})
    assert answer.status_code == 500
    assert sandbox.ticket(ticket["id"])["priority"] is None  # nothing happened


def test_a_dropped_answer_after_processing_still_took_effect(
        sandbox: Sandbox, account: Account, api: requests.Session) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.drop_next(1, after_processing=True)
    with pytest.raises(requests.RequestException):
        api.put(f"{sandbox.base_url}/api/v2/tickets/{ticket['id']}.json",
                json={"ticket": {"priority": "low"}})
    assert sandbox.ticket(ticket["id"])["priority"] == "low"


def test_the_rate_limit_answers_429_with_headers(account: Account) -> None:
    with Sandbox(rate_limit=2) as limited:
        session = requests.Session()
        session.auth = (f"{limited.api_email}/token", limited.api_token)
        url = f"{limited.base_url}/api/v2/users/me.json"
        first, second, third = session.get(url), session.get(url), session.get(url)
        assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
        assert first.headers["x-rate-limit"] == "2"
        assert first.headers["x-rate-limit-remaining"] == "1"
        assert second.headers["ratelimit-remaining"] == "0"
        assert 1 <= int(third.headers["retry-after"]) <= 60


def test_only_admins_manage_webhooks(sandbox: Sandbox, account: Account) -> None:
    sandbox.add_agent("Ann", "ann@vendor.test", token="ann-token")
    answer = requests.get(f"{sandbox.base_url}/api/v2/webhooks", auth=("ann@vendor.test/token",
                                                                       "ann-token"))
    assert answer.status_code == 403


def test_a_customer_reply_and_the_close_solved_automation_through_the_admin_api(
        sandbox: Sandbox, account: Account) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.agent_update(ticket["id"], account.agent["id"], status="pending")
    reply = requests.post(f"{sandbox.base_url}/_sandbox/tickets/{ticket['id']}/reply",
                          json={"body": "Still broken"})
    assert reply.status_code == 200
    assert reply.json()["ticket"]["status"] == "open"
    assert sandbox.comments(ticket["id"])[-1]["body"] == "Still broken"
    missing = requests.post(f"{sandbox.base_url}/_sandbox/tickets/999/reply", json={})
    assert (missing.status_code, missing.json()["error"]) == (404, "RecordNotFound")
    sandbox.agent_update(ticket["id"], account.agent["id"], status="solved")
    closed = requests.post(f"{sandbox.base_url}/_sandbox/close_solved",
                           json={"older_than_seconds": 0})
    assert closed.json() == {"closed": [ticket["id"]]}
    assert requests.post(f"{sandbox.base_url}/_sandbox/close_solved",
                         json={"older_than_seconds": "soon"}).status_code == 400
    assert sandbox.ticket(ticket["id"])["status"] == "closed"


def test_it_runs_standalone_until_terminated() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "sla_bridge_zendesk.sandbox", "--port", "0", "--demo-data",
         "--webhook-secret", "s3cret"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("Zendesk sandbox on http://127.0.0.1:"), banner
        exports = dict(process.stdout.readline().strip().removeprefix("export ").split("=", 1)
                       for _ in range(5))
        url = exports["SLA_BRIDGE_ZENDESK__BASE_URL"]
        assert banner.split()[3] == url
        assert exports["SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET"] == "s3cret"
        auth = (f"{exports['SLA_BRIDGE_ZENDESK__EMAIL']}/token",
                exports["SLA_BRIDGE_ZENDESK__API_TOKEN"])
        orgs = requests.get(f"{url}/api/v2/organizations.json", auth=auth, timeout=5).json()
        assert [o["name"] for o in orgs["organizations"]] == ["Gold Corp", "Silver Ltd"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=5)
