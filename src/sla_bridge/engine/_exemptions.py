"""Exemptions: tagged conditions under which the policy's targets do not bind.

The clocks pause while an exemption's tag is on the ticket (see ``_timeline``); this module
tells the agents, and the customer where the policy says so, each time the tag is set.
"""

from __future__ import annotations

from datetime import datetime

from sla_bridge.actions import AddComment
from sla_bridge.policy import Policy
from sla_bridge.records import Decision
from sla_bridge.tickets import Ticket

from ._memory import TicketMemory
from ._outcome import Part


def exemptions(policy: Policy, ticket: Ticket, memory: TicketMemory, now: datetime) -> Part:
    """Note each exemption once per time its tag is set on the ticket."""
    part = Part()
    if not policy.exemptions:
        return part
    seen: dict[str, int] = dict(memory.exemptions)  # name -> times set (odd: on)
    for name, exemption in policy.exemptions.items():
        times = int(seen.get(name, 0))
        on = exemption.tag in ticket.tags
        if on == (times % 2 == 1):
            continue
        times += 1
        seen[name] = times
        if not on:
            continue
        round_ = (times + 1) // 2
        why = f"exemption {name}: the tag {exemption.tag} is on the ticket"
        paused = " The SLA clocks are paused while the tag is on." if exemption.pause_clocks else ""
        part.actions.append(AddComment(ref=ticket.ref, key=f"exemption:{name}:{round_}:note",
                                       body=f"{exemption.note.strip()}{paused}", public=False,
                                       reason=why))
        if exemption.reply:
            part.actions.append(AddComment(ref=ticket.ref, key=f"exemption:{name}:{round_}:reply",
                                           body=exemption.reply.strip(), public=True, reason=why))
        part.decisions.append(Decision(f"exemption.{name}", why, now, {"tag": exemption.tag}))
    part.state["exemptions"] = seen
    return part
