"""The memory platform: a helpdesk plugin whose tickets live in one SQLite file.

``testdesk`` is a real platform plugin (signed webhooks in, neutral tickets out, the
neutral meaning of every action applied), registered like any plugin through an entry point
(see :class:`sla_bridge.testing.InstalledTestdesk`). It needs no server: the bridge and the
test share the file named by ``SLA_BRIDGE_TESTDESK__DB``, also across processes. Webhooks are
signed ``x-testdesk-signature: hex(HMAC-SHA256(secret, body))`` with the delivery id in
``x-testdesk-delivery``; the body is ``{"ticket_id": ..., "event": ..., "by_bridge": ...}``.

Like the strictest helpdesk: a closed ticket refuses every write but a follow-up
(:class:`~sla_bridge.platforms.TicketClosed`), and a follow-up is a new ticket copying the
closed one's tags and fields. Like an API with idempotency keys: a one-off action (a comment,
an approval request, a follow-up) retried after it took effect is not applied twice. Faults
are queued in the file (:meth:`TestdeskDB.inject`): status answers with ``Retry-After``,
slow answers, timeouts, connections dropped before or after the work.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import quote

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from sla_bridge import hookimpl
from sla_bridge.actions import Action, CreateFollowUp, action_to_json
from sla_bridge.clock import Clock
from sla_bridge.platforms import (
    BadPayload,
    InboundEvent,
    Platform,
    TicketClosed,
    Unauthorized,
    VendorError,
    WebhookReply,
    WebhookRequest,
)
from sla_bridge.settings import SectionSettings, Settings
from sla_bridge.tickets import Comment, Status, Ticket, TicketRef

NAME = "testdesk"
# Who the audit trail names for the bridge's own writes.
BRIDGE_AUTHOR = "sla-bridge"
FaultOp = Literal["fetch", "apply", "any"]
TestdeskFault = Literal["status", "slow", "timeout", "drop_before", "drop_after"]
_T = TypeVar("_T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, data TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS applied (n INTEGER PRIMARY KEY AUTOINCREMENT,"
    " key TEXT, ticket_id TEXT, kind TEXT, action TEXT, pid INTEGER, at REAL, result TEXT);"
    "CREATE TABLE IF NOT EXISTS faults (n INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT,"
    " kind TEXT, status INTEGER, retry_after REAL, delay REAL, remaining INTEGER);"
    "CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY AUTOINCREMENT,"
    " op TEXT, status INTEGER, at REAL, fault TEXT);"
    "CREATE TABLE IF NOT EXISTS audits (n INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT,"
    " at TEXT, author TEXT, field TEXT, value TEXT);"
)


class TestdeskSettings(SectionSettings):
    """``SLA_BRIDGE_TESTDESK__DB`` (the shared file), ``__SECRET`` (webhook signing) and
    ``__BATCH`` (write one reconcile's changes to a ticket in one call, as Zendesk can) and
    ``__AGENT_URL`` (where agents open tickets: the dashboard links ``<url>/tickets/<id>``)."""

    __test__: ClassVar[bool] = False  # not a test class, whatever its name
    model_config = SettingsConfigDict(env_prefix="SLA_BRIDGE_TESTDESK__")
    db: Path | None = None
    secret: SecretStr = SecretStr("")
    batch: bool = True
    agent_url: str | None = None


def sign(secret: str, body: bytes) -> str:
    """The ``x-testdesk-signature`` of ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def new_ticket(ticket_id: str, created_at: datetime, **fields: Any) -> Ticket:
    """A testdesk ticket as a test would open it (status new, a subject, no comments)."""
    values: dict[str, Any] = {"status": Status.NEW, "subject": f"Ticket {ticket_id}",
                              "created_at": created_at, "updated_at": created_at}
    values.update(fields)
    return Ticket(ref=TicketRef(platform=NAME, ticket_id=ticket_id), **values)


def ticket_changes(before: Ticket, after: Ticket) -> list[tuple[str, str | None]]:
    """What an update changed, as the audit trail keeps it: (field, value) pairs for the
    status, assignee, group and every tag added or removed."""
    changes: list[tuple[str, str | None]] = []
    for name, attribute in (("status", "status"), ("assignee", "assignee_id"),
                            ("group", "group")):
        old, new = getattr(before, attribute), getattr(after, attribute)
        if old != new:
            changes.append((name, None if new is None else str(new)))
    changes += [("tag_added", tag) for tag in sorted(after.tags - before.tags)]
    changes += [("tag_removed", tag) for tag in sorted(before.tags - after.tags)]
    return changes


class TestdeskDB:
    """The shared file: tickets, their audit trail, applied actions, faults and calls."""

    __test__: ClassVar[bool] = False

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # -- tickets and their audit trail ----------------------------------------------------

    def put_ticket(self, ticket: Ticket, *, author: str | None = None) -> None:
        """Store ``ticket``; a change by ``author`` (not the creation) is audited."""
        before = self.ticket(ticket.ref.ticket_id) if author is not None else None
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT OR REPLACE INTO tickets VALUES (?, ?)",
                       (ticket.ref.ticket_id, ticket.model_dump_json()))
            if author is not None:
                self._audit(db, before, ticket, author)
            db.execute("COMMIT")

    def ticket(self, ticket_id: str) -> Ticket | None:
        """The ticket, or ``None``."""
        with self._connect() as db:
            row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else Ticket.model_validate_json(row[0])

    def tickets(self) -> list[Ticket]:
        """Every ticket, in the order of their ids (numeric ids by number)."""
        with self._connect() as db:
            rows = db.execute("SELECT data FROM tickets").fetchall()
        found = [Ticket.model_validate_json(r[0]) for r in rows]
        return sorted(found, key=lambda t: (not t.ref.ticket_id.isdigit(),
                                            t.ref.ticket_id.zfill(12)))

    def next_ticket_id(self) -> str:
        """The id a new ticket gets: one more than the highest numeric id."""
        numbers = [int(t.ref.ticket_id) for t in self.tickets() if t.ref.ticket_id.isdigit()]
        return str(max(numbers, default=0) + 1)

    def audits(self, ticket_id: str) -> list[tuple[datetime, str, str, str | None]]:
        """The ticket's audit trail, oldest first: (when, author, field, value)."""
        with self._connect() as db:
            rows = db.execute("SELECT at, author, field, value FROM audits WHERE ticket_id = ?"
                              " ORDER BY n", (ticket_id,)).fetchall()
        return [(datetime.fromisoformat(r[0]), r[1], r[2], r[3]) for r in rows]

    def _audit(self, db: sqlite3.Connection, before: Ticket | None, after: Ticket,
               author: str) -> None:
        if before is None:
            return  # a ticket's creation is not a change
        for name, value in ticket_changes(before, after):
            db.execute("INSERT INTO audits (ticket_id, at, author, field, value) "
                       "VALUES (?, ?, ?, ?, ?)", (after.ref.ticket_id,
                                                  after.updated_at.isoformat(), author,
                                                  name, value))

    # -- the bridge's writes ------------------------------------------------------------------

    def applied(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        """The actions applied (of one ticket), oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT key, ticket_id, kind, action, pid, at, result, n FROM "
                              "applied" + (" WHERE ticket_id = ?" if ticket_id else "")
                              + " ORDER BY n", (ticket_id,) if ticket_id else ()).fetchall()
        return [{"key": r[0], "ticket_id": r[1], "kind": r[2], "action": json.loads(r[3]),
                 "pid": r[4], "at": r[5], "result": r[6], "n": r[7]} for r in rows]

    def applied_result(self, key: str) -> tuple[bool, str | None]:
        """Whether an action with idempotency key ``key`` was applied, and its result."""
        with self._connect() as db:
            row = db.execute("SELECT result FROM applied WHERE key = ? ORDER BY n LIMIT 1",
                             (key,)).fetchone()
        return (row is not None, row[0] if row else None)

    def record(self, actions: Sequence[Action], ticket: Ticket, at: datetime,
               result: str | None = None, *, created: Ticket | None = None) -> None:
        """Keep applied actions (one update) and the ticket they left (and a ticket created)."""
        import os

        before = self.ticket(ticket.ref.ticket_id)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO applied (key, ticket_id, kind, action, pid, at, result) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(a.idempotency_key, a.ref.ticket_id, a.kind, action_to_json(a),
                             os.getpid(), at.timestamp(), result) for a in actions])
            db.execute("INSERT OR REPLACE INTO tickets VALUES (?, ?)",
                       (ticket.ref.ticket_id, ticket.model_dump_json()))
            self._audit(db, before, ticket, BRIDGE_AUTHOR)
            if created is not None:
                db.execute("INSERT OR REPLACE INTO tickets VALUES (?, ?)",
                           (created.ref.ticket_id, created.model_dump_json()))
            db.execute("COMMIT")

    # -- faults -------------------------------------------------------------------------------

    def inject(self, kind: TestdeskFault, count: int = 1, *, status: int = 500,
               retry_after: float | None = None, delay: float = 0.0,
               op: FaultOp = "any") -> None:
        """Make the next ``count`` calls (of ``op``: fetch, apply or any) fail as ``kind``:
        answer ``status`` (with ``retry_after``), answer after ``delay`` seconds, time out
        (after ``delay``), or drop the connection before or after doing the work."""
        with self._connect() as db:
            db.execute("INSERT INTO faults (op, kind, status, retry_after, delay, remaining) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (op, kind, status, retry_after, delay,
                                                      count))

    def inject_faults(self, count: int, status: int = 429, retry_after: float | None = None,
                      op: FaultOp = "any") -> None:
        """Make the next ``count`` calls (of ``op``) answer ``status``."""
        self.inject("status", count, status=status, retry_after=retry_after, op=op)

    def clear_faults(self) -> None:
        """Forget the faults not used yet."""
        with self._connect() as db:
            db.execute("DELETE FROM faults")

    def take_fault(self, op: str, at: datetime) -> tuple[str, int, float | None, float] | None:
        """Use up the next fault for a call of ``op``, logging the call: (kind, status,
        retry_after, delay), or ``None`` for a normal answer."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT n, kind, status, retry_after, delay FROM faults WHERE "
                             "remaining > 0 AND op IN ('any', ?) ORDER BY n LIMIT 1",
                             (op,)).fetchone()
            if row is not None:
                db.execute("UPDATE faults SET remaining = remaining - 1 WHERE n = ?", (row[0],))
            status = row[2] if row is not None and row[1] == "status" else 200
            db.execute("INSERT INTO calls (op, status, at, fault) VALUES (?, ?, ?, ?)",
                       (op, status, at.timestamp(),
                        row[1] if row is not None else None))
            db.execute("COMMIT")
        return None if row is None else (row[1], row[2], row[3], row[4] or 0.0)

    def calls(self) -> list[tuple[str, int, float]]:
        """Every call the bridge made: (op, status answered, when)."""
        with self._connect() as db:
            return [(r[0], r[1], r[2]) for r in
                    db.execute("SELECT op, status, at FROM calls ORDER BY n").fetchall()]

    def faults_hit(self) -> list[str]:
        """The kinds of the faults the bridge's calls met, in order (``status`` as the
        status code answered)."""
        with self._connect() as db:
            rows = db.execute("SELECT fault, status FROM calls WHERE fault IS NOT NULL "
                              "ORDER BY n").fetchall()
        return [str(status) if fault == "status" else fault for fault, status in rows]


class Testdesk:
    """The platform object the plugin registers."""

    __test__: ClassVar[bool] = False
    name = NAME
    delivery_id_header = "x-testdesk-delivery"

    def __init__(self, settings: TestdeskSettings, clock: Clock,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        assert settings.db is not None
        self.db = TestdeskDB(settings.db)
        self.secret = settings.secret.get_secret_value()
        self.clock = clock
        self.sleep = sleep
        self.batch = settings.batch
        self.agent_url = settings.agent_url

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """Check the signature; one event for the ticket the body names."""
        given = request.header("x-testdesk-signature") or ""
        # Bytes, not text: compare_digest refuses text with non-ASCII characters (a header
        # byte over 0x7f), which would have been a 500.
        expected = sign(self.secret, request.body).encode()
        if not self.secret or not hmac.compare_digest(given.encode(), expected):
            raise Unauthorized("unauthorized", "bad or missing x-testdesk-signature")
        delivery = request.header("x-testdesk-delivery")
        if not delivery:
            raise BadPayload("missing x-testdesk-delivery header")
        try:
            body = json.loads(request.body)
            ticket_id = str(body["ticket_id"])
        except (ValueError, KeyError, TypeError):
            raise BadPayload("body must be JSON with a ticket_id") from None
        return [InboundEvent(ref=TicketRef(platform=NAME, ticket_id=ticket_id),
                             delivery_id=delivery, event_type=str(body.get("event", "updated")),
                             by_bridge=bool(body.get("by_bridge", False)), payload=body)]

    def acknowledge(self, events: Sequence[InboundEvent]) -> WebhookReply:
        """``{"accepted": <number of events>}``."""
        return WebhookReply(body=json.dumps({"accepted": len(events)}).encode())

    def ticket_url(self, ticket_id: str) -> str | None:
        """``<SLA_BRIDGE_TESTDESK__AGENT_URL>/tickets/<id>``; ``None`` while it is unset."""
        if not self.agent_url:
            return None
        return f"{self.agent_url.rstrip('/')}/tickets/{quote(ticket_id, safe='')}"

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The stored ticket; 404 (not retried) when there is none."""
        def fetch() -> Ticket:
            ticket = self.db.ticket(ticket_id)
            if ticket is None:
                raise VendorError(f"ticket {ticket_id} not found", platform=NAME,
                                  retryable=False, status=404)
            return ticket

        return self._call("fetch", fetch)

    def apply(self, action: Action) -> str | None:
        """Apply the action's neutral meaning; a follow-up is a new ticket (its id is
        returned). A one-off action applied before is not applied again."""
        return self._call("apply", lambda: self._apply(action))

    def can_batch(self, action: Action) -> bool:
        """Every write to the ticket itself (not a follow-up) goes in one update, unless
        ``SLA_BRIDGE_TESTDESK__BATCH`` is false."""
        return self.batch and action.writes_to_ticket

    def apply_batch(self, actions: Sequence[Action]) -> None:
        """Apply several actions to one ticket in one call (one fault, one audit)."""
        self._call("apply", lambda: self._apply_batch(actions))

    def _apply_batch(self, actions: Sequence[Action]) -> None:
        todo = [a for a in actions if not (a.one_off and self.db.applied_result(
            a.idempotency_key)[0])]
        ticket = self._writable(actions[0])
        now = self.clock.now()
        after = ticket
        for action in todo:
            after = action.applied_to(after, now)
        if todo:
            self.db.record(todo, after, now)

    def _writable(self, action: Action) -> Ticket:
        ticket = self.db.ticket(action.ref.ticket_id)
        if ticket is None:
            raise VendorError(f"ticket {action.ref.ticket_id} not found", platform=NAME,
                              retryable=False, status=404)
        if ticket.status == Status.CLOSED and action.writes_to_ticket:
            raise TicketClosed(f"ticket {ticket.ref.ticket_id} is closed", platform=NAME)
        return ticket

    def _apply(self, action: Action) -> str | None:
        key = action.idempotency_key
        if action.one_off:
            done, result = self.db.applied_result(key)
            if done:
                return result
        ticket = self._writable(action)
        now = self.clock.now()
        if isinstance(action, CreateFollowUp):
            follow_up = self._follow_up(ticket, action, now)
            self.db.record([action], ticket, now, follow_up.ref.ticket_id, created=follow_up)
            return follow_up.ref.ticket_id
        self.db.record([action], action.applied_to(ticket, now), now)
        return None

    def _follow_up(self, closed: Ticket, action: CreateFollowUp, now: datetime) -> Ticket:
        requester = action.carry.get("requester_id", closed.requester_id)
        reply = Comment(id="c1", author_role="customer", public=True, body=action.body,
                        created_at=now, author_id=requester)
        values: dict[str, Any] = {
            "status": Status.NEW, "subject": action.subject, "description": action.body,
            "created_at": now, "updated_at": now, "tags": closed.tags,
            "fields": dict(closed.fields), "registered_admins": closed.registered_admins,
            "channel": closed.channel, "comments": (reply,), **action.carry,
            "ref": TicketRef(platform=NAME, ticket_id=self.db.next_ticket_id())}
        return Ticket.model_validate(values)

    def _call(self, op: FaultOp, work: Callable[[], _T]) -> _T:
        fault = self.db.take_fault(op, self.clock.now())
        if fault is None:
            return work()
        kind, status, retry_after, delay = fault
        if kind == "status":
            raise VendorError(f"testdesk answered {status}", platform=NAME,
                              retryable=status == 429 or status >= 500, status=status,
                              retry_after=retry_after)
        if kind in ("slow", "timeout"):
            self.sleep(delay)
        if kind == "slow":
            return work()
        if kind == "drop_after":
            work()
        what = "timed out" if kind == "timeout" else "dropped the connection"
        raise VendorError(f"testdesk {what}", platform=NAME, retryable=True)


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Register the testdesk when ``SLA_BRIDGE_TESTDESK__DB`` names its file."""
    section = settings.section(TestdeskSettings)
    if section.db is not None:
        register(Testdesk(section, clock))


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``testdesk`` settings section."""
    register("testdesk", TestdeskSettings)


@hookimpl
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], Any]], None]) -> None:
    """How testdesk webhooks are signed (:class:`sla_bridge.testing.TestdeskSigner`)."""
    from ._signers import TestdeskSigner

    register(NAME, TestdeskSigner)
