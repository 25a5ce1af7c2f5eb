"""The Zendesk platform the plugin registers: webhooks in, tickets fetched, actions applied.

What is not about Zendesk (checking signatures, recognising the bridge's own updates,
dispatching actions, the approval fallback, translating errors) is the kit's
:class:`~sla_bridge.platformkit.PlatformBase`; this module is the zenpy calls.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from zenpy.lib.exception import APIException  # type: ignore[import-untyped,unused-ignore]

from sla_bridge.actions import Action, CreateFollowUp, SetStatus
from sla_bridge.clock import Clock
from sla_bridge.platformkit import (
    BridgeIdentity,
    PlatformBase,
    WebhookVerifier,
    collect_changes,
)
from sla_bridge.platforms import InboundEvent, WebhookRequest
from sla_bridge.tickets import Status, Ticket

from .client import HttpError, ZendeskClient
from .inbound import parse_body, version_stamp
from .lookups import Lookups
from .mapping import (
    BRIDGE_KEY,
    VENDOR_SEVERITY_KEY,
    Context,
    plan_fields,
    to_priority,
    to_ticket,
)
from .reads import Read, TicketReads
from .resync import Resyncing
from .settings import PLATFORM, ZendeskSettings
from .signature import INVOCATION_HEADER, SCHEME
from .solving import blocked_note, empty_required_fields

log = logging.getLogger("sla_bridge_zendesk")
# How many tickets' last reads are kept for their writes.
READ_CACHE_SIZE = 256


class ZendeskPlatform(Resyncing, PlatformBase):
    """Zendesk, as :class:`sla_bridge.platforms.Platform` describes a helpdesk."""

    name = PLATFORM
    # "Status: closed prevents ticket update" (a merged ticket is closed too).
    closed_is_final = True
    # Logged by the server for a request refused before it is parsed.
    delivery_id_header = INVOCATION_HEADER
    # One ticket update takes a comment, fields, tags, status, group and assignee
    # (PUT /api/v2/tickets/{id}).
    batch_kinds = frozenset({"add_comment", "set_fields", "change_tags", "set_status",
                             "assign", "request_approval"})
    # Each update answers the ticket's updated_at; trigger bodies and ticket events carry it.
    echo_versions = True

    def __init__(self, settings: ZendeskSettings, clock: Clock,
                 client: ZendeskClient | None = None) -> None:
        self.settings = settings
        self.client = client or ZendeskClient(settings, clock)
        super().__init__(clock=clock, verifier=WebhookVerifier.for_settings(SCHEME, settings,
                                                                            clock),
                         errors=self.client.errors,
                         bridge=BridgeIdentity(settings.email, settings.bridge_user_id))
        # On the clock's own timer where it has one (a virtual clock in tests and the demo).
        self.lookups = Lookups(self.client, settings.lookup_ttl_seconds,
                               getattr(clock, "monotonic", time.monotonic))
        self._warned: set[str] = set()
        # The ticket as the reconcile read it, for its write (saves a GET per writing
        # reconcile; the write is a safe update, so a change since then is a 409, not lost).
        self.reads = TicketReads(self.client, self.lookups.ticket_field_types,
                                 self._has_organization, settings.first_read_check_every)
        self._read: OrderedDict[int, Read] = OrderedDict()
        self._read_lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"ZendeskPlatform(account={self.settings.account!r}, "
                f"base_url={self.settings.base_url!r}, email={self.settings.email!r})")

    # -- inbound -------------------------------------------------------------------

    def parse_events(self, request: WebhookRequest,
                     signed_at: datetime | None) -> Sequence[InboundEvent]:
        """A trigger body or a ticket event (parsing never calls Zendesk)."""
        return parse_body(request, signed_at, self.bridge)

    # -- who the bridge is -----------------------------------------------------------

    def bridge_user_id(self) -> str:
        """The API user's id (``/users/me`` once, unless configured)."""
        with self.errors.calling("look up the API user"):
            return self.bridge.ensure(lambda: self.client.zenpy.users.me().id)

    def before_write(self, action: Action) -> None:
        """Know who the bridge is before it writes, so that the webhooks its write causes are
        recognised as its own (parsing them must not call Zendesk)."""
        self.bridge_user_id()

    def ticket_url(self, ticket_id: str) -> str | None:
        """The ticket in Zendesk's agent interface: ``https://<subdomain>.zendesk.com/agent/
        tickets/<id>`` (with only BASE_URL set, a sandbox's, under that URL)."""
        site = self.settings.canonical_url if self.settings.subdomain else self.settings.base_url
        return self.site_link(site, "/agent/tickets/{id}", ticket_id)

    # -- reading -------------------------------------------------------------------

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with its comments, mapped through the field mapping: its audits alone
        (one request) once the ticket was read in full before (:mod:`.reads`)."""
        number = self._number(ticket_id)
        with self.errors.calling(f"fetch ticket {ticket_id}"):
            read = self.reads.read(number)
        raw, audits = read.ticket, read.audits
        with self._read_lock:
            self._read[number] = read
            while len(self._read) > READ_CACHE_SIZE:
                self._read.popitem(last=False)
        with self.errors.calling(f"fetch ticket {ticket_id}"):
            ticket = to_ticket(raw, audits, self._context(raw, audits))
        if ticket.follow_up_of and ticket.customer_severity is None:
            # Zendesk's own follow-ups do not copy the priority: carry the original's severity.
            original = self.fetch_ticket(ticket.follow_up_of)
            ticket = ticket.model_copy(update={
                "customer_severity": original.vendor_severity or original.customer_severity})
        return ticket

    def _has_organization(self, user_id: int) -> bool:
        """Whether the user belongs to an organization (or is not known): a ticket they
        request may then have one with no ``Create`` event for it (:mod:`.first_read`)."""
        user = self.lookups.user(user_id)
        return user is None or user.get("organization_id") is not None

    def _context(self, raw: dict[str, Any], audits: list[dict[str, Any]]) -> Context:
        uses = " ".join(self.settings.fields.all().values())
        org_id = raw.get("organization_id")
        organization = None
        if org_id is not None and "org:" in uses:
            organization = self.lookups.organization(int(org_id))
        authors = {e.get("author_id", a.get("author_id")) for a in audits
                   for e in a.get("events") or [] if e.get("type") == "Comment"}
        authors.add(raw.get("requester_id"))
        users = self.lookups.users(int(u) for u in authors if u is not None and int(u) > 0)
        requester = users.get(int(raw["requester_id"])) if raw.get("requester_id") else None
        admins = None
        if org_id is not None:
            admins = self.lookups.registered_admins(int(org_id),
                                                    self.settings.registered_admin_tag)
        group_id = raw.get("group_id")
        group = self.lookups.groups().get(int(group_id)) if group_id is not None else None
        return Context(settings=self.settings, bridge_user_id=self.bridge_user_id(),
                       field_id=self.field_id, organization=organization,
                       requester=requester, users=users,
                       group_name=lambda _gid: group, registered_admins=admins)

    def field_id(self, ref: str) -> int | None:
        """The id of a custom ticket field given by id or by title."""
        if ref.strip().isdigit():
            return int(ref)
        found = self.lookups.ticket_fields().get(ref.strip().lower())
        if found is None:
            self._warn_once(ref, f"no custom ticket field titled {ref!r}; its value is not read "
                            "or written (run `sla-bridge zendesk setup` or map it by id)")
        return found

    def registered_admins(self, org_id: str) -> tuple[str, ...] | None:
        """Ids of the organization's registered admins (users with the admin tag), oldest
        first; ``None`` when the organization does not exist."""
        with self.errors.calling(f"list the registered admins of organization {org_id}"):
            return self.lookups.registered_admins(self._number(org_id),
                                                  self.settings.registered_admin_tag)

    # -- writing (PlatformBase.apply dispatches here; most writes are one ticket update) --

    def write_batch(self, actions: Sequence[Action]) -> None:
        """One ``PUT /tickets/{id}``: the first comment, fields, tags, status, group and
        assignee, as a safe update (a concurrent change answers 409 and the batch is tried
        again on the ticket as it then is: at once when the read was folded from the audits,
        whose stamp a change without an audit outdates; else by the bridge's retry). A second
        comment needs an update of its own.

        A new group keeps the assignee only if they are one of its members (Zendesk refuses
        the update otherwise): else the ticket goes to the group unassigned.

        Closing goes in the same update as the rest, the closing notice included, so the
        customer is told "closed" only by the update that closes it. Zendesk closes only
        solved tickets: one that is not solved yet is solved first, in an update of its own
        (with its new assignee: a ticket without one cannot be solved).
        """
        ticket_id = self._number(actions[0].ref.ticket_id)
        with self._read_lock:
            read = self._read.pop(ticket_id, None)  # once: a retry reads afresh
        if read is None:
            self._write_on(ticket_id, self.reads.full(ticket_id), actions)
            return
        try:
            self._write_on(ticket_id, read.ticket, actions)
        except (APIException, HttpError) as exc:
            if not (read.folded and _status(exc) == 409):
                raise
            # The ticket's updated_at is not its last audit's time: it changed since the
            # read, or without an audit. Write again on the ticket as Zendesk has it.
            self.reads.forget(ticket_id)
            log.info("zendesk: ticket %s changed since its audits were read (409 on the safe "
                     "update); writing again on the ticket as Zendesk shows it", ticket_id,
                     extra={"ticket": str(actions[0].ref)})
            self._write_on(ticket_id, self.reads.full(ticket_id), actions)

    def _write_on(self, ticket_id: int, current: dict[str, Any],
                  actions: Sequence[Action]) -> None:
        """One attempt of :meth:`write_batch` on the ticket as ``current`` shows it."""
        changes = collect_changes(actions)
        update = plan_fields(changes.fields, current, self.settings, self.field_id)
        if changes.status == Status.CLOSED and current.get("status") not in ("solved",
                                                                             "closed"):
            current = self._solve_before_closing(ticket_id, changes.assignee_id, current,
                                                 update.ticket_changes, actions)
        comments = [c for c in changes.comments
                    if not (self.may_have_landed(c.action)
                            and self._note_exists(ticket_id, c.action.idempotency_key))]
        for reason in update.skipped:
            self._warn_once(reason, reason, ticket=str(actions[0].ref))
        payload: dict[str, Any] = dict(update.ticket_changes)
        changes.tags.update(dict.fromkeys(update.add_tags, True))
        changes.tags.update(dict.fromkeys(update.remove_tags, False))
        tags = changes.tags_after(current.get("tags") or [])
        if sorted(tags) != sorted(current.get("tags") or []):
            payload["tags"] = tags
        payload.update(self._assignment(changes.group or update.group, changes.assignee_id,
                                        current))
        if changes.status is not None and changes.status != current.get("status"):
            payload["status"] = str(changes.status)
        if payload.get("status") == "solved" and current.get("status") != "solved":
            self._refuse_unsolvable(ticket_id, current, payload, actions)
        first = comments[0] if comments else None
        if first is not None:
            payload["comment"] = {"body": first.body, "public": first.public}
        if payload:
            lead = first.action if first is not None else actions[0]
            self._put(ticket_id, {**payload, "safe_update": True,
                                  "updated_stamp": current.get("updated_at"),
                                  "metadata": {**_metadata(lead), **update.metadata,
                                               BATCH_KEYS: changes.keys}})
        for later in comments[1:]:
            self._put(ticket_id, {"comment": {"body": later.body, "public": later.public},
                                  "metadata": _metadata(later.action)})

    def _assignment(self, group: str | None, assignee: str | None,
                    current: dict[str, Any]) -> dict[str, Any]:
        """``group_id`` and ``assignee_id`` changes: a group by name, its assignee a member."""
        changes: dict[str, Any] = {}
        if assignee is not None:
            changes["assignee_id"] = self._number(assignee)
        if group is None:
            return changes
        group_id = self._group_id(group)
        if group_id != current.get("group_id"):
            changes["group_id"] = group_id
        holder = changes.get("assignee_id", current.get("assignee_id"))
        if holder is not None and not self.lookups.is_member(int(holder), group_id):
            changes["assignee_id"] = None
        return changes

    def _solve_before_closing(self, ticket_id: int, assignee: str | None,
                              current: dict[str, Any], planned: dict[str, Any],
                              actions: Sequence[Action]) -> dict[str, Any]:
        """Solve a ticket the batch closes (a safe update) with the batch's field changes
        (``planned``: a field required on solve may be among them); return it as it then
        is."""
        closing = next(a for a in actions if isinstance(a, SetStatus))
        solve: dict[str, Any] = {**planned, "status": "solved"}
        if assignee is not None:
            solve["assignee_id"] = self._number(assignee)
        self._refuse_unsolvable(ticket_id, current, solve, actions)
        self._put(ticket_id, {**solve, "safe_update": True,
                              "updated_stamp": current.get("updated_at"),
                              "metadata": _metadata(closing)})
        return self.reads.full(ticket_id)

    def _refuse_unsolvable(self, ticket_id: int, current: dict[str, Any],
                           payload: dict[str, Any], actions: Sequence[Action]) -> None:
        """Refuse (not retryably) a solve Zendesk would refuse for an empty required field,
        after telling the agents in one internal note which fields (:mod:`.solving`)."""
        blocking = empty_required_fields(self.lookups.required_on_solve(), current, payload)
        if not blocking:
            return
        solving = next(a for a in actions if isinstance(a, SetStatus))
        key = f"{solving.idempotency_key}:unsolvable"
        if not self._note_exists(ticket_id, key):
            self._put(ticket_id, {"comment": {"body": blocked_note(solving, blocking),
                                              "public": False},
                                  "metadata": {BRIDGE_KEY: key, "sla_bridge_kind": "add_comment"}})
        raise self.errors.refused(
            f"ticket {ticket_id} was not solved: Zendesk solves a ticket only with a value in "
            f"{', '.join(repr(name) for name in blocking)}; an internal note asks the agents "
            "to fill it in")

    def create_follow_up(self, action: CreateFollowUp) -> str | None:
        """``POST /tickets`` with ``via_followup_source_id`` and ``external_id`` = the key,
        unless a ticket with that external id exists already.

        Looked up before every creation (``GET /tickets?external_id=``, one request), not
        only after a failed attempt in this process: a process that died between Zendesk's
        answer and the ledger entry left no trace of the follow-up but its external id, and
        the bridge is asked to create it only while the ledger has no entry for it.
        """
        from zenpy.lib.api_objects import Ticket as ZenpyTicket  # type: ignore[import-untyped,unused-ignore]

        zenpy = self.client.zenpy
        source_id = self._number(action.ref.ticket_id)
        key, meta = action.idempotency_key, _metadata(action)
        self.may_have_landed(action)  # the look-up below answers that, in any process
        existing = sorted(int(t.id) for t in zenpy.tickets(external_id=key))
        if existing:
            return str(existing[0])
        source: dict[str, Any] = zenpy.tickets(id=source_id).to_dict()
        carry = {k: v for k, v in action.carry.items() if v is not None}
        # A new ticket is created with the customer's severity as its priority; a vendor
        # severity kept in the priority is set afterwards, as a change, so that both read
        # back as they were on the original ticket.
        severities = {name: carry.pop(name) for name in ("customer_severity", "vendor_severity")
                      if name in carry and self._in_priority(name)}
        carried = plan_fields(carry, {"tags": [], "custom_fields": []}, self.settings,
                              self.field_id)
        priority = to_priority(severities.get("customer_severity"), self.settings) or (
            source.get("priority"))
        payload: dict[str, Any] = {
            "subject": action.subject,
            "comment": {"body": action.body, "public": True},
            "requester_id": source.get("requester_id"),
            "via_followup_source_id": source_id,
            "external_id": key,
            "metadata": meta,
            "tags": sorted(set(carried.add_tags)),
            "priority": priority,
            "custom_fields": carried.custom_fields or None,
        }
        for name in ("organization_id", "group_id", "brand_id", "ticket_form_id"):
            payload[name] = source.get(name)
        created = zenpy.tickets.create(ZenpyTicket(**{k: v for k, v in payload.items()
                                                      if v is not None}))
        new_id = int(created.ticket.id)
        vendor = severities.get("vendor_severity")
        vendor_priority = to_priority(vendor, self.settings) if vendor is not None else None
        if vendor_priority is not None and vendor_priority != priority:
            self._put(new_id, {"priority": vendor_priority, "metadata": {
                **meta, VENDOR_SEVERITY_KEY: str(vendor)}})
        return str(new_id)

    # -- Zendesk helpers -------------------------------------------------------------

    def _put(self, ticket_id: int, changes: dict[str, Any]) -> None:
        # The JSON zenpy would send (``None`` is null), without its objects: building them
        # and parsing the answer back into them cost a fifth of a reconcile's CPU.
        answer = self.client.request_json("PUT", f"/tickets/{ticket_id}",
                                          json_body={"ticket": {"id": ticket_id, **changes}})
        self.note_version(str(ticket_id), _written_stamp(answer))

    def _number(self, value: str) -> int:
        text = str(value).strip()
        if not text.isdigit():
            raise self.errors.not_found(f"{value!r} is not a Zendesk id")
        return int(text)

    def _group_id(self, name: str) -> int:
        group_id = self.lookups.group_id(name)
        if group_id is None:
            raise self.errors.refused(f"no Zendesk group named {name!r}")
        return group_id

    def _warn_once(self, key: str, message: str, **extra: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("zendesk: %s", message, extra=extra)

    def _in_priority(self, name: str) -> bool:
        sources = self.settings.fields.sources(name)
        writable = next((s for s in sources if s.writable), None)
        return writable is not None and writable.kind == "priority"

    def _note_exists(self, ticket_id: int, key: str) -> bool:
        """Whether an audit of the ticket carries the action's idempotency key."""
        for audit in self.client.zenpy.tickets.audits(ticket=ticket_id):
            custom = (audit.to_dict().get("metadata") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get(BRIDGE_KEY) == key:
                return True
        return False


# The audit metadata of a batched update: the keys of every action it wrote.
BATCH_KEYS = "sla_bridge_keys"


def _status(exc: APIException | HttpError) -> int | None:
    """The HTTP status of a refused call."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status if isinstance(status, int) else None


def _written_stamp(answer: Any) -> str | None:
    """The version stamp of the ticket an update answered (its ``updated_at``, as
    :func:`~.inbound.version_stamp` reads the webhooks'); ``None`` when a business rule
    (a trigger) changed the ticket in the same update: that change is not the bridge's, and
    its echo is reconciled in full."""
    answer = answer if isinstance(answer, dict) else {}
    events = (answer.get("audit") or {}).get("events") or []
    if any(e.get("type") in ("Change", "Create")
           and ((e.get("via") or {}).get("channel") == "rule") for e in events
           if isinstance(e, dict)):
        return None
    return version_stamp((answer.get("ticket") or {}).get("updated_at"))


def _metadata(action: Action) -> dict[str, Any]:
    """The audit metadata of the bridge's writes: the action's key and kind."""
    return {BRIDGE_KEY: action.idempotency_key, "sla_bridge_kind": action.kind}
