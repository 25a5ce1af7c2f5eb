"""Reading a Zendesk ticket in as few requests as Zendesk allows.

The first read of a ticket (in this process) is a full read: its audits, then the ticket
itself (two GETs). The ticket is kept as it then was, with the id of its last audit, and
every later read is the audits alone (one GET per 100 audits): the kept ticket with the
changes of the audits since (:func:`~.audit_fold.fold_changes`).

The full read is used again

* for a ticket not seen yet, or no longer kept (:data:`KEPT` tickets are kept);
* when the kept ticket's last audit is no longer among its audits;
* when a write on a folded read answers 409 (the ticket changed since, possibly in a way
  its audits do not show): :meth:`TicketReads.full`, then the write is tried again;
* for every ticket, once a full read found a change in the audits reading otherwise than the
  ticket shows it (a warning names the ticket and the fields): the plugin then never folds
  again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .audit_fold import disagreements, fold_changes
from .client import ZendeskClient

__all__ = ["KEPT", "Read", "TicketReads"]

log = logging.getLogger("sla_bridge_zendesk")
# How many tickets are kept as last read in full (a few kilobytes each).
KEPT = 2048


@dataclass(frozen=True)
class Read:
    """One read of a ticket: the ticket as the API shows it, its audits (oldest first), and
    whether the ticket was folded from the audits (its ``updated_at`` is then the last
    audit's time, which a safe update may find outdated)."""

    ticket: dict[str, Any]
    audits: list[dict[str, Any]]
    folded: bool


@dataclass(frozen=True)
class _Kept:
    ticket: dict[str, Any]
    last_audit_id: Any


class TicketReads:
    """The plugin's ticket reads, and the tickets it keeps between them.

    ``field_types`` gives the custom ticket fields' types by id (read back from an audit's
    strings as the ticket shows them)."""

    def __init__(self, client: ZendeskClient,
                 field_types: Callable[[], Mapping[int, str]]) -> None:
        self.client = client
        self.field_types = field_types
        self.folding = True
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, ticket_id: int) -> Read:
        """The ticket and its audits: one request when it was read before, else two."""
        audits = self.audits(ticket_id)
        with self._lock:
            kept = self._kept.get(ticket_id) if self.folding else None
        ids = [a.get("id") for a in audits]
        if kept is not None and kept.last_audit_id in ids:
            since = audits[ids.index(kept.last_audit_id) + 1:]
            folded = fold_changes(kept.ticket, since, self.field_types)
            return Read(folded, audits, folded=True)
        ticket = self.full(ticket_id)
        self._keep(ticket_id, ticket, audits)
        return Read(ticket, audits, folded=False)

    def audits(self, ticket_id: int) -> list[dict[str, Any]]:
        """``GET /tickets/{id}/audits``, every page."""
        return [a.to_dict() for a in self.client.zenpy.tickets.audits(ticket=ticket_id)]

    def full(self, ticket_id: int) -> dict[str, Any]:
        """``GET /tickets/{id}``."""
        ticket: dict[str, Any] = self.client.zenpy.tickets(id=ticket_id).to_dict()
        return ticket

    def forget(self, ticket_id: int) -> None:
        """Read the ticket in full next time."""
        with self._lock:
            self._kept.pop(ticket_id, None)

    def _keep(self, ticket_id: int, ticket: dict[str, Any],
              audits: list[dict[str, Any]]) -> None:
        """Keep the ticket if it is the ticket its audits end with, and they agree."""
        self.forget(ticket_id)
        if not audits or not self.folding:
            return
        if audits[-1].get("created_at") != ticket.get("updated_at"):
            # Changed between the two requests, or by an update without an audit: the next
            # read is a full one again.
            return
        wrong = disagreements(audits, ticket, self.field_types)
        if wrong:
            self.folding = False
            log.warning("zendesk: the audits of ticket %s tell %s otherwise than the ticket "
                        "does; every ticket is now read with its audits and in full (two "
                        "requests a read)", ticket_id, ", ".join(wrong),
                        extra={"ticket": f"zendesk:{ticket_id}"})
            return
        with self._lock:
            self._kept[ticket_id] = _Kept(ticket, audits[-1].get("id"))
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
