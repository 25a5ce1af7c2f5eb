"""The Zendesk platform the plugin registers: webhooks in, tickets fetched, actions applied."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sla_bridge.actions import (
    APPROVAL_REQUESTED_TAG,
    Action,
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.clock import Clock
from sla_bridge.platforms import (
    InboundEvent,
    VendorError,
    WebhookReply,
    WebhookRequest,
)
from sla_bridge.tickets import Ticket

from .client import PLATFORM, ZendeskClient, calling
from .inbound import BridgeIdentity, parse_body
from .lookups import Lookups
from .mapping import (
    BRIDGE_KEY,
    VENDOR_SEVERITY_KEY,
    Context,
    plan_fields,
    to_priority,
    to_ticket,
)
from .settings import ZendeskSettings
from .signature import SignatureVerifier

log = logging.getLogger("sla_bridge_zendesk")


class ZendeskPlatform:
    """Zendesk, as :class:`sla_bridge.platforms.Platform` describes a helpdesk."""

    name = PLATFORM

    def __init__(self, settings: ZendeskSettings, clock: Clock,
                 client: ZendeskClient | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.client = client or ZendeskClient(settings)
        self.lookups = Lookups(self.client, settings.lookup_ttl_seconds)
        self.bridge = BridgeIdentity(settings.email, settings.bridge_user_id)
        self._verifier = SignatureVerifier(
            settings.webhook_secret, clock, timedelta(seconds=settings.signature_tolerance_seconds))
        # Idempotency keys of one-off actions whose last attempt may have landed (a timeout
        # or a dropped connection): before trying again, look whether it did.
        self._uncertain: set[str] = set()
        self._uncertain_lock = threading.Lock()
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return (f"ZendeskPlatform(account={self.settings.account!r}, "
                f"base_url={self.settings.base_url!r}, email={self.settings.email!r})")

    # -- inbound -------------------------------------------------------------------

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """Verify the signature, then parse a trigger body or a ticket event."""
        signed_at = self._verifier.verify(request)
        return parse_body(request, signed_at, self.bridge)

    def acknowledge(self, events: Sequence[InboundEvent]) -> WebhookReply:
        """Zendesk only needs a 2xx; the body says how many events were stored."""
        return WebhookReply(body=json.dumps({"status": "accepted",
                                             "events": len(events)}).encode())

    # -- who the bridge is -----------------------------------------------------------

    def bridge_user_id(self) -> str:
        """The API user's id (``/users/me`` once, unless configured)."""
        if self.bridge.user_id is None:
            with calling("look up the API user"):
                self.bridge.learn(int(self.client.zenpy.users.me().id))
        assert self.bridge.user_id is not None
        return self.bridge.user_id

    # -- reading -------------------------------------------------------------------

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with its comments, mapped through the field mapping."""
        number = _number(ticket_id)
        what = f"fetch ticket {ticket_id}"
        with calling(what):
            zenpy = self.client.zenpy
            raw: dict[str, Any] = zenpy.tickets(id=number).to_dict()
            audits = [a.to_dict() for a in zenpy.tickets.audits(ticket=number)]
            ticket = to_ticket(raw, audits, self._context(raw, audits))
        if ticket.follow_up_of and ticket.customer_severity is None:
            # Zendesk's own follow-ups do not copy the priority: carry the original's severity.
            original = self.fetch_ticket(ticket.follow_up_of)
            ticket = ticket.model_copy(update={
                "customer_severity": original.vendor_severity or original.customer_severity})
        return ticket

    def _context(self, raw: dict[str, Any], audits: list[dict[str, Any]]) -> Context:
        fields = self.settings.fields.all()
        uses = " ".join(fields.values())
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
        if found is None and ref not in self._warned:
            self._warned.add(ref)
            log.warning("zendesk: no custom ticket field titled %r; its value is not read or "
                        "written (run `sla-bridge zendesk setup` or map it by id)", ref)
        return found

    def registered_admins(self, org_id: str) -> tuple[str, ...] | None:
        """Ids of the organization's registered admins (users with the admin tag), oldest
        first; ``None`` when the organization does not exist."""
        with calling(f"list the registered admins of organization {org_id}"):
            return self.lookups.registered_admins(_number(org_id),
                                                  self.settings.registered_admin_tag)

    # -- writing -------------------------------------------------------------------

    def apply(self, action: Action) -> str | None:
        """Apply one action; return the new ticket's id for a follow-up."""
        ticket_id = _number(action.ref.ticket_id)
        what = f"{action.kind.replace('_', ' ')} on ticket {ticket_id}"
        key = action.idempotency_key
        try:
            with calling(what):
                # Know who the bridge is before it writes, so that the webhooks its write
                # causes are recognised as its own (parsing them must not call Zendesk).
                self.bridge_user_id()
                return self._apply(ticket_id, action)
        except VendorError as exc:
            if exc.retryable and isinstance(action, AddComment | CreateFollowUp
                                            | RequestApproval):
                with self._uncertain_lock:
                    self._uncertain.add(key)
            raise

    def _apply(self, ticket_id: int, action: Action) -> str | None:
        meta = {BRIDGE_KEY: action.idempotency_key, "sla_bridge_kind": action.kind}
        if isinstance(action, AddComment):
            key = action.idempotency_key
            if self._maybe_landed(key) and self._note_exists(ticket_id, key):
                return None
            self._put(ticket_id, {"comment": {"body": action.body, "public": action.public},
                                  "metadata": meta})
        elif isinstance(action, SetFields):
            self._set_fields(ticket_id, action, meta)
        elif isinstance(action, ChangeTags):
            tickets = self.client.zenpy.tickets
            if action.add:
                tickets.add_tags(ticket_id, list(action.add))
            if action.remove:
                tickets.delete_tags(ticket_id, list(action.remove))
        elif isinstance(action, SetStatus):
            if action.status == "closed":
                current = self.client.zenpy.tickets(id=ticket_id)
                if current.status not in ("solved", "closed"):
                    self._put(ticket_id, {"status": "solved", "metadata": meta})
            self._put(ticket_id, {"status": str(action.status), "metadata": meta})
        elif isinstance(action, Assign):
            changes: dict[str, Any] = {"metadata": meta}
            if action.group is not None:
                group_id = self.lookups.group_id(action.group)
                if group_id is None:
                    raise VendorError(f"no Zendesk group named {action.group!r}",
                                      platform=PLATFORM, retryable=False, status=None)
                changes["group_id"] = group_id
            if action.assignee_id is not None:
                changes["assignee_id"] = _number(action.assignee_id)
            self._put(ticket_id, changes)
        elif isinstance(action, CreateFollowUp):
            return self._follow_up(ticket_id, action, meta)
        elif isinstance(action, RequestApproval):
            # Zendesk has no approvals an API can create: an internal note for the managers
            # and a tag their views can list; they answer with the escalation macros.
            key = action.idempotency_key
            if not (self._maybe_landed(key) and self._note_exists(ticket_id, key)):
                self._put(ticket_id, {"comment": {"body": f"[{action.group}] {action.summary}",
                                                  "public": False}, "metadata": meta})
            self.client.zenpy.tickets.add_tags(ticket_id, [APPROVAL_REQUESTED_TAG])
        return None

    def _put(self, ticket_id: int, changes: dict[str, Any]) -> None:
        from zenpy.lib.api_objects import Ticket as ZenpyTicket  # type: ignore[import-untyped,unused-ignore]

        self.client.zenpy.tickets.update(ZenpyTicket(id=ticket_id, **changes))

    def _set_fields(self, ticket_id: int, action: SetFields, meta: dict[str, Any]) -> None:
        current: dict[str, Any] = self.client.zenpy.tickets(id=ticket_id).to_dict()
        update = plan_fields(action.fields, current, self.settings, self.field_id)
        for reason in update.skipped:
            if reason not in self._warned:
                self._warned.add(reason)
                log.warning("zendesk: %s", reason, extra={"ticket": str(action.ref)})
        changes = update.ticket_changes
        if update.group is not None:
            group_id = self.lookups.group_id(update.group)
            if group_id is None:
                raise VendorError(f"no Zendesk group named {update.group!r}", platform=PLATFORM,
                                  retryable=False)
            if group_id != current.get("group_id"):
                changes["group_id"] = group_id
        if changes:
            self._put(ticket_id, {**changes, "metadata": {**meta, **update.metadata},
                                  "safe_update": True,
                                  "updated_stamp": current.get("updated_at")})
        tickets = self.client.zenpy.tickets
        if update.add_tags:
            tickets.add_tags(ticket_id, update.add_tags)
        if update.remove_tags:
            tickets.delete_tags(ticket_id, update.remove_tags)

    def _follow_up(self, source_id: int, action: CreateFollowUp,
                   meta: dict[str, Any]) -> str | None:
        from zenpy.lib.api_objects import Ticket as ZenpyTicket

        zenpy = self.client.zenpy
        key = action.idempotency_key
        if self._maybe_landed(key):
            existing = list(zenpy.tickets(external_id=key))
            if existing:
                return str(existing[0].id)
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

    def _in_priority(self, name: str) -> bool:
        sources = self.settings.fields.sources(name)
        writable = next((s for s in sources if s.writable), None)
        return writable is not None and writable.kind == "priority"

    def _maybe_landed(self, key: str) -> bool:
        with self._uncertain_lock:
            if key in self._uncertain:
                self._uncertain.discard(key)
                return True
        return False

    def _note_exists(self, ticket_id: int, key: str) -> bool:
        """Whether an audit of the ticket carries the action's idempotency key."""
        for audit in self.client.zenpy.tickets.audits(ticket=ticket_id):
            custom = (audit.to_dict().get("metadata") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get(BRIDGE_KEY) == key:
                return True
        return False


def _number(ticket_id: str) -> int:
    text = str(ticket_id).strip()
    if not text.isdigit():
        raise VendorError(f"{ticket_id!r} is not a Zendesk id", platform=PLATFORM,
                          retryable=False, status=404)
    return int(text)
