"""Salesforce Cases to neutral tickets, read with one SOQL query.

:func:`case_query` selects the Case's own fields, the mapped fields of its Account and
Entitlement (parent relationships, ``Account.SLA_Support_Plan__c``), and its CaseComments,
EmailMessages and latest ProcessInstance (child sub-queries), so that reading a case is one
API call, see
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm.

* Status: a case whose status is closed (``IsClosed``, derived by Salesforce from
  ``CaseStatus``) is closed; open statuses go through the settings' status names.
* Comments: a CaseComment is public when ``IsPublished`` (the customer sees it in the portal),
  see https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_casecomment.htm.
  An EmailMessage is a public comment too: ``Incoming`` ones are the customer's replies
  (Email-to-Case), outgoing ones an agent's answer.
* Authors: the bridge's integration user is ``bridge``; a portal or community user (``UserType``
  ``CspLitePortal``, ``PowerCustomerSuccess``...) is ``customer``; the Automated Process user is
  ``system``; other users are agents.
* Owner: a user (id prefix ``005``) is the assignee; a queue (``00G``) is the group, by its
  label (``Name``), as policies name groups.
* Number: the ``CaseNumber`` (``00001001``), how agents and customers name a case.
* Registered admins: the Account's Contacts whose ``REGISTERED_ADMIN_FIELD`` checkbox is
  ticked, oldest first (:func:`admins_query`: a second query, cached per Account, since a
  sub-query names a child relationship of the queried object itself, the Case's and not its
  Account's, see the relationship-query page above); the requester is the case's
  ``ContactId``, so the ids compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simple_salesforce.format import format_soql

from sla_bridge import platformkit
from sla_bridge.actions import APPROVAL_REQUESTED_TAG
from sla_bridge.tickets import AuthorRole, Comment, Status, Ticket, TicketRef

from .settings import PLATFORM, SalesforceSettings, Source

# Neutral Ticket attributes the field mapping fills; other mapped names go to ``fields``.
TICKET_ATTRIBUTES = ("plan", "location", "customer_severity", "vendor_severity", "product",
                     "version")
USER_PREFIX = "005"
# User.UserType values of portal and community users: the customers' own accounts.
CUSTOMER_USER_TYPES = frozenset({"CspLitePortal", "CustomerSuccess", "PowerCustomerSuccess",
                                 "CsnOnly", "Guest"})
QUEUE_PREFIX = "00G"
CASE_FIELDS = ("Id", "CaseNumber", "Subject", "Description", "Status", "IsClosed", "Priority",
               "Origin", "OwnerId", "ContactId", "AccountId", "ParentId", "CreatedDate",
               "LastModifiedDate", "LastModifiedById")
COMMENTS = ("(SELECT Id, CommentBody, IsPublished, CreatedById, CreatedBy.UserType, "
            "CreatedDate FROM CaseComments ORDER BY CreatedDate)")
EMAILS = ("(SELECT Id, Incoming, FromAddress, Subject, TextBody, MessageDate, CreatedById "
          "FROM EmailMessages ORDER BY MessageDate)")
APPROVALS = ("(SELECT Id, Status, CreatedDate FROM ProcessInstances ORDER BY CreatedDate DESC "
             "LIMIT 1)")
# ProcessInstance.Status -> the neutral escalation decision.
DECISIONS = {"approved": "approved", "rejected": "declined"}


def parse_time(value: Any) -> datetime:
    """A Salesforce datetime (``2024-06-01T10:00:00.000+0000``) as an aware datetime."""
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def selected_fields(settings: SalesforceSettings) -> list[str]:
    """Every field path the case query selects: the Case's own, the mapped ones, the bridge's."""
    paths = list(CASE_FIELDS)
    for name in settings.fields.all():
        paths += [s.soql for s in settings.fields.sources(name) if s.soql]
    paths += [f for f in (settings.tags_field, settings.approval_flag_field,
                          settings.follow_up_key_field) if f]
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(path.lower(), None)
    return [next(p for p in paths if p.lower() == key) for key in seen]


def case_query(settings: SalesforceSettings, case_id: str) -> str:
    """The one SOQL query that reads a case, its comments, e-mails and latest approval."""
    select = ", ".join([*selected_fields(settings), COMMENTS, EMAILS,
                        *([APPROVALS] if settings.approval_process else [])])
    return format_soql(f"SELECT {select} FROM Case WHERE Id = {{}}", case_id)


def admins_query(settings: SalesforceSettings, account_id: str) -> str | None:
    """The query of an Account's registered admins, in registration order (``None`` when
    ``REGISTERED_ADMIN_FIELD`` is empty)."""
    checkbox = settings.registered_admin_field
    if not checkbox:
        return None
    return format_soql(f"SELECT Id FROM Contact WHERE AccountId = {{}} AND {checkbox} = true "
                       "ORDER BY CreatedDate, Id", account_id)


def records(value: Any) -> list[dict[str, Any]]:
    """The records of a sub-query's answer (``None`` when it has none)."""
    if isinstance(value, Mapping):
        return [r for r in value.get("records") or [] if isinstance(r, dict)]
    return []


def value_at(record: Mapping[str, Any], path: str) -> Any:
    """The value of ``Account.SLA_Support_Plan__c`` in a record (``None`` on a null parent)."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def neutral_priority(priority: Any, settings: SalesforceSettings) -> str | None:
    """The neutral priority (urgent, high, normal, low) a Case Priority is written for: the
    first that the priority map sends to it, so that the bridge's "urgent" reads back as
    written (Salesforce's highest priority is High); else the priority itself."""
    return platformkit.neutral_priority(priority, settings.priorities.get)


def neutral_status(status: str | None, is_closed: Any, settings: SalesforceSettings) -> Status:
    """The neutral status of a Case status (closed whenever ``IsClosed``)."""
    if is_closed is True or str(is_closed).lower() == "true":
        return Status.CLOSED
    return settings.statuses.get(str(status or "").strip().lower(), Status.OPEN)


@dataclass
class Context:
    """What the mapping needs besides the case: who the bridge is and the org's queues."""

    settings: SalesforceSettings
    bridge_user_id: str | None
    queue_names: Mapping[str, str] = field(default_factory=dict)  # queue id -> Name
    registered_admins: tuple[str, ...] | None = None  # Contact ids; None: not known


def same_id(one: Any, other: Any) -> bool:
    """Whether two record ids are the same record (a 15-character id is the 18's prefix)."""
    a, b = str(one or ""), str(other or "")
    return bool(a and b) and a[:15] == b[:15]


def _author(user_id: Any, user_type: Any, ctx: Context) -> AuthorRole:
    if ctx.bridge_user_id and same_id(user_id, ctx.bridge_user_id):
        return "bridge"
    if str(user_type or "") in CUSTOMER_USER_TYPES:
        return "customer"
    return "system" if str(user_type or "") == "AutomatedProcess" else "agent"


def comments(record: Mapping[str, Any], ctx: Context) -> tuple[Comment, ...]:
    """The case's CaseComments and EmailMessages as neutral comments, oldest first."""
    found = [Comment(id=str(c["Id"]),
                     author_role=_author(c.get("CreatedById"),
                                         value_at(c, "CreatedBy.UserType"), ctx),
                     public=bool(c.get("IsPublished")), body=str(c.get("CommentBody") or ""),
                     created_at=parse_time(c["CreatedDate"]),
                     author_id=_text(c.get("CreatedById")))
             for c in records(record.get("CaseComments"))]
    for email in records(record.get("EmailMessages")):
        incoming = bool(email.get("Incoming"))
        role: AuthorRole = ("customer" if incoming
                            else _author(email.get("CreatedById"), "Standard", ctx))
        found.append(Comment(
            id=str(email["Id"]), author_role=role, public=True,
            body=str(email.get("TextBody") or email.get("Subject") or ""),
            created_at=parse_time(email.get("MessageDate") or email.get("CreatedDate")),
            author_id=_text(email.get("FromAddress") if incoming else email.get("CreatedById"))))
    return tuple(sorted(found, key=lambda c: c.created_at))


def read_source(record: Mapping[str, Any], source: Source) -> Any:
    """The value a source holds on the case (``None`` for ``none``)."""
    return value_at(record, source.soql) if source.soql else None


def read_value(record: Mapping[str, Any], name: str, settings: SalesforceSettings) -> Any:
    """A neutral name's value: the first of its sources that has one."""
    return settings.fields.first_value(name, lambda source: read_source(record, source))


def tags(record: Mapping[str, Any], settings: SalesforceSettings) -> frozenset[str]:
    """The bridge's tags (the tags field, space-separated; the approval flag is a tag)."""
    found = set(str(value_at(record, settings.tags_field) or "").split()
                if settings.tags_field else ())
    if settings.approval_flag_field and value_at(record, settings.approval_flag_field) is True:
        found.add(APPROVAL_REQUESTED_TAG)
    return frozenset(found)


def to_ticket(record: Mapping[str, Any], ctx: Context) -> Ticket:
    """The neutral ticket of a case as :func:`case_query` reads it."""
    settings = ctx.settings
    owner = str(record.get("OwnerId") or "")
    attributes = {name: _text(read_value(record, name, settings)) for name in TICKET_ATTRIBUTES}
    extra: dict[str, Any] = {name: read_value(record, name, settings)
                             for name in settings.fields.all() if name not in TICKET_ATTRIBUTES}
    extra["priority"] = neutral_priority(record.get("Priority"), settings)
    if settings.approval_process:
        latest = records(record.get("ProcessInstances"))
        decided = DECISIONS.get(str(latest[0].get("Status") or "").lower()) if latest else None
        extra["escalation_decision"] = extra.get("escalation_decision") or decided
    origin = _text(record.get("Origin"))
    return Ticket(
        ref=TicketRef(platform=PLATFORM, ticket_id=str(record["Id"])),
        number=_text(record.get("CaseNumber")),
        status=neutral_status(record.get("Status"), record.get("IsClosed"), settings),
        subject=str(record.get("Subject") or ""),
        description=str(record.get("Description") or ""),
        created_at=parse_time(record["CreatedDate"]),
        updated_at=parse_time(record.get("LastModifiedDate") or record["CreatedDate"]),
        requester_id=_text(record.get("ContactId")),
        organization_id=_text(record.get("AccountId")),
        channel=settings.channels.get(origin.lower(), origin.lower()) if origin else None,
        form=_text(value_at(record, "Type")),
        group=ctx.queue_names.get(owner[:15]) if owner.startswith(QUEUE_PREFIX) else None,
        assignee_id=owner or None if owner.startswith(USER_PREFIX) else None,
        tags=tags(record, settings),
        fields=extra,
        comments=comments(record, ctx),
        follow_up_of=_text(record.get("ParentId")),
        registered_admins=ctx.registered_admins,
        plan=attributes["plan"], location=attributes["location"],
        customer_severity=attributes["customer_severity"],
        vendor_severity=attributes["vendor_severity"],
        product=attributes["product"], version=attributes["version"],
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
