"""Escalation approvals through a Salesforce approval process.

With ``APPROVAL_PROCESS`` set, a ``request_approval`` submits the case with
``POST /services/data/vXX.X/process/approvals/`` (``actionType: Submit``, the process by API
name or id, the policy group's approvers as ``nextApproverIds``), see
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_process_approvals_submit.htm.
The managers approve or reject in Salesforce; the decision is read back from the case's
latest ``ProcessInstance`` (``Approved`` -> approved, ``Rejected`` -> declined) by the case
query. While the approval is pending Salesforce usually locks the case: writes then fail with
``ENTITY_IS_LOCKED``, which the client reports without retrying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simple_salesforce.exceptions import SalesforceError
from simple_salesforce.format import format_soql

from sla_bridge.actions import RequestApproval

from .client import error_codes

if TYPE_CHECKING:
    from .platform import SalesforcePlatform

ALREADY_PENDING = "ALREADY_IN_PROCESS"
COMMENT_CHARS = 4000


def pending_instance(platform: SalesforcePlatform, case_id: str) -> str | None:
    """The id of the case's pending approval (ProcessInstance), if any."""
    found = platform.client.query(format_soql(
        "SELECT Id FROM ProcessInstance WHERE TargetObjectId = {} AND Status = 'Pending'",
        case_id))
    return str(found[0]["Id"]) if found else None


def submit(platform: SalesforcePlatform, action: RequestApproval) -> str | None:
    """Submit the case for approval; the ProcessInstance id (``None`` when it was pending
    already, by an earlier attempt or by hand)."""
    settings = platform.settings
    case_id = platform.case_id(action.ref.ticket_id)
    if platform.may_have_landed(action):
        earlier = pending_instance(platform, case_id)
        if earlier:
            return earlier
    request: dict[str, Any] = {
        "actionType": "Submit", "contextId": case_id,
        "comments": action.summary[:COMMENT_CHARS],
        "processDefinitionNameOrId": settings.approval_process, "skipEntryCriteria": "true"}
    approvers = settings.approvers.get(action.group)
    if approvers:
        request["nextApproverIds"] = approvers
    try:
        answer = platform.client.restful("process/approvals/", "POST", {"requests": [request]})
    except SalesforceError as exc:
        content = exc.content if isinstance(exc.content, str | bytes) else _json(exc.content)
        if ALREADY_PENDING in error_codes(content):
            return None
        raise
    result = answer[0] if isinstance(answer, list) and answer else {}
    if not isinstance(result, dict) or not result.get("success"):
        errors = result.get("errors") if isinstance(result, dict) else answer
        if ALREADY_PENDING in error_codes(_json(errors)):
            return None
        raise platform.errors.refused(
            f"submit case {case_id} to approval process {settings.approval_process!r} for "
            f"{action.group}: Salesforce said {errors!r:.300}; check "
            f"{settings.variable('approval_process')} and {settings.variable('approvers')}")
    instance = result.get("instanceId")
    return str(instance) if instance else None


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)
