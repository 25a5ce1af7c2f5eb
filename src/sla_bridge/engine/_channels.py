"""Channel hours: a ticket that came in by a channel outside the hours it is staffed."""

from __future__ import annotations

from datetime import datetime

from sla_bridge.actions import AddComment
from sla_bridge.policy import Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Ticket

from ._memory import TicketMemory
from ._outcome import Part


def channel_hours(policy: Policy, ticket: Ticket, memory: TicketMemory, now: datetime) -> Part:
    """On a new ticket, once: if its channel was not staffed when it came in, say so."""
    part = Part()
    channel = (ticket.channel or "").lower()
    hours = policy.channels.get(channel)
    if hours is None or memory.channel_checked or ticket.follow_up_of:
        return part
    part.state["channel_checked"] = now.isoformat()
    _, zone, _ = policy.location_zone(ticket.location)
    calendar = policy.calendar(hours.schedule, zone)
    if calendar.is_open(ticket.created_at):
        return part
    schedule = policy.schedules[hours.schedule]
    staffed = "; ".join(f"{days} {times}" for days, times in schedule.hours.describe()
                        if times != "closed")
    where = calendar.timezone.key
    text = hours.reply or (
        f"Thank you for contacting us by {channel}. {channel.capitalize()} is staffed {staffed} "
        f"({where} time); your request came in outside those hours, so we have recorded it as "
        "a ticket and will answer it here within the response time of your plan.")
    why = (f"the ticket came in by {channel} at {ticket.created_at.astimezone(zone):%a %H:%M %Z}, "
           f"outside the {channel} hours ({staffed}, {where})")
    part.actions.append(AddComment(ref=ticket.ref, key=f"channel:{channel}:closed", body=text,
                                   public=True, reason=why))
    part.decisions.append(Decision(f"channel.{channel}.outside_hours", why, now, {}))
    return part
