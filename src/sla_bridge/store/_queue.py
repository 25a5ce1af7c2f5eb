"""The durable inbox, the per-ticket work queue and the timers.

Every inbox event and every fired timer "wakes" its ticket: a row in ``work`` that a
worker claims with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so one ticket is
reconciled by one worker at a time while other tickets proceed in parallel. A
generation counter tells, at release, whether the ticket was woken again meanwhile.

Each wake has an urgency class (:mod:`sla_bridge.urgency`): the row keeps the most urgent
class of the wakes not reconciled yet (a wake during a lease goes to ``again_urgency``, the
class of the run after it), and claims take ready work by ``(urgency, ready_at)``, except
that one claim in :data:`~sla_bridge.urgency.OLDEST_TURN_EVERY` takes the oldest ready work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from sla_bridge.platforms import InboundEvent
from sla_bridge.records import StoredEvent, TicketRecord, TimerSpec
from sla_bridge.tickets import TicketRef
from sla_bridge.urgency import Urgency, event_urgency

from ._schema import UTCDateTime, inbox, timers, work


@dataclass(frozen=True)
class Claim:
    """A ticket leased to one worker, with the events that woke it and, read in the same
    transaction (:meth:`sla_bridge.store.Store.claim`), what the bridge remembers about it
    (``memory``) and the ledger's one-off and observed entries of it (``ledger``: key ->
    status), which nobody but the lease holder changes while the lease holds; ``read`` says
    they were (else ``memory`` ``None`` is "not read", not "a new ticket")."""

    ref: TicketRef
    generation: int
    owner: str
    attempts: int
    events: tuple[StoredEvent, ...]
    memory: TicketRecord | None = None
    ledger: Mapping[str, str] | None = None
    read: bool = False
    urgency: int = Urgency.ROUTINE


@dataclass(frozen=True)
class Timer:
    """A stored timer."""

    id: int
    ref: TicketRef
    kind: str
    due_at: datetime
    status: str
    payload: dict[str, Any]
    fired_at: datetime | None = None

    @property
    def lateness(self) -> timedelta | None:
        """How long after its due instant the timer fired."""
        return None if self.fired_at is None else self.fired_at - self.due_at


def _dialect_insert(conn: Connection, table: Any) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def upsert_statement(conn: Connection, table: Any, values: dict[str, Any],
                     keys: Sequence[str], set_: dict[str, Any]) -> Any:
    """Return an INSERT ... ON CONFLICT DO UPDATE for SQLite or PostgreSQL."""
    stmt = _dialect_insert(conn, table).values(**values)
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)


def _least(dialect: str) -> Any:
    return func.min if dialect == "sqlite" else func.least


def _woken(dialect: str, excluded: Any) -> dict[str, Any]:
    """What a wake of a ticket already queued changes: the generation, the earliest ready
    instant and the most urgent class; during a lease, the class of the run after it."""
    least, leased = _least(dialect), work.c.lease_owner.is_not(None)
    # SQLite's min() of a NULL is NULL, PostgreSQL's least() skips it: coalesce both.
    again = func.coalesce(least(work.c.again_urgency, excluded.urgency), excluded.urgency)
    return {"generation": work.c.generation + 1,
            "ready_at": type_coerce(least(work.c.ready_at, excluded.ready_at), UTCDateTime()),
            "urgency": case((leased, work.c.urgency),
                            else_=least(work.c.urgency, excluded.urgency)),
            "again_urgency": case((leased, again), else_=work.c.again_urgency)}


@cache
def _wake_statement(dialect: str) -> Any:
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(work)
    return stmt.on_conflict_do_update(index_elements=["platform", "ticket_id"],
                                      set_=_woken(dialect, stmt.excluded))


@cache
def _inbox_statement(dialect: str) -> Any:
    stmt = (postgresql if dialect == "postgresql" else sqlite).insert(inbox)
    return stmt.on_conflict_do_nothing(index_elements=["platform", "delivery_id"]).returning(
        inbox.c.platform, inbox.c.ticket_id, inbox.c.event_type, inbox.c.by_bridge)


def wake_at(conn: Connection, when: Mapping[TicketRef, tuple[datetime, int]]) -> None:
    """Mark each ticket as needing reconciliation no later than its instant, in its urgency
    class (a ticket already waiting keeps the earlier instant and the more urgent class);
    one statement."""
    if not when:
        return
    # Statements are built once per dialect: this runs for every accepted webhook.
    conn.execute(_wake_statement(conn.dialect.name),
                 [{"platform": ref.platform, "ticket_id": ref.ticket_id, "ready_at": at,
                   "generation": 1, "attempts": 0, "urgency": int(urgency)}
                  for ref, (at, urgency) in when.items()])


def accept_events(conn: Connection, events: Sequence[InboundEvent], now: datetime) -> int:
    """Store new events (duplicates by delivery id are ignored) and wake their tickets.

    Returns how many events were new. One multi-row insert; rowcount is unreliable for
    ON CONFLICT DO NOTHING on psycopg, so the returned rows are what count.
    """
    if not events:
        return 0
    rows = conn.execute(_inbox_statement(conn.dialect.name), [
        {"platform": e.ref.platform, "delivery_id": e.delivery_id,
         "ticket_id": e.ref.ticket_id, "event_type": e.event_type, "by_bridge": e.by_bridge,
         "payload": e.payload, "received_at": now} for e in events]).all()
    woken: dict[TicketRef, int] = {}  # each ticket in the most urgent class of its events
    for r in rows:
        ref = TicketRef.model_construct(platform=r.platform, ticket_id=r.ticket_id)
        urgency = event_urgency(r.event_type, r.by_bridge)
        woken[ref] = min(urgency, woken.get(ref, urgency))
    wake_at(conn, {ref: (now, urgency) for ref, urgency in woken.items()})
    return len(rows)


# The statements of every reconcile, built once with bound parameters: building a
# statement costs several times what executing a cached one does (they run per ticket).
_ME = (work.c.platform == bindparam("p"), work.c.ticket_id == bindparam("t"))
_MINE = (*_ME, work.c.lease_owner == bindparam("owner"))
# The next ticket, leased in the statement that finds it (one round trip): the most urgent
# ready work, earliest first, or on the oldest's turn the work ready longest (each candidate
# is one probe of an index: ready_at, and urgency, ready_at; the bound rank picks one).
_FREE = or_(work.c.lease_until.is_(None),
            work.c.lease_until < bindparam("now", type_=UTCDateTime()))


def _candidate(rank: Any, *order: Any) -> Any:
    return (select(work.c.platform, work.c.ticket_id, rank.label("rank"))
            .where(work.c.ready_at <= bindparam("now", type_=UTCDateTime()), _FREE)
            .order_by(*order).limit(1).with_for_update(skip_locked=True).subquery())


_CANDIDATES = union_all(
    select(_candidate(bindparam("oldest_rank", type_=Integer()), work.c.ready_at)),
    select(_candidate(literal(1), work.c.urgency, work.c.ready_at))).subquery()
_NEXT_READY = (select(_CANDIDATES.c.platform, _CANDIDATES.c.ticket_id)
               .order_by(_CANDIDATES.c.rank).limit(1))
_LEASE_NEXT = (
    update(work)
    .where(tuple_(work.c.platform, work.c.ticket_id).in_(_NEXT_READY))
    .values(lease_owner=bindparam("owner"), lease_until=bindparam("until"),
            again_urgency=None)
    .returning(work.c.platform, work.c.ticket_id, work.c.generation, work.c.attempts,
               work.c.urgency))
_PENDING = (select(inbox).where(inbox.c.platform == bindparam("p"),
                                inbox.c.ticket_id == bindparam("t"),
                                inbox.c.processed_at.is_(None))
            .order_by(inbox.c.id))
_PROCESSED = (update(inbox).where(inbox.c.id.in_(bindparam("ids", expanding=True)))
              .values(processed_at=bindparam("now")))
_DONE = delete(work).where(*_MINE, work.c.generation == bindparam("generation"))
# Woken again during the lease: go again now, in the class of the wakes since the claim.
_AGAIN = update(work).where(*_MINE).values(
    lease_owner=None, lease_until=None, attempts=0, last_error=None,
    ready_at=bindparam("now", type_=UTCDateTime()),
    urgency=func.coalesce(work.c.again_urgency, work.c.urgency), again_urgency=None)
_SCHEDULED = select(timers.c.id, timers.c.kind, timers.c.due_at, timers.c.payload,
                    timers.c.urgency).where(
    timers.c.platform == bindparam("p"), timers.c.ticket_id == bindparam("t"),
    timers.c.status == "scheduled")


def claim_ticket(conn: Connection, owner: str, now: datetime, lease: timedelta, *,
                 oldest: bool = False) -> Claim | None:
    """Lease the next ticket: the most urgent ready, earliest first, or with ``oldest`` the
    one ready longest whatever its class; ``None`` when nothing is ready."""
    row = conn.execute(_LEASE_NEXT, {"now": now, "oldest_rank": 0 if oldest else 2,
                                     "owner": owner, "until": now + lease}).first()
    if row is None:
        return None
    ref = TicketRef(platform=row.platform, ticket_id=row.ticket_id)
    return Claim(ref, row.generation, owner, row.attempts, tuple(pending_events(conn, ref)),
                 urgency=row.urgency)


def pending_events(conn: Connection, ref: TicketRef) -> list[StoredEvent]:
    """Return the ticket's unprocessed inbox events, oldest first."""
    rows = conn.execute(_PENDING, {"p": ref.platform, "t": ref.ticket_id})
    return [StoredEvent(r.id, ref, r.delivery_id, r.event_type, r.by_bridge, r.payload,
                        r.received_at) for r in rows]


def release_claim(conn: Connection, claim: Claim, now: datetime, *, done: bool,
                  retry_at: datetime | None = None, error: str | None = None) -> None:
    """End a lease. ``done``: the claim's events are processed and, unless the ticket was
    woken again meanwhile, its work row goes. Otherwise the ticket is retried at ``retry_at``.
    """
    mine = {"p": claim.ref.platform, "t": claim.ref.ticket_id, "owner": claim.owner}
    if done:
        ids = [event.id for event in claim.events]
        if ids:
            conn.execute(_PROCESSED, {"ids": ids, "now": now})
        removed = conn.execute(_DONE, {**mine, "generation": claim.generation})
        if removed.rowcount == 0:  # woken again while we worked: go again now
            conn.execute(_AGAIN, {**mine, "now": now})
        return
    key = and_(work.c.platform == claim.ref.platform, work.c.ticket_id == claim.ref.ticket_id,
               work.c.lease_owner == claim.owner)
    conn.execute(update(work).where(key).values(
        lease_owner=None, lease_until=None, ready_at=retry_at or now,
        attempts=work.c.attempts + 1, last_error=error, **_folded(conn)))


def _folded(conn: Connection) -> dict[str, Any]:
    """A lease given back unfinished keeps its class, or the wakes' since, if more urgent."""
    least = _least(conn.dialect.name)
    return {"urgency": least(work.c.urgency, func.coalesce(work.c.again_urgency,
                                                           work.c.urgency)),
            "again_urgency": None}


def extend_lease(conn: Connection, claim: Claim, until: datetime) -> bool:
    """Keep a long reconciliation's lease; ``False`` if the lease was lost."""
    result = conn.execute(
        update(work)
        .where(work.c.platform == claim.ref.platform, work.c.ticket_id == claim.ref.ticket_id,
               work.c.lease_owner == claim.owner)
        .values(lease_until=until)
    )
    return bool(result.rowcount)


def lease_owners(conn: Connection) -> list[str]:
    """Return the workers that hold leases now."""
    rows = conn.execute(select(work.c.lease_owner).distinct()
                        .where(work.c.lease_owner.is_not(None)))
    return [row[0] for row in rows]


def release_leases(conn: Connection, owners: Sequence[str]) -> int:
    """Drop the leases of the given workers (ones known to be dead)."""
    if not owners:
        return 0
    result = conn.execute(update(work).where(work.c.lease_owner.in_(list(owners)))
                          .values(lease_owner=None, lease_until=None, **_folded(conn)))
    return int(result.rowcount)


def replace_timers(conn: Connection, ref: TicketRef, wanted: Sequence[TimerSpec],
                   now: datetime) -> int:
    """Make the ticket's scheduled timers exactly ``wanted``; return how many were added."""
    current = {row.kind: row for row in conn.execute(
        _SCHEDULED, {"p": ref.platform, "t": ref.ticket_id})}
    wanted_by_kind = {spec.kind: spec for spec in wanted}
    # Compare in UTC (row.due_at is UTC): a wanted instant in a repeated hour has fold=1,
    # and == across zones is always False for such a value (PEP 495).
    stale = [row.id for kind, row in current.items()
             if kind not in wanted_by_kind
             or row.due_at != wanted_by_kind[kind].due_at.astimezone(UTC)
             or row.payload != wanted_by_kind[kind].payload
             or row.urgency != wanted_by_kind[kind].urgency]
    if stale:
        conn.execute(update(timers).where(timers.c.id.in_(stale)).values(status="cancelled"))
    fresh = [spec for spec in wanted
             if spec.kind not in current or current[spec.kind].id in stale]
    if fresh:
        conn.execute(insert(timers), [
            {"platform": ref.platform, "ticket_id": ref.ticket_id, "kind": spec.kind,
             "due_at": spec.due_at, "status": "scheduled", "payload": spec.payload,
             "urgency": int(spec.urgency), "created_at": now} for spec in fresh])
    return len(fresh)


def schedule_timers(conn: Connection, ref: TicketRef, specs: Sequence[TimerSpec],
                    now: datetime) -> None:
    """Add or move individual timers without touching the ticket's other timers."""
    for spec in specs:
        conn.execute(update(timers).where(
            timers.c.platform == ref.platform, timers.c.ticket_id == ref.ticket_id,
            timers.c.kind == spec.kind, timers.c.status == "scheduled",
        ).values(status="cancelled"))
    if specs:
        conn.execute(insert(timers), [
            {"platform": ref.platform, "ticket_id": ref.ticket_id, "kind": spec.kind,
             "due_at": spec.due_at, "status": "scheduled", "payload": spec.payload,
             "urgency": int(spec.urgency), "created_at": now} for spec in specs])


def fire_due_timers(conn: Connection, owner: str, now: datetime, limit: int) -> list[Timer]:
    """Fire up to ``limit`` timers due by ``now``, earliest first, and wake their tickets.

    Each timer fires once: it is claimed with ``SKIP LOCKED`` (PostgreSQL; SQLite has one
    writer) and leaves ``scheduled`` in the same statement. Fired timers come back without
    their payload.
    """
    due = (
        select(timers.c.id)
        .where(timers.c.status == "scheduled", timers.c.due_at <= now)
        .order_by(timers.c.due_at, timers.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = conn.execute(
        update(timers)
        .where(timers.c.id.in_(due.scalar_subquery()))
        .values(status="fired", fired_at=now, fired_by=owner)
        .returning(timers.c.id, timers.c.platform, timers.c.ticket_id, timers.c.kind,
                   timers.c.due_at)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    # Wake every ticket at its earliest fired timer, in its most urgent fired timer's class,
    # in one statement.
    woken = (
        select(timers.c.platform, timers.c.ticket_id,
               func.min(timers.c.due_at).label("ready_at"),
               literal(1).label("generation"), literal(0).label("attempts"),
               func.min(timers.c.urgency).label("urgency"))
        .where(timers.c.id.in_(ids))
        .group_by(timers.c.platform, timers.c.ticket_id)
    )
    stmt = _dialect_insert(conn, work).from_select(
        ["platform", "ticket_id", "ready_at", "generation", "attempts", "urgency"], woken)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["platform", "ticket_id"],
        set_=_woken(conn.dialect.name, stmt.excluded)))
    # Rows come from our own table: skip re-validating every reference (hot path).
    fired = [Timer(row.id, TicketRef.model_construct(platform=row.platform,
                                                     ticket_id=row.ticket_id),
                   row.kind, row.due_at, "fired", {}, now) for row in rows]
    fired.sort(key=lambda timer: (timer.due_at, timer.id))
    return fired


def list_timers(conn: Connection, *, due_before: datetime | None = None,
                ref: TicketRef | None = None, status: str = "scheduled",
                limit: int = 1000) -> list[Timer]:
    """Return timers in due order, filtered by due instant, ticket and status."""
    query = select(timers).where(timers.c.status == status)
    if due_before is not None:
        query = query.where(timers.c.due_at <= due_before)
    if ref is not None:
        query = query.where(timers.c.platform == ref.platform,
                            timers.c.ticket_id == ref.ticket_id)
    rows = conn.execute(query.order_by(timers.c.due_at, timers.c.id).limit(limit))
    return [_timer(r) for r in rows]


def next_timer_due(conn: Connection) -> datetime | None:
    """Return when the earliest scheduled timer is due."""
    value = conn.execute(select(type_coerce(func.min(timers.c.due_at), UTCDateTime()))
                         .where(timers.c.status == "scheduled")).scalar()
    return value if isinstance(value, datetime) else None


def scheduled_timer_count(conn: Connection) -> int:
    """How many timers are scheduled (on the ``status, due_at`` index)."""
    return int(conn.execute(select(func.count()).select_from(timers)
                            .where(timers.c.status == "scheduled")).scalar_one())


def inbox_depth(conn: Connection) -> tuple[int, datetime | None]:
    """Return how many events wait and when the oldest arrived."""
    row = conn.execute(
        select(func.count(), type_coerce(func.min(inbox.c.received_at), UTCDateTime()))
        .where(inbox.c.processed_at.is_(None))
    ).one()
    return int(row[0]), row[1]


def _timer(row: Any, status: str | None = None, fired_at: datetime | None = None) -> Timer:
    return Timer(row.id, TicketRef(platform=row.platform, ticket_id=row.ticket_id), row.kind,
                 row.due_at, status or row.status, row.payload, fired_at or row.fired_at)
