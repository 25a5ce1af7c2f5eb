"""Periodic sweeps (a platform looking for changes its webhooks may have missed): which
process runs the next one, and how far the last one got.

One row per sweep name. A sweep is claimed by moving its ``started_at`` to now, in one
conditional update, so that of several replicas only one sweeps each period; it records
``swept_until`` when it is done, and the next sweep starts from there (a bridge that was
down for three days sweeps the three days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from ._queue import _dialect_insert
from ._schema import sweeps


@dataclass(frozen=True)
class SweepClaim:
    """The answer to "may I sweep now?"."""

    claimed: bool  # this caller runs the sweep now
    since: datetime | None  # where the last finished sweep got to (None: never swept)
    started_at: datetime  # when the latest sweep began (now, when this one was claimed)


def claim(conn: Connection, name: str, owner: str, now: datetime,
          every: timedelta) -> SweepClaim:
    """Claim the sweep ``name`` unless one began less than ``every`` ago."""
    row = conn.execute(select(sweeps).where(sweeps.c.name == name).with_for_update()).first()
    if row is None:
        inserted = conn.execute(_dialect_insert(conn, sweeps).values(
            name=name, started_at=now, started_by=owner[:100])
            .on_conflict_do_nothing(index_elements=["name"]).returning(sweeps.c.name)).first()
        if inserted is not None:
            return SweepClaim(True, None, now)
        row = conn.execute(select(sweeps).where(sweeps.c.name == name)).one()
        return SweepClaim(False, row.swept_until, row.started_at)
    if now - row.started_at < every:
        return SweepClaim(False, row.swept_until, row.started_at)
    moved = conn.execute(update(sweeps).where(sweeps.c.name == name,
                                              sweeps.c.started_at == row.started_at)
                         .values(started_at=now, started_by=owner[:100]))
    if moved.rowcount != 1:  # another replica claimed it in between
        return SweepClaim(False, row.swept_until, row.started_at)
    return SweepClaim(True, row.swept_until, now)


def finish(conn: Connection, name: str, until: datetime, now: datetime) -> None:
    """Record that the sweep ``name`` looked at every change before ``until`` (never moving
    back: an older sweep finishing late leaves a newer one's mark)."""
    row = conn.execute(select(sweeps.c.swept_until).where(sweeps.c.name == name)).first()
    if row is not None and row.swept_until is not None and row.swept_until >= until:
        conn.execute(update(sweeps).where(sweeps.c.name == name).values(finished_at=now))
        return
    conn.execute(update(sweeps).where(sweeps.c.name == name)
                 .values(swept_until=until, finished_at=now))


def last(conn: Connection, name: str) -> SweepClaim | None:
    """Where the sweep ``name`` stands (``claimed`` is False), or ``None`` if it never ran."""
    row = conn.execute(select(sweeps).where(sweeps.c.name == name)).first()
    return None if row is None else SweepClaim(False, row.swept_until, row.started_at)
