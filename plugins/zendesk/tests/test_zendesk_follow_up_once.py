"""A follow-up ticket is created exactly once, even when the process dies between Zendesk's
answer and the ledger entry: the next process finds it by its external id (the action's
idempotency key) before creating it, through the real zenpy against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zendesk_testing import Account, ref

from sla_bridge.actions import CreateFollowUp, SetStatus
from sla_bridge.clock import SystemClock
from sla_bridge.runtime import Metrics
from sla_bridge.settings import RetrySettings
from sla_bridge.store import Store
from sla_bridge.tickets import Status
from sla_bridge.worker import Applier
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ZendeskSettings


class Crash(BaseException):
    """The process dies (nothing in the bridge catches it)."""


def closed_ticket(sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> dict[str, Any]:
    ticket = sandbox.open_ticket(account.customer["id"], "Restore fails", "Restores fail.",
                                 priority="high")
    sandbox.agent_update(int(ticket["id"]), account.agent["id"],
                         assignee_id=account.agent["id"])  # Zendesk solves only assigned ones
    platform.apply(SetStatus(ref=ref(ticket), key="close", status=Status.CLOSED))
    return ticket


def test_a_follow_up_created_before_a_crash_is_not_created_again_by_the_next_process(
        sandbox: Sandbox, account: Account, settings: ZendeskSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(f"sqlite:///{tmp_path / 'bridge.db'}", SystemClock())
    store.upgrade()
    first = ZendeskPlatform(settings, SystemClock())
    ticket = closed_ticket(sandbox, account, first)
    action = CreateFollowUp(ref=ref(ticket), key="follow_up:7", subject="Follow-up: Restore",
                            body="It fails again.")

    def crash(*_args: object) -> None:
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(store, "record_action", crash)
        with pytest.raises(Crash):
            Applier(store, Metrics(), RetrySettings()).apply_one(first, action)
    [created] = [t for t in sandbox.state.tickets if t != ticket["id"]]
    assert store.ledger(ref(ticket)) == []  # Zendesk has the follow-up, the ledger does not

    # A new process: a new platform object (nothing remembered), the same database.
    sandbox.clear_request_log()
    again = Applier(store, Metrics(), RetrySettings()).apply_one(
        ZendeskPlatform(settings, SystemClock()), action)
    assert (again.outcome, again.detail) == ("applied", str(created))
    assert sorted(sandbox.state.tickets) == sorted([ticket["id"], created])  # no duplicate
    assert [r["method"] for r in sandbox.request_log()
            if r["path"].startswith("/api/v2/tickets")] == ["GET"]  # the look-up, no POST
    [entry] = store.ledger(ref(ticket))
    assert (entry.status, entry.result) == ("applied", str(created))
    store.close()


def test_a_first_follow_up_is_looked_up_then_created_once(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform) -> None:
    ticket = closed_ticket(sandbox, account, platform)
    action = CreateFollowUp(ref=ref(ticket), key="follow_up:8", subject="Again", body="Again")
    sandbox.clear_request_log()
    new_id = platform.apply(action)
    calls = [(r["method"], r["path"]) for r in sandbox.request_log()
             if r["path"].startswith("/api/v2/tickets")]
    assert calls[0] == ("GET", "/api/v2/tickets")  # by external id, before anything else
    assert calls.count(("POST", "/api/v2/tickets")) == 1
    assert sandbox.ticket(int(str(new_id)))["external_id"] == action.idempotency_key
    assert platform.apply(action) == new_id  # the same key again: the same ticket
    assert len(sandbox.state.tickets) == 2
