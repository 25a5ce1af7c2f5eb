"""The service desk project's workflow: statuses, their categories, transitions, approvals.

It is the shape of Jira Service Management's IT support workflow
(https://support.atlassian.com/jira-service-management-cloud/docs/what-are-statuses-and-transitions/):
statuses in the categories ``new`` / ``indeterminate`` / ``done``; a transition goes from
some statuses (or from any, ``sources=None``) to one, and may have a screen (the fields a
transition POST may set, e.g. ``resolution``). A done status without a screen still gets a
resolution (the workflow's post function), as approval transitions do
(https://support.atlassian.com/jira-service-management-cloud/docs/set-up-approvals/).

"Waiting for approval" has an approval step: entering it creates an approval whose approvers
are the Approvers field's users at that moment; the approval's decision runs "Approve" or
"Decline" (to Declined; or "Decline to support", back to Waiting for support, when the site
is so configured: the admin picks the decline transition) by itself, and those cannot be run
by hand while it is pending. "Closed" is not editable (``jira.issue.editable = false``): edits
are refused; comments are taken and leave it closed, unless the site refuses them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Status categories as ``GET /rest/api/2/statuscategory`` lists them.
CATEGORIES: dict[str, dict[str, Any]] = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow",
                      "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


@dataclass(frozen=True)
class Status:
    """A workflow status."""

    id: str
    name: str
    category: str
    editable: bool = True


STATUSES = (
    Status("10001", "Waiting for support", "new"),
    Status("3", "In progress", "indeterminate"),
    Status("10002", "Waiting for customer", "indeterminate"),
    Status("10003", "Pending", "indeterminate"),
    Status("10004", "Waiting for approval", "indeterminate"),
    Status("10005", "Resolved", "done"),
    Status("6", "Closed", "done", editable=False),
    Status("10006", "Declined", "done"),
)
BY_NAME = {s.name: s for s in STATUSES}
BY_ID = {s.id: s for s in STATUSES}
INITIAL = BY_NAME["Waiting for support"]
OPEN_STATUSES = ("Waiting for support", "In progress", "Waiting for customer", "Pending")


@dataclass(frozen=True)
class Transition:
    """A workflow transition: its id, name, target, the statuses it leaves (``None``: any
    status) and the fields of its screen."""

    id: str
    name: str
    to: str
    sources: tuple[str, ...] | None
    screen: tuple[str, ...] = ()
    approval: bool = False  # run by an approval's decision, not by hand while it is pending


TRANSITIONS = (
    Transition("11", "Respond to customer", "Waiting for customer", OPEN_STATUSES),
    Transition("21", "Start progress", "In progress", OPEN_STATUSES),
    Transition("31", "Pending", "Pending", OPEN_STATUSES),
    Transition("41", "Resolve", "Resolved", OPEN_STATUSES, screen=("resolution",)),
    Transition("51", "Close", "Closed", ("Resolved", "Declined")),
    Transition("61", "Request approval", "Waiting for approval", OPEN_STATUSES),
    Transition("71", "Approve", "Waiting for support", ("Waiting for approval",),
               approval=True),
    Transition("81", "Decline", "Declined", ("Waiting for approval",), approval=True),
    Transition("82", "Decline to support", "Waiting for support", ("Waiting for approval",),
               approval=True),
    Transition("91", "Back to support", "Waiting for support",
               ("In progress", "Waiting for customer", "Pending", "Resolved")),
)
BY_TRANSITION_ID = {t.id: t for t in TRANSITIONS}


@dataclass(frozen=True)
class ApprovalStep:
    """The approval configured on a status: who approves (a user field), how many must
    approve, and the transitions the decision runs."""

    status: str
    approvers_field: str
    needed: int = 1
    approve: str = "71"
    decline: str = "81"  # or "82", back to Waiting for support


def available(status: str, approval_pending: bool) -> list[Transition]:
    """The transitions that can be run by hand from ``status``."""
    return [t for t in TRANSITIONS
            if (t.sources is None or status in t.sources)
            and not (t.approval and approval_pending)]


def resolution_for(status: Status) -> dict[str, str] | None:
    """The resolution a done status gets by default (the post function's), else none."""
    if status.category != "done":
        return None
    return {"name": "Declined"} if status.name == "Declined" else {"name": "Done"}


def status_json(status: Status, root: str) -> dict[str, Any]:
    """A status as the API shows it."""
    category = CATEGORIES[status.category]
    return {"self": f"{root}/rest/api/2/status/{status.id}", "description": "",
            "iconUrl": f"{root}/images/icons/statuses/generic.png", "name": status.name,
            "id": status.id, "statusCategory": {
                "self": f"{root}/rest/api/2/statuscategory/{category['id']}", **category}}
