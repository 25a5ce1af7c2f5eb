"""Durable state: inbox, work queue, timers, SLA state, action ledger, dead letters, decisions.

:class:`Store` is the one object the runtime uses; each method is one transaction, and
declares whether it only reads (:meth:`Store.reading`) or writes (:meth:`Store.transaction`).
On SQLite a writing transaction takes the one write lock at its start (``BEGIN IMMEDIATE``),
so writers queue instead of deadlocking, while a reading one begins deferred and reads a
snapshot (WAL mode) without waiting for the writer; it cannot write. SQLite (the default)
and PostgreSQL (several replicas) behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import count
from typing import TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from sla_bridge.clock import Clock
from sla_bridge.errors import SchemaMissing, StoreError, StoreNotWritable, StoreUnavailable
from sla_bridge.masking import mask_url
from sla_bridge.platforms import InboundEvent
from sla_bridge.records import ClockRecord, Decision, StoredEvent, TicketRecord, TimerSpec
from sla_bridge.tickets import TicketRef
from sla_bridge.urgency import OLDEST_TURN_EVERY

from . import _backlog, _heartbeat, _queue, _records, _retention, _sweeps
from ._backlog import WorkClass
from ._engine import READ_ONLY, make_engine, translate_errors
from ._migrate import current_revision, head_revision, upgrade
from ._queue import Claim, Timer
from ._records import DeadLetter, LedgerEntry, LedgerWrite
from ._retention import Pruned
from ._sweeps import SweepClaim

__all__ = [
    "Backlog",
    "Claim",
    "ClockRecord",
    "DeadLetter",
    "Decision",
    "LedgerEntry",
    "LedgerWrite",
    "Pruned",
    "SchemaMissing",
    "Store",
    "StoreError",
    "StoreNotWritable",
    "StoreUnavailable",
    "StoredEvent",
    "SweepClaim",
    "TicketRecord",
    "Timer",
    "TimerSpec",
    "WorkClass",
]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Backlog:
    """What waits in the database (:meth:`Store.backlog`)."""

    inbox_depth: int
    inbox_oldest: datetime | None
    timers_scheduled: int
    dead_letters_open: int


@contextmanager
def _refused_write() -> Iterator[None]:
    """A write in a read-only unit of work is a bug in the bridge, not a read-only file."""
    try:
        yield
    except OperationalError as exc:
        if "readonly database" not in str(exc.orig).lower():
            raise
        raise StoreError("a read-only unit of work (Store.reading) tried to write; run it "
                         "in Store.transaction") from exc


class Store:
    """The bridge's database. Every public method runs in its own transaction."""

    def __init__(self, url: str, clock: Clock) -> None:
        self.url = url
        self.clock = clock
        self.engine: Engine = make_engine(url)
        self._claims = count()  # numbers this process's claims: every n-th is the oldest's

    def __repr__(self) -> str:
        return f"Store({mask_url(self.url)})"

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """Run a block that writes in one transaction (on SQLite it holds the write lock from
        its start); connection failures raise :class:`StoreUnavailable`."""
        with translate_errors(self.url), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Run a block that only reads in one transaction: on SQLite it takes no write lock
        (it reads a snapshot while a writer works) and any write in it fails."""
        with translate_errors(self.url), \
                self.engine.connect().execution_options(**{READ_ONLY: True}) as conn, \
                conn.begin(), _refused_write():  # the block's writes, not the connecting
            yield conn

    def _write(self, work: Callable[[Connection], _T]) -> _T:
        with self.transaction() as conn:
            return work(conn)

    def _read(self, work: Callable[[Connection], _T]) -> _T:
        with self.reading() as conn:
            return work(conn)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    # -- schema --------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Apply pending migrations (``sla-bridge db upgrade``)."""
        with translate_errors(self.url), self.engine.begin() as conn:
            upgrade(conn)

    def schema_is_current(self) -> bool:
        """Whether the database is at the newest migration."""
        return self.revision() == head_revision()

    def revision(self) -> str | None:
        """The migration the database is at (``None``: never migrated)."""
        return self._read(current_revision)

    @staticmethod
    def head_revision() -> str:
        """The newest migration this version of the bridge ships."""
        return head_revision()

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers."""
        self._read(lambda conn: conn.execute(text("SELECT 1")))

    def heartbeat(self, timeout: float = 1.0) -> None:
        """Prove the database takes writes: rewrite the heartbeat row and commit (a write
        rolled back never reaches the disk). Lock waits are bounded by ``timeout`` seconds.
        Raises :class:`StoreNotWritable` for a read-only file, folder or server and a full
        disk, :class:`StoreUnavailable` when the database does not answer."""
        now = self.clock.now()
        with translate_errors(self.url), self.engine.connect() as conn, \
                _heartbeat.bounded_waits(conn, timeout), conn.begin():
            _heartbeat.beat(conn, now, timeout)

    # -- inbox and work queue -------------------------------------------------------------

    def accept(self, events: Sequence[InboundEvent]) -> int:
        """Store new events durably and wake their tickets; return how many were new."""
        now = self.clock.now()
        return self._write(lambda conn: _queue.accept_events(conn, events, now))

    def claim(self, owner: str, lease: timedelta) -> Claim | None:
        """Lease the next ticket (the most urgent ready, earliest first; one claim in
        :data:`sla_bridge.urgency.OLDEST_TURN_EVERY` the one ready longest), with its pending
        events, what the bridge remembers about it and its ledger's one-off entries:
        everything a reconcile reads from the database, in the one transaction that claims
        it."""
        now = self.clock.now()
        oldest = next(self._claims) % OLDEST_TURN_EVERY == OLDEST_TURN_EVERY - 1

        def work(conn: Connection) -> Claim | None:
            claim = _queue.claim_ticket(conn, owner, now, lease, oldest=oldest)
            if claim is None:
                return None
            return replace(claim, memory=_records.load_ticket(conn, claim.ref),
                           ledger=_records.ledger_done(conn, claim.ref), read=True)

        return self._write(work)

    def extend(self, claim: Claim, lease: timedelta) -> bool:
        """Extend a lease; ``False`` if it was lost to another worker."""
        until = self.clock.now() + lease
        return self._write(lambda conn: _queue.extend_lease(conn, claim, until))

    def lease_owners(self) -> list[str]:
        """Return the workers that hold leases now (``host:pid:thread``)."""
        return self._read(_queue.lease_owners)

    def release_leases(self, owners: Sequence[str]) -> int:
        """Drop the leases of workers known to be dead, so their tickets are taken at once."""
        return self._write(lambda conn: _queue.release_leases(conn, owners))

    def pending_events(self, ref: TicketRef) -> list[StoredEvent]:
        """Return a ticket's accepted events that wait for reconciliation."""
        return self._read(lambda conn: _queue.pending_events(conn, ref))

    def inbox_depth(self) -> tuple[int, datetime | None]:
        """Return how many events wait and when the oldest arrived."""
        return self._read(_queue.inbox_depth)

    def backlog(self) -> Backlog:
        """What waits, for ``/metrics``: the inbox's events and when the oldest arrived, the
        scheduled timers and the open dead letters (counts on indexed columns, one
        transaction)."""
        def work(conn: Connection) -> Backlog:
            depth, oldest = _queue.inbox_depth(conn)
            return Backlog(depth, oldest, _queue.scheduled_timer_count(conn),
                           _records.open_dead_letter_count(conn))

        return self._read(work)

    def work_by_class(self) -> list[WorkClass]:
        """The work queue per platform and urgency class (``GET /v1/backlog``): how much
        waits, has aged, is put off to a retry or is being reconciled, and since when the
        oldest waiting is ready."""
        now = self.clock.now()
        return self._read(lambda conn: _backlog.work_by_class(conn, now))

    def finish(self, claim: Claim, record: TicketRecord | None = None,
               timers: Sequence[TimerSpec] | None = None,
               decisions: Sequence[Decision] = ()) -> int:
        """Commit a successful reconciliation in one transaction: the ticket's state, its
        timers (replaced by ``timers`` unless ``None``), its decisions, the events done and
        the lease released. Returns how many timers were newly scheduled."""
        now = self.clock.now()

        def work(conn: Connection) -> int:
            added = 0
            if record is not None:
                _records.save_ticket(conn, record, now, claim.memory if claim.read else None)
            if timers is not None:
                added = _queue.replace_timers(conn, claim.ref, timers, now)
            _records.record_decisions(conn, claim.ref, decisions)
            _queue.release_claim(conn, claim, now, done=True)
            return added

        return self._write(work)

    def finish_gone(self, claim: Claim, decision: Decision) -> int:
        """Commit the look at a ticket its platform no longer has (deleted, marked as spam)
        in one transaction: its scheduled timers cancelled, its clocks stopped, its record's
        status ``gone``, ``decision`` recorded, the events done and the lease released.
        Returns how many timers were cancelled."""
        now = self.clock.now()

        def work(conn: Connection) -> int:
            cancelled = _records.stop_ticket(conn, claim.ref, now)
            _records.record_decisions(conn, claim.ref, [decision])
            _queue.release_claim(conn, claim, now, done=True)
            return cancelled

        return self._write(work)

    def retry_later(self, claim: Claim, at: datetime, error: str) -> None:
        """Give a claim back after a failure, to be tried again at ``at``."""
        now = self.clock.now()
        self._write(lambda conn: _queue.release_claim(conn, claim, now, done=False,
                                                    retry_at=at, error=error))

    # -- timers ----------------------------------------------------------------------------

    def schedule(self, ref: TicketRef, specs: Sequence[TimerSpec]) -> None:
        """Add or move timers of the given kinds, leaving the ticket's others alone."""
        now = self.clock.now()
        self._write(lambda conn: _queue.schedule_timers(conn, ref, specs, now))

    def fire_due(self, owner: str, limit: int = 500, as_of: datetime | None = None) -> list[Timer]:
        """Fire timers due by now (or ``as_of``), earliest first, waking their tickets."""
        now = as_of or self.clock.now()
        return self._write(lambda conn: _queue.fire_due_timers(conn, owner, now, limit))

    def timers(self, *, due_before: datetime | None = None, ref: TicketRef | None = None,
               status: str = "scheduled", limit: int = 1000) -> list[Timer]:
        """Return timers in due order."""
        return self._read(lambda conn: _queue.list_timers(
            conn, due_before=due_before, ref=ref, status=status, limit=limit))

    def next_timer_due(self) -> datetime | None:
        """Return when the earliest scheduled timer is due."""
        return self._read(_queue.next_timer_due)

    # -- tickets, ledger, dead letters, decisions -----------------------------------------

    def ticket(self, ref: TicketRef) -> TicketRecord | None:
        """Return what the bridge remembers about a ticket."""
        return self._read(lambda conn: _records.load_ticket(conn, ref))

    def ledger_entry(self, key: str) -> LedgerEntry | None:
        """Return the ledger entry for an idempotency key."""
        return self._read(lambda conn: _records.ledger_entry(conn, key))

    def ledger(self, ref: TicketRef) -> list[LedgerEntry]:
        """Return a ticket's ledger entries."""
        return self._read(lambda conn: _records.ledger_for(conn, ref))

    def record_action(self, key: str, ref: TicketRef, kind: str, action: str, status: str,
                      result: str | None = None) -> None:
        """Record an action's outcome under its idempotency key."""
        self.record_actions([LedgerWrite(key, ref, kind, action, status, result)])

    def record_actions(self, entries: Sequence[LedgerWrite]) -> None:
        """Record several actions' outcomes in one transaction (a batched vendor update:
        all of its actions landed together, so they are recorded together)."""
        now = self.clock.now()

        self._write(lambda conn: _records.record_actions(conn, entries, now))

    def dead_letter(self, key: str, ref: TicketRef, action: str, error: str,
                    attempts: int) -> int:
        """Keep a failed action for an admin; marks its ledger entry ``dead``."""
        now = self.clock.now()

        def work(conn: Connection) -> int:
            kind = key.split(":")[2] if key.count(":") >= 2 else "unknown"
            _records.record_action(conn, key, ref, kind, action, "dead", None, now)
            return _records.add_dead_letter(conn, key, ref, action, error, attempts, now)

        return self._write(work)

    def dead_letters(self, status: str | None = "open", limit: int = 100) -> list[DeadLetter]:
        """Return dead letters, newest first."""
        return self._read(lambda conn: _records.list_dead_letters(conn, status, limit))

    def get_dead_letter(self, letter_id: int) -> DeadLetter | None:
        """Return one dead letter."""
        return self._read(lambda conn: _records.get_dead_letter(conn, letter_id))

    def resolve_dead_letter(self, letter_id: int, status: str) -> bool:
        """Mark a dead letter ``replayed`` or ``discarded``."""
        now = self.clock.now()
        return self._write(lambda conn: _records.resolve_dead_letter(conn, letter_id, status, now))

    def record(self, ref: TicketRef, decisions: Sequence[Decision]) -> None:
        """Append decisions to a ticket's audit trail."""
        self._write(lambda conn: _records.record_decisions(conn, ref, decisions))

    def decisions_after(self, after_id: int = 0,
                        limit: int = 1000) -> list[tuple[int, TicketRef, Decision]]:
        """Return every ticket's audit entries after ``after_id``, oldest first, with ids."""
        return self._read(lambda conn: _records.decisions_after(conn, after_id, limit))

    def prune(self, *, events_before: datetime, timers_before: datetime,
              decisions_before: datetime, batch: int = 10_000) -> Pruned:
        """Delete processed events, finished timers and audit entries older than their
        cut-offs, at most ``batch`` of each per call."""
        return self._write(lambda conn: _retention.prune(
            conn, events_before=events_before, timers_before=timers_before,
            decisions_before=decisions_before, batch=batch))

    def decisions(self, ref: TicketRef, limit: int = 50) -> list[Decision]:
        """Return a ticket's latest decisions, newest first."""
        return self._read(lambda conn: _records.recent_decisions(conn, ref, limit))

    # -- periodic sweeps ---------------------------------------------------------------------

    def claim_sweep(self, name: str, owner: str, every: timedelta) -> SweepClaim:
        """Claim the periodic sweep ``name`` for ``owner`` unless one began less than
        ``every`` ago (by this process or another replica); the claim says where the last
        finished sweep got to."""
        now = self.clock.now()
        return self._write(lambda conn: _sweeps.claim(conn, name, owner, now, every))

    def finish_sweep(self, name: str, until: datetime) -> None:
        """Record that the sweep ``name`` looked at every change before ``until``."""
        now = self.clock.now()
        self._write(lambda conn: _sweeps.finish(conn, name, until, now))

    def last_sweep(self, name: str) -> SweepClaim | None:
        """Where the sweep ``name`` stands, or ``None`` if it never ran."""
        return self._read(lambda conn: _sweeps.last(conn, name))
