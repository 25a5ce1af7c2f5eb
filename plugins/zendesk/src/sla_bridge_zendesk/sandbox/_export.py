"""The Incremental Ticket Export, cursor based (``GET /incremental/tickets/cursor``).

Rules emulated (the plugin's README cites the pages):

* the first request names ``start_time`` (Unix seconds), the following ones the ``cursor``
  the previous page gave (``after_cursor``, or the whole ``after_url``); one of the two,
  not both (400). A ``start_time`` less than a minute ago is refused (422): the export has
  no data for the most recent minute;
* a ticket is in the export when its ``generated_timestamp`` (moved by every change,
  system updates and deletion included) is at or after the start, oldest change first;
  a ticket changed again while the export is read comes again, later;
* changes of the most recent minute are left out (the next export has them);
* up to ``per_page`` tickets a page (1000 and at most 1000, lower with the sandbox's
  ``export_page_size``); ``end_of_stream`` is true on the page that reaches the present,
  whose ``after_cursor`` is where the next export starts;
* deleted tickets are in the export with the status ``deleted``, unless
  ``exclude_deleted=true``;
* at most 10 requests a minute (429 with ``Retry-After``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._errors import ApiError, bad_request
from ._state import SandboxState

MAX_EXPORT_PAGE = 1000
# "Data isn't provided for the most recent minute."
EXPORT_LAG_SECONDS = 60
EXPORT_RATE_LIMIT = 10


@dataclass(frozen=True, order=True)
class Position:
    """Where an export stands: after the change of ticket ``ticket_id`` at ``stamp``."""

    stamp: int
    ticket_id: int

    def cursor(self) -> str:
        """Opaque to clients (in Zendesk's shape: base64 of ``<stamp>.0||<id>|``)."""
        raw = f"{self.stamp}.0||{self.ticket_id}|".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def of(cls, cursor: str) -> Position:
        """The position a cursor names; 400 when this API did not make it."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            stamp, _, rest = raw.partition(".0||")
            return cls(int(stamp), int(rest.rstrip("|")))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise bad_request("cursor is not one this export gave") from None


def too_recent() -> ApiError:
    """422 for a ``start_time`` the export cannot serve yet."""
    return ApiError(422, {"error": "InvalidValue", "description": (
        "Too recent start_time. Use a start_time at least one minute in the past")})


def start_position(query: Mapping[str, str], now: datetime) -> Position:
    """The position the request asks for: after its cursor, or at its ``start_time``."""
    cursor, start = query.get("cursor"), query.get("start_time")
    if (cursor is None) == (start is None):
        raise bad_request("give start_time for the first page or cursor for the next ones, "
                          "not both")
    if cursor is not None:
        return Position.of(cursor)
    try:
        stamp = int(str(start))
    except ValueError:
        raise bad_request("start_time must be a Unix time in seconds") from None
    if stamp > now.timestamp() - EXPORT_LAG_SECONDS:
        raise too_recent()
    return Position(stamp, -1)  # every change at or after start_time


def page_size(query: Mapping[str, str], cap: int) -> int:
    """``per_page``, at most 1000 and the sandbox's cap."""
    try:
        wanted = int(query.get("per_page", MAX_EXPORT_PAGE))
    except ValueError:
        raise bad_request("per_page must be a number") from None
    return max(1, min(wanted, MAX_EXPORT_PAGE, cap))


def export_page(state: SandboxState, query: Mapping[str, str], now: datetime,
                cap: int = MAX_EXPORT_PAGE) -> tuple[list[dict[str, Any]], Position, bool]:
    """One page: the tickets (without ``url``), the position after them, and whether the
    page reached the present (``end_of_stream``)."""
    after = start_position(query, now)
    size = page_size(query, cap)
    horizon = int(now.timestamp()) - EXPORT_LAG_SECONDS
    with_deleted = str(query.get("exclude_deleted", "false")).lower() != "true"
    with state.lock:
        changed = [(Position(int(r.data["generated_timestamp"]), number),
                    state._render(r.data)) for number, r in state.tickets.items()]
        if with_deleted:
            changed += [(Position(int(d.record.data["generated_timestamp"]), number),
                         {**state._render(d.record.data), "status": "deleted"})
                        for number, d in state.deleted.items()]
    due = sorted((item for item in changed if after < item[0] and item[0].stamp <= horizon),
                 key=lambda item: item[0])
    page = due[:size]
    end = page[-1][0] if page else after
    return [ticket for _, ticket in page], end, len(due) <= size
