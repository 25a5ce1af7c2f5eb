"""The Salesforce Service Cloud platform the plugin registers.

What is not about Salesforce (dispatching actions, the approval fallback, translating errors,
recognising echoes) is the kit's :class:`~sla_bridge.platformkit.PlatformBase`. This module
reads cases (one SOQL query, :mod:`.mapping`; the queues and each Account's registered admins
are look-ups cached for ``LOOKUP_TTL_SECONDS``) and writes with simple-salesforce
(:mod:`.client`): one ``PATCH`` for a reconcile's fields, tags, status and owner
(:mod:`.edits`), CaseComments, follow-up cases by upsert (:mod:`.followups`), approvals
(:mod:`.approvals`) and, when enabled, the first-response milestone (:mod:`.milestones`).

Salesforce accepts updates to closed cases, but the bridge treats a closed case as final
(``closed_is_final``): a customer's reply to it opens a follow-up case instead, as the policies
say, and the worker writes nothing else to it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from simple_salesforce.exceptions import SalesforceMalformedRequest
from simple_salesforce.format import format_soql

from sla_bridge import actions
from sla_bridge.actions import Action
from sla_bridge.clock import Clock
from sla_bridge.platformkit import (
    BridgeIdentity,
    PlatformBase,
    SharedSecretHeader,
    TTLCache,
    WebhookVerifier,
    approval_note,
)
from sla_bridge.platforms import InboundEvent, WebhookReply, WebhookRequest
from sla_bridge.tickets import Ticket

from . import approvals, followups, milestones
from .client import SalesforceClient, exception_codes
from .edits import UnmappedValue, case_update, tag_values
from .inbound import FLOW_HEADER, is_flow, parse_flow, parse_outbound
from .mapping import QUEUE_PREFIX, Context, admins_query, case_query, tags, to_ticket
from .outbound import ACK, ACK_MEDIA_TYPE
from .settings import PLATFORM, SalesforceSettings

log = logging.getLogger("sla_bridge_salesforce")
_CASE_ID = re.compile(r"^500[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$")
# CaseComment.CommentBody holds at most 4,000 bytes.
COMMENT_BYTES = 4000
NO_AUTO_ASSIGN = {"Sforce-Auto-Assign": "FALSE"}
QUEUES = "SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Queue'"


class SalesforcePlatform(PlatformBase):
    """Salesforce Service Cloud, as :class:`sla_bridge.platforms.Platform` describes a helpdesk."""

    name = PLATFORM
    closed_is_final = True
    # One PATCH /sobjects/Case/{id} takes the fields, the tags field, the status and the owner.
    batch_kinds = frozenset({"set_fields", "change_tags", "set_status", "assign"})

    def __init__(self, settings: SalesforceSettings, clock: Clock,
                 client: SalesforceClient | None = None) -> None:
        self.settings = settings
        self.client = client or SalesforceClient(settings, clock)
        super().__init__(
            clock=clock,
            verifier=WebhookVerifier(
                SharedSecretHeader(FLOW_HEADER), settings.flow_secret, clock,
                settings.signature_tolerance, secret_variable=settings.variable("flow_secret"),
                platform_label=f"{settings.platform_label} Flow"),
            errors=self.client.errors,
            bridge=BridgeIdentity(settings.username, settings.bridge_user_id))
        self.cache = TTLCache(settings.lookup_ttl_seconds,
                              getattr(clock, "monotonic", time.monotonic))
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return (f"SalesforcePlatform(instance_url={self.settings.instance_url!r}, "
                f"organization_id={self.settings.organization_id!r})")

    def close(self) -> None:
        """Close the connections to Salesforce."""
        self.client.close()

    # -- inbound -------------------------------------------------------------------

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """A Flow callout (``X-Sla-Bridge-Secret``, JSON) or an Outbound Message (SOAP,
        checked by org id and the optional endpoint secret)."""
        if is_flow(request):
            return self.parse_events(request, self.verifier.verify(request))
        return parse_outbound(request, self.settings, self.bridge)

    def parse_events(self, request: WebhookRequest,
                     signed_at: datetime | None) -> Sequence[InboundEvent]:
        """A verified Flow callout's event."""
        return parse_flow(request, self.settings, self.bridge)

    def acknowledge(self, events: Sequence[InboundEvent]) -> WebhookReply:
        """The ``notificationsResponse`` with ``Ack`` true for an Outbound Message (sent only
        after its events are stored); the kit's JSON reply for a Flow callout."""
        if events and all(e.payload.get("source") == "flow" for e in events):
            return super().acknowledge(events)
        return WebhookReply(body=ACK, media_type=ACK_MEDIA_TYPE)

    # -- who the bridge is ---------------------------------------------------------

    def bridge_user_id(self) -> str:
        """The integration user's id (``/services/oauth2/userinfo`` once, unless configured)."""
        with self.errors.calling("look up the integration user"):
            return self.bridge.ensure(self.client.user_id)

    def before_write(self, action: Action) -> None:
        """Know who the bridge is before it writes, so that the Outbound Messages its write
        causes are recognised as its own (parsing them never calls Salesforce)."""
        self.bridge_user_id()

    # -- reading -------------------------------------------------------------------

    def case_id(self, ticket_id: str) -> str:
        """``ticket_id`` if it is a Case id; a 404 :class:`VendorError` otherwise."""
        if not _CASE_ID.match(ticket_id):
            raise self.errors.not_found(f"{ticket_id[:40]!r} is not a Salesforce Case id "
                                        "(500 followed by 12 or 15 letters and digits)")
        return ticket_id

    def read_case(self, case_id: str) -> dict[str, Any]:
        """The case with its comments, e-mails and latest approval (one query)."""
        found = self.client.query(case_query(self.settings, case_id))
        if not found:
            raise self.errors.not_found(f"case {case_id}: no such Case (deleted, or not "
                                        "visible to the integration user)")
        return found[0]

    def queue_records(self, *, reload: bool = False) -> list[dict[str, Any]]:
        """Every queue's ``Id``, ``Name`` (its label) and ``DeveloperName`` (cached; with
        ``reload``, read again, e.g. for a queue made since)."""
        if reload:
            self.cache.put("queues", self.client.query(QUEUES))
        found: list[dict[str, Any]] = self.cache.get(
            "queues", lambda: self.client.query(QUEUES))
        return found

    def queues(self, *, reload: bool = False) -> dict[str, str]:
        """Queue id (15 characters) -> its label (``Name``), the neutral group: policies
        name groups by label ("Senior Customer Champions"), which an API name cannot spell."""
        return {str(q["Id"])[:15]: str(q.get("Name") or q.get("DeveloperName"))
                for q in self.queue_records(reload=reload)}

    def registered_admins(self, account_id: str) -> tuple[str, ...] | None:
        """Contact ids of the Account's registered admins, oldest first (cached for
        ``LOOKUP_TTL_SECONDS``); ``None`` when the bridge cannot know them:
        ``REGISTERED_ADMIN_FIELD`` is empty, or the org has no such Contact field (warned
        once: the cases are still read, the bridge skips the admin check)."""
        soql = admins_query(self.settings, account_id)
        if soql is None:
            return None

        def load() -> tuple[str, ...] | None:
            try:
                found = self.client.query(soql)
            except SalesforceMalformedRequest as exc:
                if "INVALID_FIELD" not in exception_codes(exc):
                    raise
                self._warn_once("admin field", (
                    f"Contact.{self.settings.registered_admin_field} does not exist or is not "
                    "visible to the integration user, so the Accounts' registered admins are "
                    "unknown and the admin check is skipped: create the checkbox (the package "
                    "`sla-bridge salesforce setup` writes) and grant access to it, or set "
                    f"{self.settings.variable('registered_admin_field')} to another Contact "
                    "checkbox (empty: do not read registered admins)"))
                return None
            return tuple(str(contact["Id"]) for contact in found)

        admins: tuple[str, ...] | None = self.cache.get(("admins", account_id[:15]), load)
        return admins

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)

    def queue_id(self, name: str) -> str:
        """The id of the queue labelled ``name`` (else with that API name), ignoring case; a
        refusal naming it if none."""
        wanted = name.strip().casefold()
        for reload in (False, True):  # the second time for a queue made since
            queues = self.queue_records(reload=reload)
            for key in ("Name", "DeveloperName"):
                for queue in queues:
                    if str(queue.get(key) or "").casefold() == wanted:
                        return str(queue["Id"])
        raise self.errors.refused(f"no queue named {name!r} (Setup -> Queues: its API name or "
                                  "label); create it or change the policy's group")

    def ticket_url(self, ticket_id: str) -> str | None:
        """The Case's record page in Lightning Experience:
        ``<instance>/lightning/r/Case/<Id>/view`` (My Domain sends it on to the org's
        lightning.force.com domain); ``None`` for an id that is not a Case's."""
        if not _CASE_ID.match(ticket_id):
            return None
        return self.site_link(self.settings.instance_url, "/lightning/r/Case/{id}/view",
                              ticket_id)

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The case as a neutral ticket, mapped through the field and status settings."""
        case_id = self.case_id(ticket_id)
        with self.errors.calling(f"fetch case {case_id}"):
            record = self.read_case(case_id)
            account_id = record.get("AccountId")
            owner = str(record.get("OwnerId") or "")[:15]
            queues = self.queues()
            if owner.startswith(QUEUE_PREFIX) and owner not in queues:
                queues = self.queues(reload=True)  # a queue made since
            ctx = Context(self.settings, self.bridge.ensure(self.client.user_id),
                          queues, registered_admins=self.registered_admins(
                              str(account_id)) if account_id else None)
            ticket = to_ticket(record, ctx)
            if self.settings.complete_milestones:
                milestones.complete_first_response(self, ticket)
        return ticket

    # -- writing -------------------------------------------------------------------

    def write_batch(self, batch: Sequence[Action]) -> None:
        """One ``PATCH`` of the case with the batch's fields, tags, status and owner."""
        case_id = self.case_id(batch[0].ref.ticket_id)
        try:
            values = case_update(batch, self.settings, self.queue_id,
                                 lambda: self.current_tags(case_id))
        except UnmappedValue as exc:
            raise self.errors.refused(f"update case {case_id}: {exc}") from None
        if values:
            self.client.update("Case", case_id, values, headers=NO_AUTO_ASSIGN)

    def current_tags(self, case_id: str) -> frozenset[str]:
        """The case's tags as the bridge keeps them (the tags field and the approval flag)."""
        names = [f for f in (self.settings.tags_field, self.settings.approval_flag_field) if f]
        if not names:
            return frozenset()
        soql = format_soql(f"SELECT Id, {', '.join(names)} FROM Case WHERE Id = {{}}", case_id)
        found = self.client.query(soql)
        return tags(found[0], self.settings) if found else frozenset()

    def add_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Add tags to the case's tags field (and set the approval flag for its tag)."""
        self._change_tags(action, dict.fromkeys(tags, True))

    def remove_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Remove tags from the case's tags field (clearing the approval flag for its tag)."""
        self._change_tags(action, dict.fromkeys(tags, False))

    def _change_tags(self, action: Action, change: dict[str, bool]) -> None:
        case_id = self.case_id(action.ref.ticket_id)
        values = tag_values(change, self.current_tags(case_id), self.settings)
        if values:
            self.client.update("Case", case_id, values, headers=NO_AUTO_ASSIGN)

    def post_comment(self, action: Action, body: str, public: bool) -> None:
        """A CaseComment (``IsPublished`` for a public one), unless an earlier attempt that
        may have landed did: then the case's comments by the bridge are read back first
        (CaseComment has no field for the bridge's key; the ledger is the record)."""
        case_id = self.case_id(action.ref.ticket_id)
        text = fit_comment(body)
        if self.may_have_landed(action) and self.has_comment(case_id, text):
            return
        self.client.create("CaseComment", {"ParentId": case_id, "CommentBody": text,
                                           "IsPublished": public})

    def has_comment(self, case_id: str, body: str) -> bool:
        """Whether the bridge's user has commented ``body`` on the case already."""
        soql = format_soql("SELECT Id, CommentBody FROM CaseComment WHERE ParentId = {} AND "
                           "CreatedById = {}", case_id, self.bridge_user_id())
        return any(str(c.get("CommentBody") or "").strip() == body.strip()
                   for c in self.client.query(soql))

    def set_fields(self, action: actions.SetFields) -> str | None:
        """Batched (see :meth:`write_batch`)."""
        self.write_batch([action])
        return None

    def set_status(self, action: actions.SetStatus) -> str | None:
        """Batched (see :meth:`write_batch`)."""
        self.write_batch([action])
        return None

    def assign(self, action: actions.Assign) -> str | None:
        """Batched (see :meth:`write_batch`)."""
        self.write_batch([action])
        return None

    def create_follow_up(self, action: actions.CreateFollowUp) -> str | None:
        """A new case with ``ParentId``, upserted on the follow-up key field."""
        return followups.create(self, action)

    def request_approval(self, action: actions.RequestApproval) -> str | None:
        """Submit to the approval process when one is configured; else the kit's fallback (an
        internal comment and the approval flag)."""
        if self.settings.approval_process:
            return approvals.submit(self, action)
        self.post_comment(action, approval_note(action, self.how_to_decide()), False)
        self.add_tags(action, (actions.APPROVAL_REQUESTED_TAG,))
        return None

    def how_to_decide(self) -> str | None:
        """How a manager answers the fallback's note on Salesforce: in the decision field
        (``None``, the tag sentence, when the decision is not kept in a Case field)."""
        def case_field(name: str) -> str | None:
            source = next((s for s in self.settings.fields.sources(name) if s.writable), None)
            return source.field if source is not None and source.kind == "case" else None

        decision, reason = case_field("escalation_decision"), case_field(
            "escalation_decision_reason")
        if decision is None:
            return None
        why = f" (the reason in {reason}, which the customer is told)" if reason else ""
        return f"Decide in the case field {decision}: approved or declined{why}."


def fit_comment(body: str) -> str:
    """``body`` cut to the 4,000 bytes a CaseComment holds (on a character boundary)."""
    encoded = body.encode()
    if len(encoded) <= COMMENT_BYTES:
        return body
    marker = "\n[...]"
    cut = encoded[:COMMENT_BYTES - len(marker.encode())].decode(errors="ignore")
    return cut + marker
