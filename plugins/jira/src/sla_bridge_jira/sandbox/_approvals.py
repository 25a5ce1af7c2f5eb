"""Approvals, as a status with an approval step makes them.

There is no API to create an approval: an issue entering a status configured with an approval
step gets one, whose approvers are the users of the step's field (Approvers) at that moment;
each approver answers once (``approve`` / ``decline``, 403 for anyone else, 409 once they or
the approval have decided), and when enough approved, or one declined, the step's approve or
decline transition runs by itself
(https://support.atlassian.com/jira-service-management-cloud/docs/set-up-approvals/;
``answerApproval`` in https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import conflict, servicedesk_error
from ._workflow import ApprovalStep

if TYPE_CHECKING:
    from ._state import IssueRecord, SiteState


def open_approval(state: SiteState, record: IssueRecord, step: ApprovalStep) -> dict[str, Any]:
    """The approval an issue gets on entering the step's status (state lock held)."""
    approvers = [a for a in record.fields.get(step.approvers_field, []) if a]
    approval = {"id": state.next_id(), "name": step.status, "finalDecision": "pending",
                "approvers": {a: "pending" for a in approvers}, "needed": step.needed,
                "createdDate": state.clock(), "completedDate": None, "step": step}
    record.approvals.append(approval)
    return approval


def find(record: IssueRecord, approval_id: str) -> dict[str, Any]:
    """The issue's approval by id (404 when it has none such)."""
    found = next((a for a in record.approvals if a["id"] == approval_id), None)
    if found is None:
        raise servicedesk_error(404, f"The approval {approval_id} does not exist on "
                                f"{record.key}.", "sd.approval.error.not.found")
    return found


def answer(state: SiteState, key: str, approval_id: str, actor: str,
           decision: str) -> dict[str, Any]:
    """``actor`` approves or declines; the decision transition runs when it is final."""
    if decision not in ("approve", "decline"):
        raise servicedesk_error(400, "The decision must be 'approve' or 'decline'.",
                                "sd.approval.error.invalid.decision")
    with state.lock:
        record = state.record(key, actor)
        approval = find(record, approval_id)
        if actor not in approval["approvers"]:
            raise servicedesk_error(403, "You are not an approver of this approval.",
                                    "sd.approval.error.not.approver")
        if approval["finalDecision"] != "pending" or approval["approvers"][actor] != "pending":
            raise conflict("This approval has already been decided.")
        approval["approvers"][actor] = "approved" if decision == "approve" else "declined"
        decisions = list(approval["approvers"].values())
        step: ApprovalStep = approval["step"]
        if "declined" in decisions:
            final, transition = "declined", step.decline
        elif decisions.count("approved") >= min(approval["needed"], len(decisions)):
            final, transition = "approved", step.approve
        else:
            return approval
        approval["finalDecision"], approval["completedDate"] = final, state.clock()
        state.transition(key, actor, transition, {}, {}, system=True)
        return approval
