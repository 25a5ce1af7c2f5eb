"""Approvals, the JSM way.

The API cannot create an approval: JSM creates one when a request *enters* a workflow status
with an approval step, with the approvers the request then names. So the bridge sets the
approvers field (``SLA_BRIDGE_JIRA__APPROVERS_FIELD``, to the accountIds
``SLA_BRIDGE_JIRA__APPROVERS`` lists for the policy's group) first, posts the summary as an
internal comment telling the managers to answer the approval (:data:`HOW_TO_DECIDE`, in
place of the summary's tag instructions), then transitions into
``SLA_BRIDGE_JIRA__APPROVAL_STATUS``. The decision is read back from
``GET /rest/servicedeskapi/request/{key}/approval`` (the latest approval's ``finalDecision``)
as the neutral ``escalation_decision``, see
https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-approval-get
(and, for how an approval step works, the Jira Service Management guide
https://confluence.atlassian.com/adminjiraserver0909/configuring-jira-service-management-approvals-1251416273.html).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sla_bridge import neutral
from sla_bridge.actions import RequestApproval
from sla_bridge.platformkit import approval_note

from .edits import IssueEdit

if TYPE_CHECKING:
    from .platform import JiraPlatform


# How the managers decide where JSM holds the approval (the decision labels work too).
HOW_TO_DECIDE = (
    "Answer the approval on this request in Jira Service Management (Approve or Decline; add "
    f"the label {neutral.SEVERITY_ACCEPTED_TAG} to apply the severity). The labels "
    f"{neutral.ESCALATION_APPROVED_TAG} and {neutral.ESCALATION_DECLINED_TAG} work too.")


def request(platform: JiraPlatform, action: RequestApproval) -> None:
    """Ask ``action.group`` to approve: approvers, an internal note, the approval status."""
    settings = platform.settings
    key = platform.issue_key(action.ref.ticket_id)
    approvers = settings.approvers.get(action.group)
    if not approvers:
        raise platform.errors.refused(
            f"{key}: no approvers for the group {action.group!r}; list their accountIds in "
            f"{settings.variable('approvers')} (e.g. {{\"{action.group}\": [\"<accountId>\"]}})")
    approvers_field = platform.lookups.field(settings.approvers_field)
    if approvers_field is None:
        raise platform.errors.refused(
            f"{key}: no field {settings.approvers_field!r} on the site; set "
            f"{settings.variable('approvers_field')} to the approvers field's id or name")
    issue = platform.open_issue(key)
    edit = IssueEdit(fields={approvers_field.id: [{"accountId": a} for a in approvers]})
    current = {str(u.get("accountId")) for u in
               (issue.get("fields") or {}).get(approvers_field.id) or [] if isinstance(u, dict)}
    if current == set(approvers):
        edit.fields.clear()
    platform.write_edit(key, issue, edit)
    platform.post_comment(action, approval_note(action, HOW_TO_DECIDE), False)
    platform.transition_to(key, settings.approval_status,
                           f"{settings.variable('approval_status')}, the status with the "
                           "approval step")
