"""Schemathesis against the bridge's own OpenAPI document: the admin API (and /healthz,
/readyz) served by a real uvicorn on SQLite and on PostgreSQL, with the admin token and a
reconciled ticket in the store. No 5xx; every answer's status, content type, headers and
body as the document declares; what the API refuses is refused with a documented 400 or 422.

Not checked: that every schema-valid request is accepted. ``due_before`` is declared as a
string and the API refuses, with a documented 400 saying why, the strings that are not
ISO 8601 instants with a UTC offset (``""``, ``"null"``, ``"next friday"``, an instant
without an offset, one outside the years 1-9999 in UTC).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance
from server_helpers import Bridge, StartBridge, wait_for
from sla_bridge_testdesk import new_ticket

from sla_bridge.clock import FixedClock, SystemClock
from sla_bridge.runtime import Runtime
from sla_bridge.server import create_app
from sla_bridge.settings import load_settings

TOKEN = "schemathesis-admin-token-3e1f"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
START = datetime.fromisoformat("2026-11-25T16:00:00-06:00")
TICKET = "/v1/tickets/{platform}/{ticket_id}"


def _document() -> dict[str, Any]:
    """The OpenAPI document the bridge serves (the test checks it is the one served)."""
    runtime = Runtime.build(load_settings(environ={}, database_url="sqlite://",
                                          admin_token=TOKEN), SystemClock())
    try:
        return create_app(runtime, run_workers=False).openapi()
    finally:
        runtime.close()


DOCUMENT = _document()
# The admin token for the document's bearer scheme: schemathesis sends it, and checks that
# requests without it (or with another) are refused.
CONFIG = SchemathesisConfig.from_dict({"auth": {"openapi": {"HTTPBearer": {"bearer": TOKEN}}}})
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).include(
    path_regex="^/(v1/|healthz|readyz)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    """The default SQLite file, or a fresh PostgreSQL schema (dropped after the bridge
    stopped: this fixture is set up before ``start_bridge``)."""
    return None if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def bridge(database: str | None, start_bridge: StartBridge, testdesk: Any) -> Bridge:
    """A bridge whose worker has reconciled ticket 42: clocks, timers, decisions, ledger."""
    url = database
    testdesk.db.put_ticket(new_ticket("42", START, plan="gold", customer_severity="2"))
    started = start_bridge(admin_token=TOKEN, database_url=url, run_workers=True,
                           clock=FixedClock(START))
    assert started.webhook("42", "created-42", event="created").status_code == 200
    wait_for(lambda: (view := started.client.get("/v1/tickets/testdesk/42", headers=AUTH)
                      ).status_code == 200 and view.json()["timers"],
             what="the worker to reconcile ticket 42")
    assert started.client.get("/openapi.json").json() == DOCUMENT
    return started


def _refused_as_documented(response: Any) -> None:
    if response.status_code == 400:
        assert response.json()["error"] == "bad_request"
        # The message names the parameter refused (due_before=, from=, to=).
        assert re.match(r"(due_before|from|to)=", response.json()["message"])


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_api_answers_as_its_openapi_document_says(case: Any, bridge: Bridge) -> None:
    response = case.call_and_validate(base_url=bridge.url,
                                      excluded_checks=[positive_data_acceptance])
    _refused_as_documented(response)


def test_a_reconciled_tickets_view_matches_the_document(bridge: Bridge) -> None:
    case = schema[TICKET]["GET"].Case(path_parameters={"platform": "testdesk",
                                                       "ticket_id": "42"})
    response = case.call_and_validate(base_url=bridge.url, headers=AUTH)
    assert response.status_code == 200, response.text
    view = response.json()
    assert all(view[part] for part in ("clocks", "timers", "decisions", "ledger")), view
    timers = schema["/v1/timers"]["GET"].Case(query={"limit": 5})
    assert timers.call_and_validate(base_url=bridge.url, headers=AUTH).json()["count"] == 2
