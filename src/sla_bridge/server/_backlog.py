"""``GET /v1/backlog``: the work queue per platform and urgency class, added to the admin
router. What the next claims choose from, in the order they choose (sla_bridge.urgency)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from sla_bridge.runtime import Runtime
from sla_bridge.store import WorkClass
from sla_bridge.urgency import DESCRIPTIONS, OLDEST_TURN_EVERY, Urgency

ORDER_RULE = ("the most urgent class (0 first), earliest ready first; one claim in "
              f"{OLDEST_TURN_EVERY} takes the work ready longest, whatever its class")


class UrgencyClass(BaseModel):
    """One urgency class: lower is more urgent."""

    urgency: int
    name: str = Field(description="e.g. critical, first_response, housekeeping")
    meaning: str


class BacklogRow(BaseModel):
    """The queued work of one platform in one urgency class."""

    platform: str
    urgency: int = Field(description="The class, lower is more urgent (see classes)")
    name: str = Field(description="The class's name")
    waiting: int = Field(description="Ready and not being reconciled: what the next claims "
                                     "choose from")
    later: int = Field(description="Given back after a failure, retried at a later instant")
    in_progress: int = Field(description="Being reconciled now (leased by a worker)")
    oldest_ready_at: datetime | None = Field(description="When the oldest waiting became ready")
    oldest_wait_seconds: float | None = Field(description="How long the oldest waiting has "
                                                          "waited")

    @classmethod
    def of(cls, row: WorkClass, now: datetime) -> BacklogRow:
        """Build the view of one group of the work queue."""
        oldest = row.oldest_ready_at
        return cls(platform=row.platform, urgency=row.urgency, name=_name(row.urgency),
                   waiting=row.waiting, later=row.later,
                   in_progress=row.leased, oldest_ready_at=oldest,
                   oldest_wait_seconds=None if oldest is None
                   else max(0.0, (now - oldest).total_seconds()))


class WorkBacklog(BaseModel):
    """Tickets waiting to be reconciled, per platform and urgency class, most urgent first."""

    as_of: datetime
    order: str = Field(description="The order claims take waiting work in")
    oldest_turn_every: int = Field(description="One claim in this many takes the work "
                                              "ready longest, whatever its class")
    waiting: int = Field(description="Waiting tickets over every platform and class")
    rows: list[BacklogRow]
    classes: list[UrgencyClass]


def _name(urgency: int) -> str:
    try:
        return Urgency(urgency).label
    except ValueError:  # a class a newer version of the bridge wrote
        return str(urgency)


def add_backlog_route(router: APIRouter, runtime: Runtime) -> None:
    """Add ``GET /backlog`` to the admin ``router``."""

    @router.get("/backlog", response_model=WorkBacklog,
                summary="Tickets waiting to be reconciled, by platform and urgency class")
    def backlog() -> WorkBacklog:
        """Count the work queue per platform and urgency class: waiting, put off to a
        retry, in progress, and how long the oldest waiting has waited. When the vendor's
        API budget is the bottleneck, the most urgent class is spent on first."""
        now = runtime.clock.now()
        rows = [BacklogRow.of(row, now) for row in runtime.store.work_by_class()]
        return WorkBacklog(as_of=now, order=ORDER_RULE,
                       oldest_turn_every=OLDEST_TURN_EVERY,
                       waiting=sum(row.waiting for row in rows), rows=rows,
                       classes=[UrgencyClass(urgency=int(u), name=u.label,
                                             meaning=DESCRIPTIONS[u]) for u in Urgency])
