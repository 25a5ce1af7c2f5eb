"""Auto-close, re-opening on a customer reply, and follow-ups to closed tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sla_bridge import neutral
from sla_bridge.actions import (
    APPROVAL_REQUESTED_TAG,
    Action,
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    SetFields,
    SetStatus,
)
from sla_bridge.policy import Policy
from sla_bridge.records import Decision, TimerSpec
from sla_bridge.tickets import Comment, Status, Ticket
from sla_bridge.urgency import Urgency

from ._clocks import alert_tags
from ._memory import TicketMemory
from ._outcome import Part
from ._timeline import Observation, status_since

SURVEY_TAG = neutral.SURVEY_TAG


def customer_comments_after(ticket: Ticket, since: datetime) -> list[Comment]:
    """The customer's comments made after ``since``, oldest first."""
    return sorted((c for c in ticket.comments if c.author_role == "customer"
                   and c.created_at > since), key=lambda c: c.created_at)


def lifecycle(policy: Policy, ticket: Ticket, history: Sequence[Observation],
              memory: TicketMemory, now: datetime) -> Part:
    """Decide timed status changes, re-opening, re-assignment and follow-ups."""
    # First, so that an auto-close below can mark its own notice as given.
    part = _notices(policy, ticket, history, memory, now)
    status = ticket.status
    if status in (Status.SOLVED, Status.PENDING):
        since = status_since(history, str(status))
        assert since is not None
        if customer_comments_after(ticket, since):
            part.add(_reopen(policy, ticket, since, memory))
        else:
            part.add(_auto_close(policy, ticket, status, since, now, memory))
    elif status == Status.OPEN and len(history) >= 2:
        part.add(_reassign_after_reopen(policy, ticket, history, memory))
    if status in (Status.SOLVED, Status.PENDING):
        since = status_since(history, str(status))
        assert since is not None
        if memory.last_agent_since != since.isoformat():
            # The agent who set it pending or solved: the one to get a reply back.
            part.state["last_agent"] = ticket.assignee_id or memory.last_agent
            part.state["last_agent_since"] = since.isoformat()
    if status == Status.CLOSED and policy.auto_close.follow_up_on_reply_to_closed:
        since = status_since(history, str(Status.CLOSED))
        assert since is not None
        # Follow-ups first: a platform that refuses writes to the closed ticket (the closed
        # notice) must not keep the customer's reply from its follow-up.
        part.actions[:0] = _follow_ups(ticket, since).actions
    if ticket.follow_up_of and not memory.follow_up_noted:
        note = (f"Follow-up of ticket {ticket.follow_up_of}: a reply to a closed ticket. Its "
                "SLA clocks start now.")
        part.actions.append(AddComment(ref=ticket.ref, key="follow_up:noted", body=note,
                                       public=False, reason=note))
        part.decisions.append(Decision("follow_up.opened", note, now,
                                       {"original": ticket.follow_up_of}))
        part.state["follow_up_noted"] = True
    return part


def follow_up_cleanup(policy: Policy, ticket: Ticket, memory: TicketMemory,
                      actions: Sequence[Action]) -> Part:
    """On a follow-up's first look: take off what it copied of the closed ticket's SLA state
    (warning and breach tags, the survey and approval markers, the next-update due field),
    which says nothing true of the new ticket. What this look writes itself stays."""
    part = Part()
    if not ticket.follow_up_of or memory.follow_up_noted:
        return part
    added = {tag for action in actions if isinstance(action, ChangeTags) for tag in action.add}
    bridge_state = alert_tags(policy) | {SURVEY_TAG, APPROVAL_REQUESTED_TAG}
    copied = tuple(sorted(t for t in ticket.tags if t in bridge_state and t not in added))
    why = f"copied from closed ticket {ticket.follow_up_of}: not true of the follow-up"
    if copied:
        part.actions.append(ChangeTags(ref=ticket.ref, key="follow_up:copied", remove=copied,
                                       reason=why))
    set_here = {name for action in actions if isinstance(action, SetFields)
                for name in action.fields}
    stale = {name: None for name in ("sla_next_update_due",)
             if ticket.fields.get(name) and name not in set_here}
    if stale:
        part.actions.append(SetFields(ref=ticket.ref, key="follow_up:copied", fields=stale,
                                      reason=why))
    return part


def _auto_close(policy: Policy, ticket: Ticket, status: Status, since: datetime,
                now: datetime, memory: TicketMemory) -> Part:
    rules = policy.auto_close
    part = Part()
    if status == Status.SOLVED and rules.solved_to_closed_after:
        delay, goal = rules.solved_to_closed_after, Status.CLOSED
    elif status == Status.PENDING and rules.pending_to_closed_after:
        delay, goal = rules.pending_to_closed_after, Status.CLOSED
    elif status == Status.PENDING and rules.pending_to_solved_after:
        delay, goal = rules.pending_to_solved_after, Status.SOLVED
    else:
        return part
    at = policy.after(since, delay, ticket.location)
    stamp = f"{since:%Y%m%dT%H%M%S}"
    if now < at:
        part.timers.append(TimerSpec(f"auto_close:{status}", at, {"to": str(goal)},
                                     Urgency.HOUSEKEEPING))
        return part
    local = since.astimezone(policy.location_zone(ticket.location)[1])
    why = f"{status} since {local:%a %d %b %H:%M %Z} for {delay}: {goal} automatically"
    if status != Status.SOLVED and ticket.assignee_id is None:
        # A solved ticket has an agent (Zendesk refuses to solve one without): the agent
        # who answered last takes it, in the same update; without one, nothing is solved.
        agent = _answering_agent(ticket, memory)
        if agent is None:
            return _cannot_solve(ticket, status, delay, stamp, now)
        part.actions.append(Assign(ref=ticket.ref, key=f"auto_close:assign:{stamp}",
                                   assignee_id=agent, reason=f"{why}; a solved ticket is "
                                   "assigned to the agent who answered it"))
    if goal == Status.SOLVED:
        text = (f"We have not heard back from you for {delay.amount:g} days, so we are marking "
                "this ticket solved. Reply to this message to re-open it.")
        part.actions.append(AddComment(ref=ticket.ref, key=f"auto_close:solved:{stamp}",
                                       body=text, public=True, reason=why))
        part.state["solved_notified"] = BY_THE_BRIDGE  # that comment is the solved notice
    else:
        part.actions += _closed_notice(policy, ticket, f"auto_close:closed:{stamp}", why,
                                       automatically=True)
        part.state["closed_notified"] = True
    part.actions.append(SetStatus(ref=ticket.ref, key=f"auto_close:{status}:{stamp}",
                                  status=goal, reason=why))
    part.decisions.append(Decision(f"auto_close.{goal}", why, now, {"since": since.isoformat()}))
    return part


BY_THE_BRIDGE = "by the bridge"


def _answering_agent(ticket: Ticket, memory: TicketMemory) -> str | None:
    """The agent a ticket solved without an assignee goes to: who set it pending, or who
    answered the customer last, or its first assignee."""
    answers = [c for c in ticket.comments if c.author_role == "agent" and c.author_id]
    last = max(answers, key=lambda c: c.created_at).author_id if answers else None
    return memory.last_agent or last or ticket.original_assignee_id


def _cannot_solve(ticket: Ticket, status: Status, delay: object, stamp: str,
                  now: datetime) -> Part:
    """No agent to solve the ticket as: say so to the agents once, and solve nothing."""
    part = Part()
    text = (f"This ticket has been {status} for {delay} without a reply from the customer, "
            "but it has no assignee and no agent has answered it, so it was not marked "
            "solved. Assign it to an agent and the bridge will solve it.")
    part.actions.append(AddComment(ref=ticket.ref, key=f"auto_close:unassigned:{stamp}",
                                   body=text, public=False, reason=text))
    part.decisions.append(Decision("auto_close.unassigned", text, now, {}))
    return part


def _notices(policy: Policy, ticket: Ticket, history: Sequence[Observation],
             memory: TicketMemory, now: datetime) -> Part:
    """The solved notice and the closed notice with the survey, once per solve and per close,
    whoever solved or closed the ticket (an agent, the platform, the bridge's own timer)."""
    part = Part()
    rules = policy.auto_close
    since = status_since(history, str(ticket.status))
    stamp = f"{since:%Y%m%dT%H%M%S}" if since else ""
    if ticket.status != Status.SOLVED:
        part.state["solved_notified"] = None
    elif memory.solved_notified == BY_THE_BRIDGE:
        part.state["solved_notified"] = stamp
    elif rules.notify_on_solved and memory.solved_notified != stamp:
        text = "This ticket has been marked solved. If it is not, reply to this message"
        text += (" and it will re-open." if rules.reopen_on_customer_reply else ".")
        if rules.solved_to_closed_after:
            delay = str(rules.solved_to_closed_after).replace("calendar ", "")
            text += f" Without a reply it closes automatically after {delay}."
        why = "the ticket was marked solved: the policy notifies the customer"
        part.actions.append(AddComment(ref=ticket.ref, key=f"solved:notice:{stamp}", body=text,
                                       public=True, reason=why))
        part.decisions.append(Decision("lifecycle.solved_notice", why, now, {}))
        part.state["solved_notified"] = stamp
    if ticket.status != Status.CLOSED:
        part.state["closed_notified"] = None
    elif not memory.closed_notified:
        why = "the ticket was closed: the policy notifies the customer"
        actions = _closed_notice(policy, ticket, f"closed:notice:{stamp}", why,
                                 automatically=False)
        part.actions += actions
        if actions:
            part.decisions.append(Decision("lifecycle.closed_notice", why, now, {}))
        part.state["closed_notified"] = True
    return part


def _closed_notice(policy: Policy, ticket: Ticket, key: str, why: str, *,
                   automatically: bool) -> list[Action]:
    rules = policy.auto_close
    actions: list[Action] = []
    if rules.notify_on_closed:
        text = (f"This ticket has been closed{' automatically' if automatically else ''}. If "
                "you need more help, reply to this message")
        text += (" and we will open a follow-up ticket." if rules.follow_up_on_reply_to_closed
                 else ".")
        actions.append(AddComment(ref=ticket.ref, key=key, body=text, public=True, reason=why))
    if rules.survey_after_close:
        actions.append(ChangeTags(ref=ticket.ref, key="auto_close:survey", add=(SURVEY_TAG,),
                                  reason="survey after closure"))
    return actions


def _reopen(policy: Policy, ticket: Ticket, since: datetime, memory: TicketMemory) -> Part:
    part = Part()
    if not policy.auto_close.reopen_on_customer_reply:
        return part
    stamp = f"{since:%Y%m%dT%H%M%S}"
    why = (f"the customer replied while the ticket was {ticket.status}: re-opened, as the "
           "policy says")
    part.actions.append(SetStatus(ref=ticket.ref, key=f"reopen:{stamp}", status=Status.OPEN,
                                  reason=why))
    agent = _original_agent(ticket, memory)
    if policy.auto_close.reassign_to_original_agent and agent:
        part.actions.append(Assign(ref=ticket.ref, key=f"reopen:assign:{stamp}",
                                   assignee_id=agent,
                                   reason="re-assigned to the original agent, as the policy says"))
    return part


def _reassign_after_reopen(policy: Policy, ticket: Ticket, history: Sequence[Observation],
                           memory: TicketMemory) -> Part:
    """The platform re-opened the ticket on a customer reply; re-assign if the policy says."""
    part = Part()
    before, latest = history[-2], history[-1]
    agent = _original_agent(ticket, memory)
    if (policy.auto_close.reassign_to_original_agent and agent
            and before.status in (Status.SOLVED, Status.PENDING)
            and customer_comments_after(ticket, before.at) and ticket.assignee_id != agent):
        part.actions.append(Assign(ref=ticket.ref, key=f"reopen:assign:{latest.at:%Y%m%dT%H%M%S}",
                                   assignee_id=agent,
                                   reason="re-assigned to the original agent, as the policy says"))
    return part


def _original_agent(ticket: Ticket, memory: TicketMemory) -> str | None:
    """The agent who set the ticket pending or solved (the one the customer was talking to);
    the ticket's first assignee when the bridge did not see that."""
    return memory.last_agent or ticket.original_assignee_id


def _follow_ups(ticket: Ticket, closed_since: datetime) -> Part:
    part = Part()
    for comment in customer_comments_after(ticket, closed_since):
        subject = f"Follow-up to ticket {ticket.display_id}: {ticket.subject}".strip(": ")
        carry = {"organization_id": ticket.organization_id, "requester_id": ticket.requester_id,
                 "plan": ticket.plan, "customer_severity": ticket.customer_severity,
                 "vendor_severity": ticket.vendor_severity, "location": ticket.location,
                 "product": ticket.product, "version": ticket.version,
                 "follow_up_of": ticket.ref.ticket_id}
        why = (f"the customer replied to closed ticket {ticket.display_id}: a new "
               "follow-up ticket carries the reply")
        part.actions.append(CreateFollowUp(ref=ticket.ref, key=f"follow_up:{comment.id}",
                                           subject=subject, body=comment.body,
                                           carry={k: v for k, v in carry.items()
                                                  if v is not None}, reason=why))
    return part
