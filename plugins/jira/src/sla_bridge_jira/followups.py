"""Follow-ups, the JSM way: JSM has no follow-up tickets, so a customer's reply to a closed
request becomes a new request, raised on the customer's behalf with the closed one's service
desk and request type, linked to it ("Relates"), carrying its organization, plan, location
and severity.

``POST /rest/servicedeskapi/request``
(https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-post)
then ``POST /rest/api/2/issueLink``.

Raised exactly once. Creating a request is not idempotent and an answer can be lost after
Jira raised it, so before raising, the bridge records the attempt's instant on the closed
request (its issue property, ``raising``); once Jira answered, the new key (``follow_ups``).
A later attempt with an attempt recorded but no key looks for the request raised already:
``GET /rest/api/2/search/jql`` for the project's requests of that reporter created since the
attempt, whose summary is the follow-up's subject. That search is eventually consistent
("from a few seconds to minutes", https://developer.atlassian.com/cloud/jira/platform/search-and-reconcile/),
so while the attempt is younger than ``SLA_BRIDGE_JIRA__SEARCH_LAG_SECONDS`` an empty search
proves nothing: the attempt fails retryably, to be tried again when that time has passed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sla_bridge.actions import CreateFollowUp
from sla_bridge.platforms import VendorError

from .edits import plan_edit
from .mapping import BRIDGE_PROPERTY, ORGANIZATIONS_FIELD, parse_time
from .settings import PLATFORM

if TYPE_CHECKING:
    from .platform import JiraPlatform

log = logging.getLogger("sla_bridge_jira")
# Carried attributes that are not issue fields: the request is raised with them instead.
_NOT_FIELDS = ("organization_id", "requester_id", "follow_up_of", "customer_severity")
RAISING, RAISED = "raising", "follow_ups"
# How far the bridge's clock and the site's may disagree.
CLOCK_SKEW = timedelta(minutes=5)
# JQL reads a date in the searching user's time zone: a day earlier is early in every zone.
ZONE_MARGIN = timedelta(days=1)


def create(platform: JiraPlatform, action: CreateFollowUp) -> str:
    """Raise the follow-up of ``action.ref`` (once) and link it; return its key."""
    source = platform.issue_key(action.ref.ticket_id)
    original = platform.read_issue(source, fields="status")
    recorded = _mapping((original.get("properties") or {}).get(BRIDGE_PROPERTY))
    raised, raising = _mapping(recorded.get(RAISED)), _mapping(recorded.get(RAISING))
    idempotency = action.idempotency_key
    # The attempt recorded on the request decides whether to look (it outlives a restart).
    platform.may_have_landed(action)
    new_key = str(raised.get(idempotency) or "")
    if not new_key:
        request = platform.client.get(f"/rest/servicedeskapi/request/{source}") or {}
        reporter = str((request.get("reporter") or {}).get("accountId")
                       or action.carry.get("requester_id") or "")
        attempt = raising.get(idempotency)
        if attempt:
            new_key = _raised_already(platform, action, source, reporter,
                                      parse_time(attempt), {str(k) for k in raised.values()})
        if not new_key:
            if attempt:
                _wait_for_search(platform, action, source, parse_time(attempt))
            platform.follow_up_attempts[idempotency] = platform.monotonic()
            platform.record(source, original, {
                RAISING: {**raising, idempotency: platform.clock.now().isoformat()}})
            new_key = _raise(platform, action, request, reporter)
        platform.record(source, original, {
            RAISED: {**raised, idempotency: new_key},
            RAISING: {k: v for k, v in raising.items() if k != idempotency}})
        platform.follow_up_attempts.pop(idempotency, None)
    _complete(platform, action, source, new_key)
    return new_key


def _raise(platform: JiraPlatform, action: CreateFollowUp, request: dict[str, Any],
           reporter: str) -> str:
    """``POST /rest/servicedeskapi/request`` on the customer's behalf; the new key."""
    settings = platform.settings
    values: dict[str, Any] = {"summary": action.subject[:255], "description": action.body}
    severity = action.carry.get("customer_severity")
    priority = settings.priority_for(severity) if severity is not None else None
    if priority is not None and _in_priority(platform, "customer_severity"):
        values["priority"] = {"name": priority}
    fields: dict[str, Any] = {
        "serviceDeskId": str(request.get("serviceDeskId") or ""),
        "requestTypeId": int(settings.follow_up_request_type or request.get("requestTypeId")
                             or 0),
        "requestFieldValues": values,
    }
    if reporter:
        fields["raiseOnBehalfOf"] = reporter
    created = platform.client.jira.create_customer_request(fields, prefetch=False)
    return str(created.raw["issueKey"])


def _raised_already(platform: JiraPlatform, action: CreateFollowUp, source: str,
                    reporter: str, attempt: datetime, taken: set[str]) -> str:
    """The request an earlier attempt raised, found by the search ('' when none shows)."""
    since = (attempt - ZONE_MARGIN).strftime("%Y-%m-%d %H:%M")
    project = source.rsplit("-", 1)[0]
    who = reporter or platform.bridge_account_id()
    jql = (f'project = "{project}" AND reporter = "{who}" AND created >= "{since}" '
           "ORDER BY created")
    found = platform.client.jira.enhanced_search_issues(jql, maxResults=0,
                                                        fields="summary,created")
    subject = action.subject[:255]
    matching = [issue.raw for issue in found
                if str(issue.raw["key"]) not in taken
                and (issue.raw.get("fields") or {}).get("summary") == subject
                and parse_time(issue.raw["fields"]["created"]) >= attempt - CLOCK_SKEW]
    if not matching:
        return ""
    first, *others = matching
    if others:
        log.warning("jira: %s: the follow-up %s was raised more than once (also %s); the "
                    "bridge keeps %s", source, action.idempotency_key,
                    ", ".join(str(o["key"]) for o in others), first["key"])
    return str(first["key"])


def _wait_for_search(platform: JiraPlatform, action: CreateFollowUp, source: str,
                     attempt: datetime) -> None:
    """Refuse (retryably) to raise again while the search may not show the last attempt
    (``attempt``: its recorded instant; this process's own attempt is timed on the
    monotonic clock the bridge's retries wait on)."""
    age = (platform.clock.now() - attempt).total_seconds()
    started = platform.follow_up_attempts.get(action.idempotency_key)
    if started is not None:
        age = max(age, platform.monotonic() - started)
    left = platform.settings.search_lag_seconds - age
    if left > 0:
        raise VendorError(
            f"{source}: the follow-up raised at {attempt.isoformat()} may have landed, and "
            f"Jira's search may not show it yet; looking again in {left:.0f} s "
            f"({platform.settings.variable('search_lag_seconds')})",
            platform=PLATFORM, retryable=True, retry_after=left)


def _complete(platform: JiraPlatform, action: CreateFollowUp, source: str,
              new_key: str) -> None:
    """Give the new request what it carries and link it, unless a finished attempt did."""
    settings = platform.settings
    issue = platform.read_issue(new_key, expand="changelog")
    if _links_to(issue, source):
        return
    carry = {k: v for k, v in action.carry.items() if v is not None}
    # Only what the new request does not carry already (plan and location kept in the
    # organization's properties come with the organization).
    carried = {k: v for k, v in carry.items() if k not in _NOT_FIELDS
               and any(s.writable for s in settings.fields.sources(k))}
    edit = plan_edit(carried, issue, settings, platform.lookups.field)
    org_field = platform.lookups.field_of_type(ORGANIZATIONS_FIELD)
    if carry.get("organization_id") and org_field is not None:
        has = [str(o.get("id")) for o in (issue.get("fields") or {}).get(org_field.id) or []
               if isinstance(o, dict)]
        if has != [str(carry["organization_id"])]:
            edit.fields[org_field.id] = [int(str(carry["organization_id"]))]
    edit.bridge_property = {**(edit.bridge_property or {}), "follow_up_of": source,
                            "follow_up_key": action.idempotency_key}
    platform.write_edit(new_key, issue, edit)
    # POST /rest/api/2/issueLink itself: the library's create_issue_link first lists every
    # link type on each call and logs a warning for a type given by name.
    platform.client.send("POST", "/rest/api/2/issueLink", {
        "type": {"name": settings.link_type}, "inwardIssue": {"key": new_key},
        "outwardIssue": {"key": source}})


def _links_to(issue: dict[str, Any], other: str) -> bool:
    """Whether ``issue`` is linked to the issue ``other`` already."""
    for link in (issue.get("fields") or {}).get("issuelinks") or []:
        linked = link.get("inwardIssue") or link.get("outwardIssue") or {}
        if linked.get("key") == other:
            return True
    return False


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _in_priority(platform: JiraPlatform, name: str) -> bool:
    writable = next((s for s in platform.settings.fields.sources(name) if s.writable), None)
    return writable is not None and writable.kind == "priority"
