"""Entitlement milestones kept in step with the bridge (``COMPLETE_MILESTONES``, off by default).

Salesforce's entitlement processes time milestones by business hours per entitlement; they
cannot pause per customer location as the policies do, so the bridge's clocks are the truth.
With the setting on, the case's open first-response ``CaseMilestone`` (MilestoneType
``FIRST_RESPONSE_MILESTONE``) is completed when the first response is made: its
``CompletionDate`` (the one field of CaseMilestone the API may update) is set to the first
public answer by an agent or the bridge, so Salesforce's own reports agree, see
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_casemilestone.htm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simple_salesforce.format import format_soql

from sla_bridge.tickets import Comment, Ticket

if TYPE_CHECKING:
    from .platform import SalesforcePlatform


def first_response(ticket: Ticket) -> Comment | None:
    """The first public comment an agent or the bridge made, if any."""
    return next((c for c in ticket.comments
                 if c.public and c.author_role in ("agent", "bridge")), None)


def complete_first_response(platform: SalesforcePlatform, ticket: Ticket) -> int:
    """Complete the case's open first-response milestones once it has a first response;
    how many were completed."""
    answer = first_response(ticket)
    case_id = ticket.ref.ticket_id
    if answer is None or platform.cache.peek(("milestone", case_id)):
        return 0
    open_ones = platform.client.query(format_soql(
        "SELECT Id FROM CaseMilestone WHERE CaseId = {} AND IsCompleted = false AND "
        "MilestoneType.Name = {}", case_id, platform.settings.first_response_milestone))
    for milestone in open_ones:
        platform.client.update("CaseMilestone", str(milestone["Id"]),
                               {"CompletionDate": answer.created_at.isoformat()})
    platform.cache.put(("milestone", case_id), True)
    return len(open_ones)
