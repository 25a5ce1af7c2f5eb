"""The compliance history: every first-response and next-update period once decided.

A ticket's clocks replace each other (a public reply ends one next-update period and starts
the next), so :func:`record_periods` keeps each decided period in ``sla_periods`` as the
ticket's state is saved, in the same transaction: the clocks met or breached now, and the
next-update periods a later reply closed (``TicketRecord.periods``). A period is one row,
keyed by its start: looking at the ticket again rewrites the row, never adds one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, select, update

from sla_bridge.records import ClockRecord, TicketRecord

from ._queue import upsert_statement
from ._schema import sla_periods

COMPLIANCE_METRICS = ("first_response", "next_update")  # the policy model's METRICS
_OUTCOME = ("target", "due_at", "met_at", "breached", "decided_at")


def _utc(value: datetime | None) -> datetime | None:
    # Keys and comparisons in UTC: an instant in a repeated (fall-back) hour carries fold=1,
    # and == across zones is False for it (PEP 495).
    return value.astimezone(UTC) if value is not None else None


def _outcome(clock: ClockRecord) -> dict[str, Any] | None:
    """The period's result, or ``None`` while it is undecided (neither met nor breached)."""
    decided = clock.met_at if clock.met_at is not None else (
        clock.due_at if clock.breached else None)
    if decided is None:
        return None
    return {"target": clock.target, "due_at": _utc(clock.due_at), "met_at": _utc(clock.met_at),
            "breached": clock.breached, "decided_at": _utc(decided)}


def _wanted(clocks: Iterable[ClockRecord]) -> dict[tuple[str, datetime], dict[str, Any] | None]:
    """Each compliance period's result (``None``: undecided), by metric and start."""
    wanted: dict[tuple[str, datetime], dict[str, Any] | None] = {}
    for clock in clocks:
        if clock.metric in COMPLIANCE_METRICS:
            started = _utc(clock.started_at)
            assert started is not None
            wanted[(clock.metric, started)] = _outcome(clock)
    return wanted


def record_periods(conn: Connection, record: TicketRecord, now: datetime,
                   before: TicketRecord | None = None) -> None:
    """Keep the decided periods of ``record`` (its clocks and the closed ``periods``):
    insert new ones, rewrite those whose result changed (met late after the breach, say),
    and drop a period no longer decided (a re-target moved its due instant past now).

    ``before``: the record as stored; its periods were recorded when it was saved, so when
    no period closed since and every period's result is what it was (a clock that only
    warned, say), nothing is read or written."""
    if before is not None and before.clocks == record.clocks and not record.periods:
        return
    wanted = _wanted((*record.periods, *record.clocks))
    if not wanted or (before is not None and not record.periods
                      and wanted == _wanted(before.clocks)):
        return
    ref, c = record.ref, sla_periods.c
    of_ticket = and_(c.platform == ref.platform, c.ticket_id == ref.ticket_id)
    kept = {(row.metric, _utc(row.started_at)): {name: getattr(row, name) for name in _OUTCOME}
            for row in conn.execute(select(c.metric, c.started_at, *(c[n] for n in _OUTCOME))
                                    .where(of_ticket, c.started_at.in_(
                                        {start for _, start in wanted})))}
    attributes = {"policy_id": record.policy_id, "plan": record.plan,
                  "severity": record.vendor_severity or record.customer_severity}
    for (metric, started), outcome in wanted.items():
        key = and_(of_ticket, c.metric == metric, c.started_at == started)
        stored = kept.get((metric, started))
        if outcome is None:
            if stored is not None:
                conn.execute(delete(sla_periods).where(key))
        elif stored is None:
            values = {"platform": ref.platform, "ticket_id": ref.ticket_id, "metric": metric,
                      "started_at": started, **outcome, **attributes, "recorded_at": now}
            conn.execute(upsert_statement(conn, sla_periods, values,
                                          ["platform", "ticket_id", "metric", "started_at"],
                                          {**outcome, "recorded_at": now}))
        elif stored != outcome:
            conn.execute(update(sla_periods).where(key).values(**outcome, recorded_at=now))
