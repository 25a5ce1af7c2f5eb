"""What the bridge remembers about tickets: SLA state and clocks, the action ledger,
dead letters and the decisions audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, get_args

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sla_bridge.actions import Action
from sla_bridge.records import ClockRecord, Decision, TicketRecord
from sla_bridge.tickets import TicketRef

from ._periods import record_periods
from ._queue import upsert_statement
from ._schema import action_ledger, dead_letters, decisions, sla_clocks, ticket_states, timers

# The status the bridge records for a ticket its platform no longer has (deleted, spam).
GONE = "gone"


@dataclass(frozen=True)
class LedgerEntry:
    """One action the bridge applied (or gave up on), under its idempotency key."""

    key: str
    ref: TicketRef
    kind: str
    action: str
    status: str
    result: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class DeadLetter:
    """An action that failed after its retry budget, kept for an admin to replay or discard."""

    id: int
    key: str
    ref: TicketRef
    action: str
    error: str
    attempts: int
    status: str
    created_at: datetime
    resolved_at: datetime | None


# -- ticket state and clocks ---------------------------------------------------------------

# The statements of every reconcile, built once with bound parameters (see _queue).
_STATE_KEY = (ticket_states.c.platform == bindparam("p"),
              ticket_states.c.ticket_id == bindparam("t"))
_STATE = select(ticket_states).where(*_STATE_KEY)
_CLOCKS = (select(sla_clocks)
           .where(sla_clocks.c.platform == bindparam("p"), sla_clocks.c.ticket_id == bindparam("t"))
           .order_by(sla_clocks.c.metric))
_DROP_CLOCKS = delete(sla_clocks).where(sla_clocks.c.platform == bindparam("p"),
                                        sla_clocks.c.ticket_id == bindparam("t"))
_ADD_CLOCKS = insert(sla_clocks)
_TOUCH = update(ticket_states).where(*_STATE_KEY).values(updated_at=bindparam("now"))
_STATE_COLUMNS = ("policy_id", "plan", "customer_severity", "vendor_severity", "status", "state",
                  "updated_at")
_LEDGER_COLUMNS = ("kind", "action", "status", "result", "recorded_at")


@cache
def _upsert(dialect: str, table_name: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE of ticket states or ledger entries, for executemany."""
    table, keys, columns = {
        "ticket_states": (ticket_states, ["platform", "ticket_id"], _STATE_COLUMNS),
        "action_ledger": (action_ledger, ["key"], _LEDGER_COLUMNS)}[table_name]
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return stmt.on_conflict_do_update(index_elements=keys,
                                      set_={name: stmt.excluded[name] for name in columns})


def load_ticket(conn: Connection, ref: TicketRef) -> TicketRecord | None:
    """Return what the bridge remembers about ``ref``, or ``None`` for a new ticket."""
    key = {"p": ref.platform, "t": ref.ticket_id}
    row = conn.execute(_STATE, key).first()
    if row is None:
        return None
    clocks = conn.execute(_CLOCKS, key)
    return TicketRecord(
        ref, row.policy_id, row.plan, row.customer_severity, row.vendor_severity, row.status,
        dict(row.state),
        tuple(ClockRecord(c.metric, c.target, c.started_at, c.due_at, c.used_seconds, c.paused,
                          c.warned, c.breached, c.met_at, c.schedule) for c in clocks),
        row.updated_at,
    )


def save_ticket(conn: Connection, record: TicketRecord, now: datetime,
                before: TicketRecord | None = None) -> None:
    """Store the ticket's state (its ``updated_at``: ``now``) and replace its clocks.

    ``before``: the record as stored (read under the same lease); what did not change from
    it is not written again (an unchanged state only moves ``updated_at``, unchanged clocks
    stay as they are)."""
    ref = record.ref
    values = {"policy_id": record.policy_id, "plan": record.plan,
              "customer_severity": record.customer_severity,
              "vendor_severity": record.vendor_severity, "status": record.status,
              "state": record.state, "updated_at": now}
    if before is not None and _same_state(before, record):
        conn.execute(_TOUCH, {"p": ref.platform, "t": ref.ticket_id, "now": now})
    else:
        conn.execute(_upsert(conn.dialect.name, "ticket_states"),
                     {"platform": ref.platform, "ticket_id": ref.ticket_id, **values})
    if before is None or before.clocks != record.clocks:
        _replace_clocks(conn, record, now)
    record_periods(conn, record, now, before)


def _replace_clocks(conn: Connection, record: TicketRecord, now: datetime) -> None:
    ref = record.ref
    conn.execute(_DROP_CLOCKS, {"p": ref.platform, "t": ref.ticket_id})
    if record.clocks:
        conn.execute(_ADD_CLOCKS, [
            {"platform": ref.platform, "ticket_id": ref.ticket_id, "metric": c.metric,
             "target": c.target, "schedule": c.schedule, "started_at": c.started_at,
             "due_at": c.due_at, "used_seconds": c.used_seconds, "paused": c.paused,
             "warned": c.warned, "breached": c.breached, "met_at": c.met_at,
             "updated_at": now} for c in record.clocks])


def _same_state(before: TicketRecord, after: TicketRecord) -> bool:
    return (before.policy_id, before.plan, before.customer_severity, before.vendor_severity,
            before.status, before.state) == (after.policy_id, after.plan,
                                             after.customer_severity, after.vendor_severity,
                                             after.status, after.state)


def stop_ticket(conn: Connection, ref: TicketRef, now: datetime) -> int:
    """A ticket that is gone: its scheduled timers cancelled, its clocks stopped (no due
    instant, not paused; what they used and whether they were met or breached stay), its
    record's status :data:`GONE`. Returns how many timers were cancelled."""
    where = (timers.c.platform == ref.platform, timers.c.ticket_id == ref.ticket_id)
    cancelled = conn.execute(update(timers).where(*where, timers.c.status == "scheduled")
                             .values(status="cancelled")).rowcount
    conn.execute(update(sla_clocks).where(sla_clocks.c.platform == ref.platform,
                                          sla_clocks.c.ticket_id == ref.ticket_id)
                 .values(due_at=None, paused=False, updated_at=now))
    conn.execute(update(ticket_states).where(ticket_states.c.platform == ref.platform,
                                             ticket_states.c.ticket_id == ref.ticket_id)
                 .values(status=GONE, updated_at=now))
    return int(cancelled)


# -- action ledger --------------------------------------------------------------------------

def ledger_entry(conn: Connection, key: str) -> LedgerEntry | None:
    """Return the ledger entry for an idempotency key, if the action was recorded."""
    row = conn.execute(select(action_ledger).where(action_ledger.c.key == key)).first()
    if row is None:
        return None
    return LedgerEntry(row.key, TicketRef(platform=row.platform, ticket_id=row.ticket_id),
                       row.kind, row.action, row.status, row.result, row.recorded_at)


def _one_off_kinds() -> frozenset[str]:
    union = get_args(get_args(Action)[0])  # Annotated[A | B | ..., discriminator]
    return frozenset(t.model_fields["kind"].default for t in union if t.one_off)


# The ledger statuses after which a one-off action is not written again.
DONE = ("applied", "dead", "observed")
ONE_OFF_KINDS = _one_off_kinds()


def ledger_done(conn: Connection, ref: TicketRef) -> dict[str, str]:
    """The ticket's ledger entries a reconcile consults, key -> status: one-off actions
    applied, given up on (dead) or observed, and every observed action (observe mode
    compares state actions with what it observed)."""
    rows = conn.execute(_LEDGER_DONE, {"p": ref.platform, "t": ref.ticket_id})
    return {row.key: row.status for row in rows}


_LEDGER_DONE = select(action_ledger.c.key, action_ledger.c.status).where(
    action_ledger.c.platform == bindparam("p"), action_ledger.c.ticket_id == bindparam("t"),
    action_ledger.c.status.in_(DONE),
    or_(action_ledger.c.kind.in_(sorted(ONE_OFF_KINDS)), action_ledger.c.status == "observed"))


@dataclass(frozen=True)
class LedgerWrite:
    """One action's outcome to record: its ledger ``key``, ticket, kind, the action as JSON,
    ``status`` (``applied``) and the id worth keeping (a follow-up's), if any."""

    key: str
    ref: TicketRef
    kind: str
    action: str
    status: str
    result: str | None = None


def record_action(conn: Connection, key: str, ref: TicketRef, kind: str, action: str,
                  status: str, result: str | None, now: datetime) -> None:
    """Record (or update) the outcome of an action under its idempotency key."""
    values = {"kind": kind, "action": action, "status": status, "result": result,
              "recorded_at": now}
    conn.execute(upsert_statement(
        conn, action_ledger,
        {"key": key, "platform": ref.platform, "ticket_id": ref.ticket_id, **values},
        ["key"], values))


def record_actions(conn: Connection, entries: Sequence[LedgerWrite], now: datetime) -> None:
    """Record (or update) several actions' outcomes in one statement (the last entry of a
    key wins: an upsert may not touch a row twice)."""
    rows = {e.key: {"key": e.key, "platform": e.ref.platform, "ticket_id": e.ref.ticket_id,
                    "kind": e.kind, "action": e.action, "status": e.status,
                    "result": e.result, "recorded_at": now} for e in entries}
    if rows:
        conn.execute(_upsert(conn.dialect.name, "action_ledger"), list(rows.values()))


def ledger_for(conn: Connection, ref: TicketRef) -> list[LedgerEntry]:
    """Return the ticket's ledger entries, oldest first."""
    rows = conn.execute(select(action_ledger).where(
        action_ledger.c.platform == ref.platform, action_ledger.c.ticket_id == ref.ticket_id,
    ).order_by(action_ledger.c.recorded_at, action_ledger.c.key))
    return [LedgerEntry(r.key, ref, r.kind, r.action, r.status, r.result, r.recorded_at)
            for r in rows]


# -- dead letters ---------------------------------------------------------------------------

def add_dead_letter(conn: Connection, key: str, ref: TicketRef, action: str, error: str,
                    attempts: int, now: datetime) -> int:
    """Keep a failed action for an admin; returns its id."""
    result = conn.execute(insert(dead_letters).values(
        key=key, platform=ref.platform, ticket_id=ref.ticket_id, action=action, error=error,
        attempts=attempts, status="open", created_at=now))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def list_dead_letters(conn: Connection, status: str | None = "open",
                      limit: int = 100) -> list[DeadLetter]:
    """Return dead letters, newest first, optionally only those with ``status``."""
    query = select(dead_letters)
    if status is not None:
        query = query.where(dead_letters.c.status == status)
    rows = conn.execute(query.order_by(dead_letters.c.id.desc()).limit(limit))
    return [_dead_letter(r) for r in rows]


def open_dead_letter_count(conn: Connection) -> int:
    """How many dead letters are open (on the ``status`` index)."""
    return int(conn.execute(select(func.count()).select_from(dead_letters)
                            .where(dead_letters.c.status == "open")).scalar_one())


def get_dead_letter(conn: Connection, letter_id: int) -> DeadLetter | None:
    """Return one dead letter by id."""
    row = conn.execute(select(dead_letters).where(dead_letters.c.id == letter_id)).first()
    return None if row is None else _dead_letter(row)


def resolve_dead_letter(conn: Connection, letter_id: int, status: str, now: datetime) -> bool:
    """Mark an open dead letter ``replayed`` or ``discarded``; ``False`` if it was not open."""
    result = conn.execute(update(dead_letters).where(
        dead_letters.c.id == letter_id, dead_letters.c.status == "open",
    ).values(status=status, resolved_at=now))
    return bool(result.rowcount)


def _dead_letter(row: Any) -> DeadLetter:
    return DeadLetter(row.id, row.key, TicketRef(platform=row.platform, ticket_id=row.ticket_id),
                      row.action, row.error, row.attempts, row.status, row.created_at,
                      row.resolved_at)


# -- decisions ------------------------------------------------------------------------------

def record_decisions(conn: Connection, ref: TicketRef, entries: Sequence[Decision]) -> None:
    """Append entries to the ticket's audit trail."""
    if entries:
        conn.execute(_DECISIONS, [
            {"platform": ref.platform, "ticket_id": ref.ticket_id, "at": d.at, "kind": d.kind,
             "summary": d.summary, "details": d.details} for d in entries])


_DECISIONS = insert(decisions)


def recent_decisions(conn: Connection, ref: TicketRef, limit: int = 50) -> list[Decision]:
    """Return the ticket's latest decisions, newest first."""
    rows = conn.execute(select(decisions).where(
        decisions.c.platform == ref.platform, decisions.c.ticket_id == ref.ticket_id,
    ).order_by(decisions.c.at.desc(), decisions.c.id.desc()).limit(limit))
    return [Decision(r.kind, r.summary, r.at, dict(r.details)) for r in rows]


def decisions_after(conn: Connection, after_id: int,
                    limit: int = 1000) -> list[tuple[int, TicketRef, Decision]]:
    """Return the audit trail of every ticket after entry ``after_id``, oldest first."""
    rows = conn.execute(select(decisions).where(decisions.c.id > after_id)
                        .order_by(decisions.c.id).limit(limit))
    return [(r.id, TicketRef(platform=r.platform, ticket_id=r.ticket_id),
             Decision(r.kind, r.summary, r.at, dict(r.details))) for r in rows]
