"""Looking again at every ticket changed since an instant, through the Incremental Ticket
Export: for the webhooks Zendesk never delivered.

Zendesk does not retry a webhook the bridge refused (401, any 4xx), nor one lost while the
bridge was down for longer than Zendesk retries. ``sla-bridge zendesk resync --since T``
and the periodic sweep (``SLA_BRIDGE_ZENDESK__RESYNC_EVERY``) read the cursor-based export
(``GET /api/v2/incremental/tickets/cursor.json?start_time=...``, then the ``after_url`` of
each page until ``end_of_stream``) with zenpy, and put one event per changed ticket into the
bridge's inbox. The event's delivery id is the change's (``resync:<id>:<updated_at>``, with
``:deleted`` for a deleted ticket), so seeing one change twice adds nothing; the reconciler
then looks at each ticket as after any webhook (a deleted one is found gone, its timers
cancelled and its clocks stopped).

The export has no data for the most recent minute, so a look covers changes up to
:data:`EXPORT_LAG` ago and the next one starts there.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sla_bridge.platforms import InboundEvent, Inbox, Swept, VendorError
from sla_bridge.tickets import TicketRef

from .settings import PLATFORM, parse_duration

if TYPE_CHECKING:
    from sla_bridge.clock import Clock

    from .client import ZendeskClient
    from .settings import ZendeskSettings

__all__ = ["EXPORT_LAG", "RESYNC_EVENT", "Changed", "Resyncing", "TicketExport", "parse_since",
           "resync"]

log = logging.getLogger("sla_bridge_zendesk")

# Zendesk leaves the most recent minute out of the export; one more for the clocks of the
# bridge and Zendesk not agreeing to the second.
EXPORT_LAG = timedelta(minutes=2)
RESYNC_EVENT = "zendesk.resync"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Events are stored this many at a time (one transaction each).
ACCEPT_BATCH = 100
Sleep = Callable[[float], None]


def parse_since(text: str, now: datetime) -> datetime:
    """``--since``: an ISO 8601 instant with its UTC offset (``2026-11-30T09:00:00-06:00``,
    ``...Z``) or a duration back from ``now`` (``2h``, ``3d``); :class:`ValueError` saying
    what is wrong."""
    value = text.strip()
    if value[:1].isdigit() and ("-" in value[1:] or "T" in value):
        try:
            instant = datetime.fromisoformat(value.replace("z", "Z"))
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 instant; use e.g. "
                             "2026-11-30T09:00:00-06:00, or a duration such as 2h or 3d") \
                from None
        if instant.tzinfo is None:
            raise ValueError(f"{text!r} has no UTC offset, so the instant is ambiguous; add "
                             f"one, e.g. {value}Z or {value}-06:00")
    else:
        try:
            instant = now - parse_duration(value)
        except ValueError as exc:
            raise ValueError(f"{exc}, or an ISO 8601 instant such as "
                             "2026-11-30T09:00:00-06:00") from None
    if instant > now:
        raise ValueError(f"{text!r} is in the future ({instant.isoformat()})")
    return instant


@dataclass(frozen=True)
class Changed:
    """One ticket as the export lists it."""

    ticket_id: str
    updated_at: str  # as Zendesk wrote it
    status: str  # "deleted" for a deleted ticket
    changed_at: datetime  # its generated_timestamp: where the export stands

    def event(self) -> InboundEvent:
        """The inbox event that makes the bridge look at the ticket again."""
        gone = ":deleted" if self.status == "deleted" else ""
        occurred = _instant(self.updated_at)
        return InboundEvent(ref=TicketRef(platform=PLATFORM, ticket_id=self.ticket_id),
                            delivery_id=f"resync:{self.ticket_id}:{self.updated_at}{gone}",
                            event_type=RESYNC_EVENT, occurred_at=occurred,
                            payload={"status": self.status, "updated_at": self.updated_at})


def _instant(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _changed(ticket: Any) -> Changed:
    stamp = getattr(ticket, "generated_timestamp", None)
    updated = str(getattr(ticket, "updated_at", "") or "")
    changed_at = (datetime.fromtimestamp(int(stamp), UTC) if stamp is not None
                  else _instant(updated) or EPOCH)
    return Changed(str(ticket.id), updated, str(getattr(ticket, "status", "") or ""),
                   changed_at)


class TicketExport:
    """The cursor-based Incremental Ticket Export, through zenpy.

    A retryable failure (a 429 with its ``Retry-After``, a 5xx, a timeout) is waited out
    with ``sleep`` and the export resumed from the cursor of the last page read, up to
    ``attempts`` times in a row; ``attempts=1`` gives up at once (the periodic sweep, which
    must not hold the timer worker). The page in the middle of which a failure came is read
    again: a ticket may be listed twice, which the delivery ids make harmless.
    """

    def __init__(self, client: ZendeskClient, *, sleep: Sleep = time.sleep,
                 attempts: int = 8) -> None:
        self.client = client
        self.sleep = sleep
        self.attempts = attempts

    def changed_since(self, since: datetime) -> Iterator[Changed]:
        """Every ticket changed at or after ``since``, oldest change first."""
        cursor: str | None = None
        failures = 0
        while True:
            pages: Any = None
            try:
                tickets = self.client.zenpy.tickets
                pages = (tickets.incremental(cursor=cursor) if cursor is not None
                         else tickets.incremental(start_time=int(since.timestamp())))
                for ticket in pages:
                    failures = 0
                    yield _changed(ticket)
                return
            except Exception as exc:
                error = self.client.errors.translate(exc, "read the incremental ticket export")
                # The last page read whole: zenpy keeps each page's fields on the generator.
                cursor = getattr(pages, "after_cursor", None) or cursor
                failures += 1
                if not error.retryable or failures >= self.attempts:
                    raise error from exc
                wait = error.retry_after if error.retry_after is not None else min(
                    2.0 ** failures, 60.0)
                log.warning("zendesk: reading the incremental export failed (%s); trying again "
                            "in %.0f s (attempt %d of %d)", error, wait, failures + 1,
                            self.attempts)
                self.sleep(wait)


@dataclass
class Resynced:
    """What one look again did, so far (it is filled in as the export is read)."""

    since: datetime
    until: datetime  # the export's horizon: :data:`EXPORT_LAG` before the look began
    reached: datetime  # the last change read (where an interrupted look got to)
    seen: int = 0
    queued: int = 0

    @classmethod
    def starting(cls, since: datetime, now: datetime) -> Resynced:
        """A look at the changes since ``since``, begun at ``now``."""
        until = now - EXPORT_LAG
        return cls(since=min(since, until), until=until, reached=min(since, until))

    def swept(self, error: str | None = None) -> Swept:
        """As the core's :class:`~sla_bridge.platforms.Swept`: a finished look got to
        :attr:`until`, an interrupted one to the last change it read."""
        return Swept(until=self.until if error is None else self.reached, seen=self.seen,
                     queued=self.queued, error=error)


def resync(export: TicketExport, inbox: Inbox, done: Resynced,
           progress: Callable[[Changed], None] | None = None) -> Resynced:
    """Queue an event for every ticket changed since ``done.since`` (see
    :meth:`Resynced.starting`), filling ``done`` in; ``progress`` is told of each ticket
    read. A :class:`VendorError` is raised as it comes, once the events read before it are
    queued (``done`` says how far the look got)."""
    batch: list[InboundEvent] = []

    def flush() -> None:
        done.queued += inbox.accept(batch) if batch else 0
        batch.clear()

    try:
        for changed in export.changed_since(done.since):
            done.seen += 1
            batch.append(changed.event())
            done.reached = max(done.reached, min(changed.changed_at, done.until))
            if progress is not None:
                progress(changed)
            if len(batch) >= ACCEPT_BATCH:
                flush()
    finally:
        flush()
    return done


class Resyncing:
    """The periodic look again, for :class:`~sla_bridge_zendesk.platform.ZendeskPlatform`
    (what :class:`sla_bridge.platforms.Periodic` asks): every
    ``SLA_BRIDGE_ZENDESK__RESYNC_EVERY``, the tickets changed since the last look."""

    settings: ZendeskSettings
    client: ZendeskClient
    clock: Clock

    @property
    def every(self) -> timedelta | None:
        """``SLA_BRIDGE_ZENDESK__RESYNC_EVERY`` (``None``: off)."""
        return self.settings.resync_every

    def sweep(self, inbox: Inbox, since: datetime) -> Swept:
        """Queue the tickets changed since ``since``; a Zendesk failure ends the sweep where
        it got to (the next one resumes there), without waiting in the timer worker."""
        done = Resynced.starting(since, self.clock.now())
        try:
            resync(TicketExport(self.client, attempts=1), inbox, done)
        except VendorError as exc:
            return done.swept(str(exc))
        return done.swept()
