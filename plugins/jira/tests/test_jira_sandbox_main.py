"""``python -m sla_bridge_jira.sandbox``: the standalone site, with its demo data."""

from __future__ import annotations

import io
import re
import threading
import time

import httpx
from jira import JIRA

from sla_bridge.testing import WebhookReceiver
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.sandbox.__main__ import DEMO_PEOPLE, main


def _serve(argv: list[str]) -> tuple[threading.Thread, threading.Event, io.StringIO]:
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(target=main, args=(argv,), kwargs={"out": out, "until": stop},
                              daemon=True)
    thread.start()
    return thread, stop, out


def _banner(out: io.StringIO) -> str:
    # Waiting for the banner the server prints once it listens (not a timing assertion).
    for _ in range(500):
        if "export SLA_BRIDGE_JIRA__API_TOKEN" in out.getvalue():
            return out.getvalue()
        time.sleep(0.01)
    raise AssertionError(f"no banner: {out.getvalue()!r}")


def test_standalone_demo_site_serves_the_people_it_prints() -> None:
    """The banner gives the plugin's settings and the demo people; each signs in with the
    token printed, and the registered webhook receives the site's changes."""
    with WebhookReceiver() as receiver:
        thread, stop, out = _serve(["--port", "0", "--demo-data", "--webhook-url",
                                    receiver.url, "--webhook-secret", "demo-secret"])
        try:
            banner = _banner(out)
            base = re.search(r"SLA_BRIDGE_JIRA__BASE_URL=(\S+)", banner)
            assert base is not None
            assert "SLA_BRIDGE_JIRA__WEBHOOK_SECRET=demo-secret" in banner
            grace, _, avery, _ = DEMO_PEOPLE
            assert grace.token in banner
            jira = JIRA(server=base.group(1), basic_auth=(avery.email, avery.token),
                        max_retries=0)
            assert jira.myself()["displayName"] == avery.name
            (desk,) = jira.service_desks()
            request_type = jira.request_types(desk)[0]
            made = httpx.post(f"{base.group(1)}/rest/servicedeskapi/request",
                              auth=(grace.email, grace.token), json={
                                  "serviceDeskId": desk.id, "requestTypeId": request_type.id,
                                  "requestFieldValues": {"summary": "Demo"}})
            assert made.status_code == 201, made.text
            (delivery,) = receiver.wait_for(1)
            assert delivery.headers["x-hub-signature"].startswith("sha256=")
            orgs = jira._session.get(f"{base.group(1)}/rest/servicedeskapi/organization")
            assert {o["name"] for o in orgs.json()["values"]} == {"Gold Corp", "Silver Ltd"}
        finally:
            stop.set()
            thread.join(timeout=30)


def test_another_process_drives_the_sandbox_over_http() -> None:
    """``/_sandbox/...`` sets the per-issue write limit, the search lag and holds webhooks,
    so a rehearsal against the standalone site can use them; a bad value is a 400 saying
    what to give."""
    with Sandbox() as site, WebhookReceiver() as receiver:
        control = f"{site.base_url}/_sandbox"
        assert httpx.post(f"{control}/issue_write_limit",
                          json={"count": 1, "per_seconds": 60}).status_code == 200
        assert httpx.post(f"{control}/search_lag", json={"seconds": -1}).status_code == 400
        assert httpx.post(f"{control}/webhooks/hold").status_code == 200
        site.register_webhook(receiver.url)
        grace = site.add_customer("Grace", "grace@gold.test")
        key = site.open_request(grace["accountId"], "Restore fails")
        auth = (site.api_email, site.api_token)
        comment = f"{site.base_url}/rest/api/2/issue/{key}/comment"
        assert httpx.post(comment, json={"body": "one"}, auth=auth).status_code == 201
        assert httpx.post(comment, json={"body": "two"}, auth=auth).status_code == 429
        assert receiver.requests == []
        released = httpx.post(f"{control}/webhooks/release", json={})
        assert released.json()["released"] == 3  # created, comment_created, issue_updated
        assert len(receiver.wait_for(3)) == 3
