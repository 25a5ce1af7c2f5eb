"""The neutral vocabulary every platform maps onto: the ticket attributes, the fields the
bridge reads and writes, and the tags, with what each means and which way it flows.

A platform plugin maps each name to where it lives on its platform (a Zendesk custom field,
a Jira custom field, a Salesforce Case field); ``docs/workflows.md`` lists them from here
(``tests/test_neutral.py`` keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["read", "written", "read and written"]


@dataclass(frozen=True)
class Name:
    """One neutral name: a ticket attribute, a field or a tag."""

    name: str
    direction: Direction
    meaning: str


# Tags.
WARNING_TAG = "sla_warning"
BREACHED_TAG = "sla_breached"
SURVEY_TAG = "sla_survey_requested"
APPROVAL_REQUESTED_TAG = "sla_approval_requested"
ESCALATION_REQUESTED_TAG = "sla_escalation_requested"
ESCALATION_APPROVED_TAG = "sla_escalation_approved"
ESCALATION_DECLINED_TAG = "sla_escalation_declined"
SEVERITY_ACCEPTED_TAG = "sla_escalation_severity_accepted"
#: How managers answer an escalation request with tags (a helpdesk without an approvals API).
DECIDE_WITH_TAGS = (f"Approve with the tag {ESCALATION_APPROVED_TAG} (add {SEVERITY_ACCEPTED_TAG} "
                    f"to apply the severity) or decline with {ESCALATION_DECLINED_TAG}.")
CONSULTATION_TAG = "consultation"

# Ticket attributes a ``SetFields`` action may set (the rest of a ticket is read only).
ATTRIBUTES: tuple[Name, ...] = (
    Name("customer_severity", "read", "the severity the customer chose"),
    Name("vendor_severity", "read and written", "the severity the vendor set; it drives the "
         "clocks once set"),
    Name("plan", "read", "the support plan"),
    Name("location", "read", "the customer's location (a key, label, country or zone)"),
    Name("product", "read", "the product"),
    Name("version", "read", "the product version, for version support"),
    Name("channel", "read", "how the customer contacted support: web, email, chat, phone"),
    Name("group", "read and written", "the group the ticket is assigned to"),
)

FIELDS: tuple[Name, ...] = (
    Name("sla_first_response_due", "written", "when the first response is due (ISO 8601)"),
    Name("sla_next_update_due", "written", "when the next update is due (ISO 8601)"),
    Name("priority", "written", "raised to urgent on a warning or breach, when configured"),
    Name("escalation_reason", "read", "an escalation request taken by phone or chat"),
    Name("escalation_severity", "read", "the severity the escalation request expects"),
    Name("escalation_contact", "read", "how to reach the customer about the escalation"),
    Name("escalation_decision", "read and written", "the manager's decision: approved or "
         "declined (cleared when a new round is sent)"),
    Name("escalation_decision_reason", "read", "why, told to the customer"),
    Name("escalation_severity_accepted", "read", "apply the severity the request expects"),
    Name("request_type", "read", "consultation, for a pre-planning or best-practice request"),
    Name("latest_version", "read", "the newest released version, for version support"),
    Name("release_dates", "read", "version -> general availability date, for version "
         "support"),
)

TAGS: tuple[Name, ...] = (
    Name(WARNING_TAG, "written", "a clock passed its warning threshold"),
    Name(BREACHED_TAG, "written", "a target was missed"),
    Name(SURVEY_TAG, "written", "send the satisfaction survey (after a close)"),
    Name(APPROVAL_REQUESTED_TAG, "written", "awaiting a manager's approval (platforms "
         "without an approvals API); taken off when decided"),
    Name(ESCALATION_REQUESTED_TAG, "read", "the customer asked to escalate (by phone or "
         "chat)"),
    Name(ESCALATION_APPROVED_TAG, "read and written", "a manager approved the escalation "
         "(taken off when a new round is sent)"),
    Name(ESCALATION_DECLINED_TAG, "read and written", "a manager declined the escalation "
         "(taken off when a new round is sent)"),
    Name(SEVERITY_ACCEPTED_TAG, "read and written", "apply the severity the request expects"),
    Name(CONSULTATION_TAG, "read", "a pre-planning or best-practice request"),
)

# The attributes a ``SetFields`` writes on the ticket itself rather than in ``fields``.
TOP_LEVEL_FIELDS = frozenset(name.name for name in ATTRIBUTES)


def markdown_table() -> str:
    """The neutral names as the Markdown table ``docs/workflows.md`` shows."""
    rows = ["| name | kind | direction | meaning |", "|---|---|---|---|"]
    for kind, names in (("attribute", ATTRIBUTES), ("field", FIELDS), ("tag", TAGS)):
        rows += [f"| `{n.name}` | {kind} | {n.direction} | {n.meaning} |" for n in names]
    return "\n".join(rows)
