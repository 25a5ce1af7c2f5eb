"""A minimal helpdesk platform plugin for the runtime tests (until the real plugins exist).

Tickets, the log of applied actions and injected faults live in a SQLite file named by
``SLA_BRIDGE_TESTDESK__DB``, so a bridge in another process and the test share them.
Webhooks are signed ``x-testdesk-signature: hex(HMAC-SHA256(secret, body))`` with the
delivery id in ``x-testdesk-delivery``; the body is ``{"ticket_id": ..., "event": ...}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from sla_bridge import hookimpl
from sla_bridge.actions import Action, CreateFollowUp, action_to_json, apply_to
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
from sla_bridge.tickets import Status, Ticket, TicketRef

NAME = "testdesk"


class TestdeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLA_BRIDGE_TESTDESK__")
    db: Path | None = None
    secret: SecretStr = SecretStr("")
    slow_seconds: float = 0.0


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class TestdeskDB:
    """The shared file: tickets, applied actions, faults."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.executescript(
                "CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, data TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS applied (n INTEGER PRIMARY KEY AUTOINCREMENT,"
                " key TEXT, ticket_id TEXT, kind TEXT, action TEXT, pid INTEGER, at REAL);"
                "CREATE TABLE IF NOT EXISTS faults (n INTEGER PRIMARY KEY AUTOINCREMENT,"
                " op TEXT, status INTEGER, retry_after REAL, remaining INTEGER);"
                "CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY AUTOINCREMENT,"
                " op TEXT, status INTEGER, at REAL);"
            )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def put_ticket(self, ticket: Ticket) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO tickets VALUES (?, ?)",
                       (ticket.ref.ticket_id, ticket.model_dump_json()))

    def ticket(self, ticket_id: str) -> Ticket | None:
        with self._connect() as db:
            row = db.execute("SELECT data FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else Ticket.model_validate_json(row[0])

    def applied(self, ticket_id: str | None = None) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("SELECT key, ticket_id, kind, action, pid, at FROM applied"
                              + (" WHERE ticket_id = ?" if ticket_id else "") + " ORDER BY n",
                              (ticket_id,) if ticket_id else ()).fetchall()
        return [{"key": r[0], "ticket_id": r[1], "kind": r[2], "action": json.loads(r[3]),
                 "pid": r[4], "at": r[5]} for r in rows]

    def calls(self) -> list[tuple[str, int, float]]:
        with self._connect() as db:
            return [(r[0], r[1], r[2]) for r in
                    db.execute("SELECT op, status, at FROM calls ORDER BY n").fetchall()]

    def inject_faults(self, count: int, status: int = 429, retry_after: float | None = None,
                      op: str = "any") -> None:
        """Make the next ``count`` calls (of ``op``: fetch, apply or any) fail with ``status``."""
        with self._connect() as db:
            db.execute("INSERT INTO faults (op, status, retry_after, remaining) "
                       "VALUES (?, ?, ?, ?)", (op, status, retry_after, count))

    def take_fault(self, op: str) -> tuple[int, float | None] | None:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT n, status, retry_after FROM faults WHERE remaining > 0 "
                             "AND op IN ('any', ?) ORDER BY n LIMIT 1", (op,)).fetchone()
            if row is not None:
                db.execute("UPDATE faults SET remaining = remaining - 1 WHERE n = ?", (row[0],))
            db.execute("INSERT INTO calls (op, status, at) VALUES (?, ?, ?)",
                       (op, row[1] if row else 200, time.time()))
            db.execute("COMMIT")
        return None if row is None else (row[1], row[2])

    def record(self, action: Action, ticket: Ticket) -> None:
        import os

        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO applied (key, ticket_id, kind, action, pid, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (action.idempotency_key, action.ref.ticket_id, action.kind,
                        action_to_json(action), os.getpid(), time.time()))
            db.execute("INSERT OR REPLACE INTO tickets VALUES (?, ?)",
                       (ticket.ref.ticket_id, ticket.model_dump_json()))
            db.execute("COMMIT")


def new_ticket(ticket_id: str, created_at: datetime, **fields: Any) -> Ticket:
    """A ticket as a test would open it."""
    values: dict[str, Any] = {"status": Status.NEW, "subject": f"Ticket {ticket_id}",
                              "created_at": created_at, "updated_at": created_at}
    values.update(fields)
    return Ticket(ref=TicketRef(platform=NAME, ticket_id=ticket_id), **values)


class Testdesk:
    """The platform object the plugin registers."""

    name = NAME

    def __init__(self, settings: TestdeskSettings, clock: Clock) -> None:
        assert settings.db is not None
        self.db = TestdeskDB(settings.db)
        self.secret = settings.secret.get_secret_value()
        self.slow = settings.slow_seconds
        self.clock = clock

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        given = request.header("x-testdesk-signature") or ""
        if not self.secret or not hmac.compare_digest(given, sign(self.secret, request.body)):
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
        return WebhookReply(body=json.dumps({"accepted": len(events)}).encode())

    def _fault(self, op: str) -> None:
        if self.slow:
            time.sleep(self.slow)
        fault = self.db.take_fault(op)
        if fault is not None:
            status, retry_after = fault
            raise VendorError(f"testdesk answered {status}", platform=NAME,
                              retryable=status == 429 or status >= 500, status=status,
                              retry_after=retry_after)

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        self._fault("fetch")
        ticket = self.db.ticket(ticket_id)
        if ticket is None:
            raise VendorError(f"ticket {ticket_id} not found", platform=NAME, retryable=False,
                              status=404)
        return ticket

    def apply(self, action: Action) -> str | None:
        self._fault("apply")
        ticket = self.db.ticket(action.ref.ticket_id)
        assert ticket is not None
        if ticket.status == Status.CLOSED and not isinstance(action, CreateFollowUp):
            raise TicketClosed(f"ticket {ticket.ref.ticket_id} is closed", platform=NAME)
        updated = apply_to(ticket, action, self.clock.now())
        self.db.record(action, updated)
        return None


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock) -> None:
    settings = TestdeskSettings()
    if settings.db is not None:
        register(Testdesk(settings, clock))


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    register("testdesk", TestdeskSettings)


def utcnow() -> datetime:
    return datetime.now(UTC)
