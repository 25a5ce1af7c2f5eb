"""Version support the agents need to know of: a version in its end-of-life period."""

from __future__ import annotations

from datetime import datetime

from sla_bridge.actions import AddComment
from sla_bridge.classify import add_months, check_version, version_facts, version_line
from sla_bridge.policy import Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Ticket

from ._memory import TicketMemory
from ._outcome import Part


def end_of_life(policy: Policy, ticket: Ticket, memory: TicketMemory, now: datetime) -> Part:
    """Once per version line: tell the agents the ticket's version is in its end-of-life
    period (the last ``end_of_life_notice_months`` of its support). An unsupported version
    is the classifier's to judge (it sets ``unsupported_severity``)."""
    part = Part()
    months = policy.versions.end_of_life_notice_months
    line = version_line(ticket.version or "")
    if not months or line is None or memory.end_of_life_noted == line:
        return part
    check = check_version(policy, ticket.version, version_facts(ticket, policy))
    until = check.supported_until
    if not check.supported or until is None or ticket.created_at.date() < add_months(until,
                                                                                     -months):
        return part
    note = (f"Version {line} is in its end-of-life period: supported until {until:%d %b %Y}, "
            "and until then only security-related fixes are provided. The customer should "
            f"plan an upgrade ({check.reason}).")
    part.actions.append(AddComment(ref=ticket.ref, key=f"versions:end_of_life:{line}", body=note,
                                   public=False, reason=note))
    part.decisions.append(Decision("versions.end_of_life", note, now, {"until": str(until)}))
    part.state["end_of_life_noted"] = line
    return part
