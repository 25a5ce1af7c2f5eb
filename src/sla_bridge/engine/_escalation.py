"""The customer's escalation request and the manager's approval.

Requested by a tag (``sla_escalation_requested``), the ``escalation_reason`` field, or a
public customer comment that asks to escalate. Missing parts (reason, severity, contact,
as the policy requires) are asked for once; then the request goes to the manager group
for approval. The manager's decision comes back as a tag (``sla_escalation_approved`` /
``sla_escalation_declined``) or the ``escalation_decision`` field, with an optional
``escalation_decision_reason`` and ``escalation_severity_accepted``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sla_bridge import neutral
from sla_bridge.actions import (
    APPROVAL_REQUESTED_TAG,
    Action,
    AddComment,
    Assign,
    ChangeTags,
    RequestApproval,
    SetFields,
)
from sla_bridge.classify import requested_severity
from sla_bridge.policy import Policy
from sla_bridge.records import Decision, TimerSpec
from sla_bridge.tickets import Comment, Status, Ticket

from ._memory import TicketMemory
from ._outcome import Part

REQUESTED_TAG = neutral.ESCALATION_REQUESTED_TAG
APPROVED_TAG = neutral.ESCALATION_APPROVED_TAG
DECLINED_TAG = neutral.ESCALATION_DECLINED_TAG
SEVERITY_ACCEPTED_TAG = neutral.SEVERITY_ACCEPTED_TAG

_ASKS = re.compile(r"\bescalat(e|ed|ing|ion)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d ()-]{7,}\d")
_PART_NAMES = {"reason": "the reason for the escalation", "severity": "the severity you expect",
               "contact": "how to reach you (phone or email)", "ticket": "the ticket number"}


@dataclass(frozen=True)
class Request:
    """What the customer asked for, as far as the ticket tells."""

    at: datetime
    reason: str | None
    severity: str | None
    contact: str | None


@dataclass
class Markers:
    """Which request and decision markers on the ticket are already spent.

    Tags and fields stay on a ticket after the round they started or decided, and a
    follow-up copies them from the closed ticket. A marker counts once: a request marker is
    spent when its round is decided (or when it was copied onto a follow-up), a decision
    marker is stale when it was there before the round was submitted. Taking a marker off
    the ticket makes it fresh again, so setting it again starts (or decides) a new round.
    """

    request_tag: bool = False
    request_reason: str | None = None
    approved_tag: bool = False
    declined_tag: bool = False
    decision_field: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Markers:
        """Read back from the ticket's memory."""
        return cls(**data) if isinstance(data, dict) else cls()

    def to_json(self) -> dict[str, Any]:
        """Serialise for the ticket's memory."""
        return asdict(self)

    def forget_removed(self, ticket: Ticket) -> None:
        """A marker taken off the ticket is no longer spent: setting it again counts."""
        self.request_tag = self.request_tag and REQUESTED_TAG in ticket.tags
        if _reason_field(ticket) != self.request_reason:
            self.request_reason = None
        self.approved_tag = self.approved_tag and APPROVED_TAG in ticket.tags
        self.declined_tag = self.declined_tag and DECLINED_TAG in ticket.tags
        if _decision_field(ticket) != self.decision_field:
            self.decision_field = None

    def spend_requests(self, ticket: Ticket) -> None:
        """The request markers on the ticket now belong to a round that is over."""
        self.request_tag = REQUESTED_TAG in ticket.tags
        self.request_reason = _reason_field(ticket)

    def spend_decisions(self, ticket: Ticket) -> None:
        """The decision markers on the ticket now cannot decide a later round."""
        self.approved_tag = APPROVED_TAG in ticket.tags
        self.declined_tag = DECLINED_TAG in ticket.tags
        self.decision_field = _decision_field(ticket)

    def fresh_request(self, ticket: Ticket) -> bool:
        """Whether a request tag or reason field asks for a round of its own."""
        reason = _reason_field(ticket)
        return ((REQUESTED_TAG in ticket.tags and not self.request_tag)
                or (reason is not None and reason != self.request_reason))

    def verdict(self, ticket: Ticket) -> str | None:
        """``approved``, ``declined`` or None: what fresh decision markers say."""
        field = _decision_field(ticket)
        fresh_field = field if field != self.decision_field else None
        if (APPROVED_TAG in ticket.tags and not self.approved_tag) or fresh_field == "approved":
            return "approved"
        if (DECLINED_TAG in ticket.tags and not self.declined_tag) or fresh_field == "declined":
            return "declined"
        return None


def _reason_field(ticket: Ticket) -> str | None:
    value = ticket.fields.get("escalation_reason")
    return str(value).strip() or None if value else None


def _decision_field(ticket: Ticket) -> str | None:
    value = ticket.fields.get("escalation_decision")
    return str(value).strip().lower() or None if value else None


def find_request(policy: Policy, ticket: Ticket, after: datetime | None,
                 markers: Markers | None = None) -> Request | None:
    """Return the escalation request made after ``after`` (or at any time), if any.

    A request is a customer comment asking to escalate after ``after``, or a request tag or
    reason field that ``markers`` does not count as spent.
    """
    asks = [c for c in _customer_comments(ticket, after) if _ASKS.search(c.body)]
    if not asks and not (markers or Markers()).fresh_request(ticket):
        return None
    since = asks[0].created_at if asks else (after or ticket.created_at)
    texts = [c.body for c in _customer_comments(ticket, None) if c.created_at >= since]
    by_field = _reason_field(ticket)
    reason = by_field or _reason(texts)
    if by_field:
        texts.append(by_field)  # a request taken by phone may name the severity in the reason
    severity = ticket.fields.get("escalation_severity") or _severity(policy, texts)
    contact = ticket.fields.get("escalation_contact") or _contact(texts)
    return Request(since, reason, severity, contact)


def escalation(policy: Policy, ticket: Ticket, known: TicketMemory, now: datetime) -> Part:
    """Drive the escalation: ask for missing parts once, request approval, act on it.

    One round is requested once, decided once and told once; a new request (a new customer
    comment, or a marker taken off and set again) is a new round with a decision of its own.
    """
    rules = policy.escalation
    part = Part()
    if not rules.enabled:
        return part
    memory: dict[str, Any] = dict(known.escalation)
    if not memory and ticket.follow_up_of:
        # What the follow-up copied from the closed ticket is neither a request nor a decision.
        copied = Markers()
        copied.spend_requests(ticket)
        copied.spend_decisions(ticket)
        memory["markers"] = copied.to_json()
    markers = Markers.from_json(memory.get("markers"))
    markers.forget_removed(ticket)
    memory["markers"] = markers.to_json()
    part.state["escalation"] = memory
    if ticket.status == Status.CLOSED:
        return part  # a reply to a closed ticket is the follow-up's, and so is its request
    round_ = int(memory.get("round", 0))
    phase = memory.get("phase")
    decided_at = memory.get("decided_at")
    if phase == "awaiting_decision":
        part.add(_decision(policy, ticket, memory, markers, now))
        memory["markers"] = markers.to_json()
        return part
    after = datetime.fromisoformat(decided_at) if decided_at else None
    request = find_request(policy, ticket, after, markers)
    if request is None:
        return part
    if phase != "asked":
        round_ += 1
        memory.update(round=round_, requested_at=request.at.isoformat())
    missing = [p for p in rules.required if p != "ticket" and getattr(request, p) is None]
    if missing and phase != "asked":
        wanted = ", ".join(_PART_NAMES[p] for p in missing)
        text = (f"Thank you for asking us to escalate this ticket. So that a manager can review "
                f"it, please reply with {wanted}.")
        part.actions.append(AddComment(ref=ticket.ref, key=f"escalation:{round_}:ask", body=text,
                                       public=True, reason=f"escalation request lacks {wanted}"))
        part.decisions.append(Decision("escalation.incomplete", f"escalation requested; asked "
                                       f"the customer once for {wanted}", now, {}))
        memory.update(phase="asked", asked_at=now.isoformat())
        return part
    if missing and not _answered_since(ticket, memory.get("asked_at")):
        return part
    summary = (f"Escalation requested by the customer on ticket {ticket.display_id}. Reason: "
               f"{(request.reason or 'not given').rstrip('.')}. Expected severity: "
               f"{request.severity or 'not given'} (now {_severity_id(policy, ticket.severity)})."
               " Contact: "
               f"{request.contact or 'the requester'}.")
    part.actions += _clear_stale_decisions(ticket, round_)
    part.actions.append(RequestApproval(ref=ticket.ref, key=f"escalation:{round_}:request",
                                        group=rules.manager_group, summary=summary,
                                        how_to_decide=neutral.DECIDE_WITH_TAGS,
                                        reason="escalation request sent to the managers"))
    part.decisions.append(Decision("escalation.requested",
                                   f"{summary} {neutral.DECIDE_WITH_TAGS}", now,
                                   {"severity": request.severity, "round": round_}))
    markers.spend_decisions(ticket)
    memory.update(phase="awaiting_decision", severity=request.severity,
                  submitted_at=now.isoformat(), markers=markers.to_json())
    part.add(_reminder(policy, ticket, memory, now))
    return part


def _clear_stale_decisions(ticket: Ticket, round_: int) -> list[Action]:
    """Take an earlier round's decision off the ticket, so the managers can decide anew."""
    actions: list[Action] = []
    stale = tuple(t for t in (APPROVED_TAG, DECLINED_TAG, SEVERITY_ACCEPTED_TAG)
                  if t in ticket.tags)
    if stale:
        actions.append(ChangeTags(ref=ticket.ref, key=f"escalation:{round_}:clear", remove=stale,
                                  reason="an earlier round's decision does not decide this one"))
    if _decision_field(ticket):
        actions.append(SetFields(ref=ticket.ref, key=f"escalation:{round_}:clear",
                                 fields={"escalation_decision": None},
                                 reason="an earlier round's decision does not decide this one"))
    return actions


def _decision(policy: Policy, ticket: Ticket, memory: dict[str, Any], markers: Markers,
              now: datetime) -> Part:
    rules = policy.escalation
    part = Part()
    round_ = memory["round"]
    verdict = markers.verdict(ticket)
    if verdict is None:
        part.add(_reminder(policy, ticket, memory, now))
        return part
    approved = verdict == "approved"
    reason = ticket.fields.get("escalation_decision_reason")
    if approved:
        part.actions.append(Assign(ref=ticket.ref, key=f"escalation:{round_}:assign",
                                   group=rules.escalation_group,
                                   reason=f"escalation approved: assigned to "
                                          f"{rules.escalation_group}"))
        accepted = (SEVERITY_ACCEPTED_TAG in ticket.tags
                    or bool(ticket.fields.get("escalation_severity_accepted")))
        severity = memory.get("severity")
        text = "A support manager has approved your escalation request"
        if accepted and severity and severity != ticket.severity:
            part.actions.append(SetFields(ref=ticket.ref, key=f"escalation:{round_}:severity",
                                          fields={"vendor_severity": severity},
                                          reason=f"escalation approved at severity {severity}"))
            text += f" and set the ticket to severity {severity}"
        text += f"; {rules.escalation_group} will take it from here."
        if reason:
            text += f" {reason}"
    else:
        text = "A support manager has reviewed your escalation request and decided not to " \
               "escalate this ticket at this time."
        text += f" {reason}" if reason else " The manager will be in touch to explain why."
    if rules.communicate_decision:
        part.actions.append(AddComment(ref=ticket.ref, key=f"escalation:{round_}:decision",
                                       body=text, public=True, reason="decision communicated"))
    if APPROVAL_REQUESTED_TAG in ticket.tags:
        part.actions.append(ChangeTags(ref=ticket.ref, key=f"escalation:{round_}:decided",
                                       remove=(APPROVAL_REQUESTED_TAG,),
                                       reason=f"escalation {verdict}: no longer awaiting approval"))
    part.decisions.append(Decision(f"escalation.{verdict}", text, now, {"round": round_}))
    markers.spend_requests(ticket)
    markers.spend_decisions(ticket)
    memory.update(phase="decided", decision=verdict, decided_at=now.isoformat())
    return part


def _reminder(policy: Policy, ticket: Ticket, memory: dict[str, Any], now: datetime) -> Part:
    part = Part()
    wait = policy.escalation.decision_within
    if wait is None:
        return part
    at = policy.after(datetime.fromisoformat(memory["submitted_at"]), wait, ticket.location)
    if now < at:
        part.timers.append(TimerSpec("escalation:remind", at, {"round": memory["round"]}))
        return part
    text = (f"Reminder: the escalation request on this ticket has waited {wait} for a decision "
            f"by {policy.escalation.manager_group}.")
    part.actions.append(AddComment(ref=ticket.ref, key=f"escalation:{memory['round']}:remind",
                                   body=text, public=False, reason=text))
    return part


def _severity_id(policy: Policy, name: str | None) -> str:
    if not name:
        return "unset"
    try:
        return policy.severity(name).id
    except LookupError:
        return name


def _customer_comments(ticket: Ticket, after: datetime | None) -> list[Comment]:
    return sorted((c for c in ticket.comments if c.author_role == "customer" and c.public
                   and (after is None or c.created_at > after)), key=lambda c: c.created_at)


def _answered_since(ticket: Ticket, asked_at: object) -> bool:
    if not isinstance(asked_at, str):
        return False
    return bool(_customer_comments(ticket, datetime.fromisoformat(asked_at)))


def _reason(texts: list[str]) -> str | None:
    for text in texts:
        stripped = _ASKS.sub("", text)
        stripped = re.sub(r"\b(please|can you|could you|we want to|i want to|this ticket)\b",
                          "", stripped, flags=re.IGNORECASE)
        if len(re.findall(r"[A-Za-z]{3,}", stripped)) >= 4:
            return text.strip()
    return None


def _severity(policy: Policy, texts: list[str]) -> str | None:
    """The severity the customer says they expect, read as the classifier reads it."""
    return next((found for text in texts if (found := requested_severity(policy, text))), None)


def _contact(texts: list[str]) -> str | None:
    for text in texts:
        match = _EMAIL.search(text) or _PHONE.search(text)
        if match:
            return match.group(0)
    return None
