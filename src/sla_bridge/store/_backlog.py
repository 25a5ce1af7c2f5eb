"""The work queue counted per platform and urgency class, for ``GET /v1/backlog``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select, type_coerce

from ._schema import UTCDateTime, work


@dataclass(frozen=True)
class WorkClass:
    """The queued work of one platform in one urgency class (:func:`work_by_class`)."""

    platform: str
    urgency: int
    waiting: int  # ready and not leased: what the next claims choose from
    later: int  # given back to be retried at a later instant
    leased: int  # being reconciled now
    oldest_ready_at: datetime | None  # of the waiting


def work_by_class(conn: Connection, now: datetime) -> list[WorkClass]:
    """Count the queued work per platform and urgency class, with the oldest ready instant
    of what waits (one grouped read of the ``work`` table)."""
    free = or_(work.c.lease_until.is_(None), work.c.lease_until < now)
    waiting = and_(free, work.c.ready_at <= now)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = conn.execute(
        select(work.c.platform, work.c.urgency, count(waiting),
               count(and_(free, work.c.ready_at > now)), count(~free),
               type_coerce(func.min(case((waiting, work.c.ready_at))), UTCDateTime()))
        .group_by(work.c.platform, work.c.urgency)
        .order_by(work.c.platform, work.c.urgency))
    return [WorkClass(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5])
            for r in rows]
