"""The sandbox's deleted, spam and merged tickets and its Incremental Ticket Export keep
Zendesk's rules, over HTTP and through zenpy, and answer as the Support API document says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from zendesk_spec_check import problems_in_log
from zendesk_testing import settings_for

from sla_bridge.testing import VirtualClock
from sla_bridge_zendesk.client import ZendeskClient
from sla_bridge_zendesk.sandbox import Sandbox

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def zendesk(clock: VirtualClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock, export_page_size=2) as running:
        running.keep_responses()
        yield running


@pytest.fixture
def api(zendesk: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (f"{zendesk.api_email}/token", zendesk.api_token)
    return session


def url(zendesk: Sandbox, path: str) -> str:
    return f"{zendesk.base_url}/api/v2{path}"


def open_tickets(zendesk: Sandbox, clock: VirtualClock, count: int) -> list[dict[str, Any]]:
    """``count`` tickets, one a minute from START."""
    customer = zendesk.add_user("Pat", "pat@example.test")
    tickets = []
    for n in range(count):
        clock.set(START + timedelta(minutes=n))
        tickets.append(zendesk.open_ticket(customer["id"], f"Ticket {n}", "It fails"))
    return tickets


def export(api: requests.Session, zendesk: Sandbox, since: datetime,
           **params: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every page of the export from ``since``: (tickets, pages)."""
    answer = api.get(url(zendesk, "/incremental/tickets/cursor.json"),
                     params={"start_time": int(since.timestamp()), **params})
    pages = []
    while True:
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        if pages[-1]["end_of_stream"]:
            return [t for page in pages for t in page["tickets"]], pages
        answer = api.get(pages[-1]["after_url"])


def test_a_deleted_ticket_answers_404_and_is_listed_as_deleted(
        zendesk: Sandbox, clock: VirtualClock, api: requests.Session) -> None:
    [ticket, kept] = open_tickets(zendesk, clock, 2)
    clock.set(START + timedelta(hours=1))
    assert api.delete(url(zendesk, f"/tickets/{ticket['id']}.json")).status_code == 204
    for path in (f"/tickets/{ticket['id']}", f"/tickets/{ticket['id']}/audits",
                 f"/tickets/{ticket['id']}/comments", f"/tickets/{ticket['id']}/tags"):
        assert api.get(url(zendesk, path)).status_code == 404, path
    refused = api.put(url(zendesk, f"/tickets/{ticket['id']}.json"),
                      json={"ticket": {"comment": {"body": "Still there?"}}})
    assert refused.status_code == 404
    many = api.get(url(zendesk, f"/tickets/show_many.json?ids={ticket['id']},{kept['id']}"))
    assert [t["id"] for t in many.json()["tickets"]] == [kept["id"]]
    [listed] = api.get(url(zendesk, "/deleted_tickets.json")).json()["deleted_tickets"]
    assert (listed["id"], listed["previous_state"], listed["actor"]["id"]) == (
        ticket["id"], "new", zendesk.api_user["id"])
    assert listed["deleted_at"] == "2026-12-01T10:00:00Z"
    assert api.delete(url(zendesk, f"/tickets/{ticket['id']}.json")).status_code == 404
    assert problems_in_log(zendesk.request_log()) == []


def test_marking_as_spam_deletes_the_ticket_and_suspends_the_requester(
        zendesk: Sandbox, clock: VirtualClock, api: requests.Session) -> None:
    [ticket] = open_tickets(zendesk, clock, 1)
    answer = api.put(url(zendesk, f"/tickets/{ticket['id']}/mark_as_spam.json"))
    assert answer.status_code == 200
    assert api.get(url(zendesk, f"/tickets/{ticket['id']}.json")).status_code == 404
    assert zendesk.state.user(ticket["requester_id"])["suspended"] is True
    assert problems_in_log(zendesk.request_log()) == []


def test_merging_closes_the_sources_with_a_comment_and_a_tag(
        zendesk: Sandbox, clock: VirtualClock, api: requests.Session) -> None:
    source, target = open_tickets(zendesk, clock, 2)
    zendesk.agent_update(source["id"], zendesk.api_user["id"], status="pending")
    answer = api.post(url(zendesk, f"/tickets/{target['id']}/merge.json"),
                      json={"ids": [source["id"]], "source_comment": "Moved to the other"})
    assert answer.status_code == 200, answer.text
    job = answer.json()["job_status"]
    assert (job["status"], job["results"][0]["id"]) == ("completed", source["id"])
    merged = zendesk.ticket(source["id"])
    assert merged["status"] == "closed"  # from pending: a merge needs no solve first
    assert "closed_by_merge" in merged["tags"]
    last = zendesk.comments(source["id"])[-1]
    assert (last["body"], last["public"]) == ("Moved to the other", False)
    assert zendesk.comments(target["id"])[-1]["body"].startswith(
        f"Request #{source['id']} \"Ticket 0\" was closed and merged into this request")
    # A closed ticket takes no update, and cannot be merged again; nor can a ticket be
    # merged into itself.
    closed = api.put(url(zendesk, f"/tickets/{source['id']}.json"),
                     json={"ticket": {"comment": {"body": "Note"}}})
    assert closed.status_code == 422
    again = api.post(url(zendesk, f"/tickets/{target['id']}/merge.json"),
                     json={"ids": [source["id"]]})
    assert again.status_code == 422
    itself = api.post(url(zendesk, f"/tickets/{target['id']}/merge.json"),
                      json={"ids": [target["id"]]})
    assert itself.status_code == 422
    assert problems_in_log(zendesk.request_log()) == []


def test_the_export_pages_by_cursor_oldest_change_first_with_deleted_tickets(
        zendesk: Sandbox, clock: VirtualClock, api: requests.Session) -> None:
    tickets = open_tickets(zendesk, clock, 5)
    clock.set(START + timedelta(minutes=10))
    zendesk.agent_update(tickets[0]["id"], zendesk.api_user["id"], comment="Looking")
    zendesk.delete_ticket(tickets[2]["id"])
    clock.set(START + timedelta(minutes=20))
    found, pages = export(api, zendesk, START + timedelta(minutes=1))
    # #1 (opened at 09:00) is in as changed at 09:10, after #2 to #5; #3 as deleted.
    assert [t["id"] for t in found] == [2, 4, 5, 1, 3]
    assert [t["status"] for t in found] == ["new", "new", "new", "new", "deleted"]
    assert [len(p["tickets"]) for p in pages] == [2, 2, 1]
    assert all(p["after_cursor"] for p in pages)
    assert problems_in_log(zendesk.request_log()) == []
    # "Excluding deleted tickets" (a parameter the guide documents, the document does not).
    assert [t["id"] for t in export(api, zendesk, START, exclude_deleted="true")[0]] == [
        2, 4, 5, 1]


def test_the_export_leaves_out_the_last_minute_and_refuses_a_too_recent_start(
        zendesk: Sandbox, clock: VirtualClock, api: requests.Session) -> None:
    open_tickets(zendesk, clock, 3)  # 09:00, 09:01, 09:02
    clock.set(START + timedelta(minutes=2, seconds=30))
    found, pages = export(api, zendesk, START)
    assert [t["id"] for t in found] == [1, 2]  # 09:02 is within the last minute
    # The next export from where this one ended has the rest, once it is old enough.
    clock.set(START + timedelta(minutes=5))
    later = api.get(url(zendesk, "/incremental/tickets/cursor.json"),
                    params={"cursor": pages[-1]["after_cursor"]}).json()
    assert [t["id"] for t in later["tickets"]] == [3]
    recent = api.get(url(zendesk, "/incremental/tickets/cursor.json"),
                     params={"start_time": int((clock.now() - timedelta(seconds=30))
                                               .timestamp())})
    assert recent.status_code == 422
    both = api.get(url(zendesk, "/incremental/tickets/cursor.json"),
                   params={"start_time": 1, "cursor": pages[-1]["after_cursor"]})
    assert both.status_code == 400


def test_the_export_allows_ten_requests_a_minute(clock: VirtualClock) -> None:
    with Sandbox(clock=clock, export_rate_limit=2) as small:
        session = requests.Session()
        session.auth = (f"{small.api_email}/token", small.api_token)
        clock.set(START + timedelta(hours=1))
        params = {"start_time": int(START.timestamp())}
        answers = [session.get(url(small, "/incremental/tickets/cursor.json"), params=params)
                   for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[-1].headers["Retry-After"]) >= 1
        assert "incremental export" in answers[-1].json()["description"]


def test_zenpy_reads_the_whole_export_across_pages(
        zendesk: Sandbox, clock: VirtualClock) -> None:
    open_tickets(zendesk, clock, 5)
    clock.set(START + timedelta(hours=1))
    client = ZendeskClient(settings_for(zendesk))
    exported = client.zenpy.tickets.incremental(start_time=int(START.timestamp()))
    assert [t.id for t in exported] == [1, 2, 3, 4, 5]
    pages = [e for e in zendesk.request_log() if e["path"].startswith("/api/v2/incremental")]
    assert len(pages) == 3
    assert problems_in_log(zendesk.request_log()) == []
