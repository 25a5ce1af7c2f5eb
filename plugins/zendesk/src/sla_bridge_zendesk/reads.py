"""Reading a Zendesk ticket in as few requests as Zendesk allows.

Every read is the ticket's audits (one GET per 100 audits). The first read of a ticket (in
this process) builds the ticket from them when they start with its creation
(:func:`~.first_read.initial_ticket`); the ticket is kept, with the id of its last audit,
and every later read is the kept ticket with the changes of the audits since
(:func:`~.audit_fold.fold_changes`).

The full read (the audits, then ``GET /tickets/{id}``) is used

* for a first read the audits cannot tell (:func:`~.first_read.initial_ticket` says why),
  or a ticket no longer kept (:data:`KEPT` tickets are kept);
* for the first of the first reads of the process, and every ``check_every``-th after it,
  which is also compared with the ticket built from the audits: a difference is logged as a
  warning naming the ticket and the fields, and first reads are full ones from then on;
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
from .first_read import differences, initial_ticket

__all__ = ["KEPT", "Read", "TicketReads"]

log = logging.getLogger("sla_bridge_zendesk")
# How many tickets are kept as last read (a few kilobytes each).
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
    strings as the ticket shows them); ``requester_has_organization`` whether a user belongs
    to an organization; ``check_every``: every how many first reads one is also a full
    read, compared with the audits (``SLA_BRIDGE_ZENDESK__FIRST_READ_CHECK_EVERY``)."""

    def __init__(self, client: ZendeskClient,
                 field_types: Callable[[], Mapping[int, str]],
                 requester_has_organization: Callable[[int], bool] = lambda _user: True,
                 check_every: int = 20) -> None:
        self.client = client
        self.field_types = field_types
        self.requester_has_organization = requester_has_organization
        self.check_every = max(1, check_every)
        self.folding = True
        self.first_reads = True
        # First reads from the audits before the next one that is checked (0: this one).
        self.until_check = 0
        self._kept: OrderedDict[int, _Kept] = OrderedDict()
        # Tickets whose next read must be a full one (their audits missed a change).
        self._in_full: OrderedDict[int, None] = OrderedDict()
        self._lock = threading.Lock()

    def read(self, ticket_id: int) -> Read:
        """The ticket and its audits: one request, two for a full read."""
        audits = self.audits(ticket_id)
        with self._lock:
            kept = self._kept.get(ticket_id) if self.folding else None
            in_full = ticket_id in self._in_full
        ids = [a.get("id") for a in audits]
        if kept is not None and kept.last_audit_id in ids:
            since = audits[ids.index(kept.last_audit_id) + 1:]
            folded = fold_changes(kept.ticket, since, self.field_types)
            return Read(folded, audits, folded=True)
        first, why_not = (initial_ticket(ticket_id, audits, self.field_types,
                                         self.requester_has_organization)
                          if self.folding and self.first_reads and not in_full
                          else (None, "not from the audits this time"))
        if first is None:
            log.debug("zendesk: ticket %s read in full: %s", ticket_id, why_not)
        elif not self._checked_now():
            self._keep_folded(ticket_id, first, audits)
            return Read(first, audits, folded=True)
        ticket = self.full(ticket_id)
        if first is not None:
            self._check(ticket_id, first, ticket)
        self._keep(ticket_id, ticket, audits)
        return Read(ticket, audits, folded=False)

    def audits(self, ticket_id: int) -> list[dict[str, Any]]:
        """``GET /tickets/{id}/audits``, every page, as Zendesk answered them (turning the
        answer into zenpy objects and back cost more than the rest of a reconcile's read)."""
        return self.client.get_all(f"/tickets/{ticket_id}/audits", "audits")

    def full(self, ticket_id: int) -> dict[str, Any]:
        """``GET /tickets/{id}``, as Zendesk answered it (``via.source.from``, not zenpy's
        ``from_``: the same shape as the audits')."""
        answer = self.client.request_json("GET", f"/tickets/{ticket_id}")
        ticket: dict[str, Any] = answer["ticket"]
        return ticket

    def forget(self, ticket_id: int) -> None:
        """Read the ticket in full next time."""
        with self._lock:
            self._kept.pop(ticket_id, None)
            self._in_full[ticket_id] = None
            while len(self._in_full) > KEPT:
                self._in_full.popitem(last=False)

    def _checked_now(self) -> bool:
        """Whether this first read (the first of the process, then every
        ``check_every``-th) is also a full one."""
        with self._lock:
            if self.until_check > 0:
                self.until_check -= 1
                return False
            self.until_check = self.check_every - 1
            return True

    def _check(self, ticket_id: int, first: dict[str, Any], ticket: dict[str, Any]) -> None:
        """Compare a first read from the audits with the ticket; stop such reads if they
        differ (unless the ticket changed between the two requests)."""
        if first.get("updated_at") != ticket.get("updated_at"):
            return
        wrong = differences(first, ticket)
        if wrong:
            self.first_reads = False
            log.warning("zendesk: ticket %s built from its audits differs from the ticket in "
                        "%s; the first read of every ticket is now a full one (two requests)",
                        ticket_id, ", ".join(wrong), extra={"ticket": f"zendesk:{ticket_id}"})

    def _keep_folded(self, ticket_id: int, ticket: dict[str, Any],
                     audits: list[dict[str, Any]]) -> None:
        """Keep a ticket built from its audits for the next reads."""
        with self._lock:
            self._kept[ticket_id] = _Kept(ticket, audits[-1].get("id"))
            self._kept.move_to_end(ticket_id)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)

    def _keep(self, ticket_id: int, ticket: dict[str, Any],
              audits: list[dict[str, Any]]) -> None:
        """Keep the ticket if it is the ticket its audits end with, and they agree."""
        if not audits or audits[-1].get("created_at") != ticket.get("updated_at"):
            # Changed between the two requests, or by an update without an audit: the next
            # read is a full one again.
            self.forget(ticket_id)
            return
        with self._lock:
            self._kept.pop(ticket_id, None)
            self._in_full.pop(ticket_id, None)
        if not self.folding:
            return
        wrong = disagreements(audits, ticket, self.field_types)
        if wrong:
            self.folding = False
            log.warning("zendesk: the audits of ticket %s tell %s otherwise than the ticket "
                        "does; every ticket is now read with its audits and in full (two "
                        "requests a read)", ticket_id, ", ".join(wrong),
                        extra={"ticket": f"zendesk:{ticket_id}"})
            return
        self._keep_folded(ticket_id, ticket, audits)
