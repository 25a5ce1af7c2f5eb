"""Pruning what the bridge no longer needs, so that a flood cannot grow the database without
bound: processed inbox events, fired or cancelled timers, and old audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from ._schema import decisions, inbox, timers


@dataclass(frozen=True)
class Pruned:
    """How many rows one pruning pass removed."""

    events: int
    timers: int
    decisions: int

    @property
    def total(self) -> int:
        """All rows removed."""
        return self.events + self.timers + self.decisions


def prune(conn: Connection, *, events_before: datetime, timers_before: datetime,
          decisions_before: datetime, batch: int) -> Pruned:
    """Delete at most ``batch`` rows of each kind older than their cut-off (short locks; a
    backlog goes in several passes). Unprocessed events and scheduled timers are never
    touched."""
    old_events = select(inbox.c.id).where(inbox.c.processed_at.is_not(None),
                                          inbox.c.processed_at < events_before).limit(batch)
    done = timers.c.status.in_(("fired", "cancelled"))
    old_timers = select(timers.c.id).where(
        done, func.coalesce(timers.c.fired_at, timers.c.created_at) < timers_before).limit(batch)
    old_decisions = select(decisions.c.id).where(decisions.c.at < decisions_before).limit(batch)
    # Ids first, then delete: the same statement on SQLite and PostgreSQL.
    counts = []
    for table, query in ((inbox, old_events), (timers, old_timers), (decisions, old_decisions)):
        ids = [row[0] for row in conn.execute(query)]
        if ids:
            conn.execute(delete(table).where(table.c.id.in_(ids)))
        counts.append(len(ids))
    return Pruned(*counts)
