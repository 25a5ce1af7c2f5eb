"""The Jira Service Management platform the plugin registers.

What is not about Jira (checking signatures, recognising the bridge's own updates,
dispatching actions, the approval fallback, translating errors) is the kit's
:class:`~sla_bridge.platformkit.PlatformBase`; this module reads requests and writes
comments, fields, labels, statuses and assignees with the ``jira`` client. Follow-ups and
approvals are :mod:`.followups` and :mod:`.approvals`.

"Closed" is the status map's word, not an HTTP error (JSM accepts updates to closed issues):
the platform declares ``closed_is_final``, so the worker writes nothing to a request whose
status maps to closed and opens a follow-up instead, and every write first checks the status
(a request closed since the reconcile read it refuses the write as
:class:`~sla_bridge.platforms.TicketClosed`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sla_bridge import actions
from sla_bridge.actions import Action
from sla_bridge.clock import Clock
from sla_bridge.platformkit import (
    BridgeIdentity,
    PlatformBase,
    WebhookVerifier,
    collect_changes,
)
from sla_bridge.platforms import InboundEvent, TicketClosed, WebhookRequest
from sla_bridge.tickets import Status, Ticket

from . import approvals, followups
from .client import JiraClient
from .edits import IssueEdit, plan_edit
from .inbound import parse_admin_webhook, parse_automation
from .lookups import Lookups
from .mapping import (
    BRIDGE_PROPERTY,
    ORGANIZATIONS_FIELD,
    PUBLIC_PROPERTY,
    Context,
    bridge_key,
    neutral_status,
    to_ticket,
)
from .settings import PLATFORM, JiraSettings
from .signature import AUTOMATION_HEADER, AUTOMATION_SCHEME, IDENTIFIER_HEADER, SCHEME

log = logging.getLogger("sla_bridge_jira")
_ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")


class JiraPlatform(PlatformBase):
    """Jira Service Management, as :class:`sla_bridge.platforms.Platform` describes a helpdesk."""

    name = PLATFORM
    closed_is_final = True
    # Logged by the server for a request refused before it is parsed.
    delivery_id_header = IDENTIFIER_HEADER
    # One PUT /rest/api/2/issue/{key} takes the fields and the label operations.
    batch_kinds = frozenset({"set_fields", "change_tags"})

    def __init__(self, settings: JiraSettings, clock: Clock,
                 client: JiraClient | None = None) -> None:
        self.settings = settings
        self.client = client or JiraClient(settings, clock)
        super().__init__(clock=clock, verifier=WebhookVerifier.for_settings(SCHEME, settings,
                                                                            clock),
                         errors=self.client.errors,
                         bridge=BridgeIdentity(settings.email, settings.bridge_account_id))
        self.automation = WebhookVerifier(
            AUTOMATION_SCHEME, settings.automation_secret, clock, settings.signature_tolerance,
            secret_variable=settings.variable("automation_secret"),
            platform_label=f"{settings.platform_label} automation")
        self.monotonic: Callable[[], float] = getattr(clock, "monotonic", time.monotonic)
        self.lookups = Lookups(self.client, settings.lookup_ttl_seconds, self.monotonic)
        # When (self.monotonic) this process last tried to raise each follow-up.
        self.follow_up_attempts: dict[str, float] = {}
        self._warned: set[str] = set()

    def __repr__(self) -> str:
        return f"JiraPlatform(base_url={self.settings.base_url!r}, email={self.settings.email!r})"

    # -- inbound -------------------------------------------------------------------

    def parse_webhook(self, request: WebhookRequest) -> Sequence[InboundEvent]:
        """An admin webhook (``X-Hub-Signature``) or an automation request (the shared secret
        in ``X-Sla-Bridge-Secret``); anything else is refused (401)."""
        if request.header(AUTOMATION_HEADER) and not request.header(SCHEME.signature_header):
            self.automation.verify(request)
            return parse_automation(request, self.settings, self.bridge)
        return self.parse_events(request, self.verifier.verify(request))

    def parse_events(self, request: WebhookRequest,
                     signed_at: datetime | None) -> Sequence[InboundEvent]:
        """A verified admin webhook's events (parsing never calls Jira)."""
        return parse_admin_webhook(request, self.settings, self.bridge, self.clock.now())

    # -- who the bridge is -----------------------------------------------------------

    def bridge_account_id(self) -> str:
        """The bridge account's accountId (``/rest/api/2/myself`` once, unless configured)."""
        with self.errors.calling("look up the bridge's account"):
            return self.bridge.ensure(lambda: self.client.jira.myself()["accountId"])

    def before_write(self, action: Action) -> None:
        """Know who the bridge is before it writes, so that the webhooks its write causes are
        recognised as its own (parsing them must not call Jira)."""
        self.bridge_account_id()

    def ticket_url(self, ticket_id: str) -> str | None:
        """The request as agents see it: ``<site>/browse/<KEY>`` opens the issue view of a
        service project (the customer portal's page is the customers')."""
        return self.site_link(self.settings.base_url, "/browse/{id}", ticket_id)

    # -- reading -------------------------------------------------------------------

    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The request with its comments, mapped through the field and status maps."""
        key = self.issue_key(ticket_id)
        with self.errors.calling(f"fetch request {key}"):
            issue = self.read_issue(key, expand="changelog")
            comments = list(self.client.comments(key))
            context = self._context(key, issue)
            return to_ticket(issue, comments, context)

    def read_issue(self, key: str, fields: str | None = None,
                   expand: str | None = None) -> dict[str, Any]:
        """``GET /rest/api/2/issue/{key}`` with the bridge's issue property (and, expanded, the
        whole changelog), as JSON."""
        params = {"properties": BRIDGE_PROPERTY}
        if fields:
            params["fields"] = fields
        if expand:
            params["expand"] = expand
        issue: dict[str, Any] = self.client.jira._get_json(f"issue/{key}", params=params)
        changelog = issue.get("changelog")
        if isinstance(changelog, dict) and int(changelog.get("total") or 0) > len(
                changelog.get("histories") or []):
            # expand=changelog holds only the most recent entries; the priority a request
            # was raised with is in its oldest.
            changelog["histories"] = list(self.client.changelog(key))
        return issue

    def _context(self, key: str, issue: dict[str, Any]) -> Context:
        settings, lookups = self.settings, self.lookups
        context = Context(settings=settings, bridge_account_id=self.bridge_account_id(),
                          field_named=lookups.field, field_of_type=lookups.field_of_type)
        org_field = lookups.field_of_type(ORGANIZATIONS_FIELD)
        orgs = (issue.get("fields") or {}).get(org_field.id) if org_field else None
        if isinstance(orgs, list) and orgs and isinstance(orgs[0], dict) and orgs[0].get("id"):
            wanted = {s.arg for name in settings.fields.all()
                      for s in settings.fields.sources(name) if s.kind == "org"}
            wanted.add(settings.registered_admin_property)
            context.organization = lookups.organization(str(orgs[0]["id"]), sorted(wanted))
            context.organization_members = frozenset().union(*(
                lookups.members(str(o["id"])) for o in orgs if isinstance(o, dict) and o.get("id")))
            admins = context.organization.get(settings.registered_admin_property)
            if isinstance(admins, list):
                context.registered_admins = tuple(str(a) for a in admins)
        if settings.approval_status:
            context.approvals = list(self.client.service_desk_pages(
                f"/rest/servicedeskapi/request/{key}/approval"))
        return context

    # -- writing (PlatformBase.apply dispatches here) ------------------------------------

    def write_batch(self, actions: Sequence[Action]) -> None:
        """One ``PUT /rest/api/2/issue/{key}``: the fields and the label operations."""
        key = self.issue_key(actions[0].ref.ticket_id)
        issue = self.open_issue(key, expand="changelog")
        changes = collect_changes(actions)
        edit = plan_edit(changes.fields, issue, self.settings, self.lookups.field)
        for tag, added in changes.tags.items():
            edit.label(tag, added)
        self.write_edit(key, issue, edit)

    def write_edit(self, key: str, issue: dict[str, Any], edit: IssueEdit) -> None:
        """Send an edit (nothing when it changes nothing) and the bridge's issue property."""
        for reason in edit.skipped:
            self.warn_once(reason, f"{key}: {reason}")
        body = edit.body(list((issue.get("fields") or {}).get("labels") or []))
        if body:
            self.client.send("PUT", f"/rest/api/2/issue/{key}", body)
        recorded = (issue.get("properties") or {}).get(BRIDGE_PROPERTY)
        before = recorded.get("written") if isinstance(recorded, dict) else None
        before = before if isinstance(before, dict) else {}
        changes = dict(edit.bridge_property or {})
        if any(before.get(k) != v for k, v in edit.written.items()):
            changes["written"] = {**before, **edit.written}
        if changes:
            self.record(key, issue, changes)

    def record(self, key: str, issue: dict[str, Any], values: dict[str, Any]) -> None:
        """Merge ``values`` into the bridge's issue property of ``key``."""
        current = (issue.get("properties") or {}).get(BRIDGE_PROPERTY)
        merged = {**(current if isinstance(current, dict) else {}), **values}
        self.client.jira.add_issue_property(key, BRIDGE_PROPERTY, merged)

    def post_comment(self, action: Action, body: str, public: bool) -> None:
        """``POST /rest/api/2/issue/{key}/comment`` carrying the action's key as a comment
        property; internal unless ``public`` (a platform-API comment is public by default,
        which e-mails the customer)."""
        key = self.issue_key(action.ref.ticket_id)
        self.open_issue(key, fields="status")
        idempotency = action.idempotency_key
        if self.may_have_landed(action) and any(
                bridge_key(c) == idempotency for c in self.client.comments(key)):
            return
        properties: list[dict[str, Any]] = [{"key": BRIDGE_PROPERTY,
                                             "value": {"key": idempotency}}]
        if not public:
            properties.append({"key": PUBLIC_PROPERTY, "value": {"internal": True}})
        self.client.send("POST", f"/rest/api/2/issue/{key}/comment",
                         {"body": body, "properties": properties})

    def add_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Add labels without touching the others."""
        self._labels(action, tags, add=True)

    def remove_tags(self, action: Action, tags: Sequence[str]) -> None:
        """Remove labels without touching the others."""
        self._labels(action, tags, add=False)

    def _labels(self, action: Action, tags: Sequence[str], add: bool) -> None:
        key = self.issue_key(action.ref.ticket_id)
        issue = self.open_issue(key, fields="status,labels")
        edit = IssueEdit()
        for tag in tags:
            edit.label(tag, add)
        self.write_edit(key, issue, edit)

    def set_status(self, action: actions.SetStatus) -> str | None:
        """Transition to the workflow status ``STATUS_TARGETS`` names for the status; closing
        a request the workflow cannot close from where it is resolves it first (JSM's
        default workflow closes only resolved requests)."""
        key = self.issue_key(action.ref.ticket_id)
        targets = self.settings.targets
        why = f"the status {self.settings.variable('status_targets')} names for "
        via = targets[Status.SOLVED] if action.status == Status.CLOSED else None
        self.transition_to(key, targets[action.status], why + str(action.status),
                           via=via, via_why=why + str(Status.SOLVED))
        return None

    def transition_to(self, key: str, target: str, why: str, *, via: str | None = None,
                      via_why: str = "") -> None:
        """Run the transition that leads ``key`` to the workflow status ``target`` (through
        the status ``via`` when no transition leads there directly)."""
        issue = self.open_issue(key, fields="status")
        current = str(((issue.get("fields") or {}).get("status") or {}).get("name") or "")
        if current.lower() == target.lower():
            return
        jira = self.client.jira
        found = jira.transitions(key, expand="transitions.fields")
        chosen = next((t for t in found
                       if str((t.get("to") or {}).get("name", "")).lower() == target.lower()),
                      None)
        if chosen is None and via is not None and current.lower() != via.lower():
            self.transition_to(key, via, via_why)
            self.transition_to(key, target, why)
            return
        if chosen is None:
            names = ", ".join(sorted({str((t.get("to") or {}).get("name")) for t in found}))
            raise self.errors.refused(
                f"{key}: no transition from {current!r} to {target!r} ({why}); the workflow "
                f"leads from there to: {names or 'nothing'}")
        fields = ({"resolution": {"name": self.settings.resolution}}
                  if "resolution" in (chosen.get("fields") or {}) else None)
        jira.transition_issue(key, str(chosen["id"]), fields=fields)

    def assign(self, action: actions.Assign) -> str | None:
        """A group through the field map's ``group``; an agent by accountId (``PUT
        .../assignee``, never the library's fuzzy user search)."""
        key = self.issue_key(action.ref.ticket_id)
        issue = self.open_issue(key)
        if action.group is not None:
            self.write_edit(key, issue, plan_edit({"group": action.group}, issue, self.settings,
                                                  self.lookups.field))
        if action.assignee_id is not None:
            self.client.send("PUT", f"/rest/api/2/issue/{key}/assignee",
                             {"accountId": action.assignee_id})
        return None

    def create_follow_up(self, action: actions.CreateFollowUp) -> str | None:
        """A new request linked to the closed one (JSM has no follow-ups)."""
        return followups.create(self, action)

    def request_approval(self, action: actions.RequestApproval) -> str | None:
        """The approvers field and the approval status; the kit's fallback without one."""
        if not self.settings.approval_status:
            return super().request_approval(action)
        approvals.request(self, action)
        return None

    # -- Jira helpers ----------------------------------------------------------------

    def open_issue(self, key: str, fields: str | None = None,
                   expand: str | None = None) -> dict[str, Any]:
        """The issue, or :class:`TicketClosed` when its status maps to closed."""
        issue = self.read_issue(key, fields=fields, expand=expand)
        status = (issue.get("fields") or {}).get("status")
        if neutral_status(status, self.settings) == Status.CLOSED:
            name = status.get("name") if isinstance(status, dict) else status
            raise TicketClosed(f"{key} is {name!r}, which {self.settings.variable('status_map')}"
                               " maps to closed: the bridge writes nothing to it",
                               platform=PLATFORM, status=None)
        return issue

    def issue_key(self, value: str) -> str:
        """``value`` as an issue key, or a not-found error."""
        text = str(value).strip()
        if not _ISSUE_KEY.match(text):
            raise self.errors.not_found(f"{value!r} is not a Jira issue key like SUP-42")
        return text

    def warn_once(self, key: str, message: str) -> None:
        """Log ``message`` the first time ``key`` comes up."""
        if key not in self._warned:
            self._warned.add(key)
            log.warning("jira: %s", message)
