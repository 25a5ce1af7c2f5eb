"""A played story as a readable timeline, instants in the customer's zone."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sla_bridge.actions import (
    AddComment,
    Assign,
    ChangeTags,
    CreateFollowUp,
    RequestApproval,
    SetFields,
    SetStatus,
)
from sla_bridge.records import ClockRecord, Decision

from ._desk import Write
from ._play import StoryResult

# Decision kind -> the label of its timeline line (as the demo prints them).
_LABELS = {
    "policy.selected": "policy", "policy.none": "policy", "sla.unresolved": "SLA",
    "severity.suggested": "severity", "severity.recategorised": "severity",
    "intake.missing": "intake", "intake.complete": "intake", "entitlement.admin": "entitled?",
    "entitlement.channel": "entitled?", "auto_close.closed": "auto-close",
    "auto_close.solved": "auto-close", "follow_up.opened": "follow-up",
    "sla.first_response.breach": "BREACH", "sla.next_update.breach": "BREACH",
    "action.closed": "REFUSED",
}


def render_timeline(result: StoryResult) -> str:
    """The story told in lines: each trigger, what the bridge wrote and decided after it,
    then the clocks and timers at the end and whether the bridge settled."""
    zone = result.zone()
    lines = [f"sla-bridge simulate {result.origin}" + (f": {result.story.about}"
                                                       if result.story.about else ""),
             f"policies {', '.join(p.id for p in result.desk.policies)}; times in "
             f"{_zone_name(zone)}; until {_local(result.story.end, zone)}"]
    for round_ in result.desk.rounds:
        lines.append("")
        lines.append(f"{_local(round_.at, zone)}   {round_.trigger}")
        name = f"#{round_.ticket_id}"
        for write in round_.writes:
            label, text = describe_write(write)
            lines.append(f"  {name:<6}{label:<10} {text}")
        said = {write.text for write in round_.writes}
        for decision in round_.decisions:
            if decision.summary in said:
                continue  # the write above already says it
            lines.append(f"  {name:<6}{_label(decision):<10} {_flat(decision.summary)}")
        if not round_.writes and not round_.decisions:
            lines.append(f"  {name:<6}{'':<11}(nothing written)")
    lines += ["", f"At {_local(result.until, zone)}:"]
    for life in result.desk.lives:
        for clock in life.memory.clocks if life.memory else ():
            lines.append(f"  #{life.id:<5}{'clock':<11}{describe_clock(clock, zone)}")
        for timer in sorted(life.timers, key=lambda t: t.due_at):
            lines.append(f"  #{life.id:<5}{'timer':<11}{timer.kind} at "
                         f"{_local(timer.due_at, zone)}")
        lines.append(f"  #{life.id:<5}{'ticket':<11}{life.ticket.status}"
                     + (f", assigned to {life.ticket.assignee_id}"
                        if life.ticket.assignee_id else "")
                     + (f", tags {' '.join(sorted(life.ticket.tags))}" if life.ticket.tags
                        else ""))
    lines.append("")
    if result.settled:
        lines.append("Settled: after each of its writes the bridge looked again and wrote "
                     "nothing more.")
    else:
        lines.append(f"NOT SETTLED: ticket #{result.unsettled_ticket} was still being written "
                     f"after {result.desk.max_passes} looks at {_local(result.until, zone)}; "
                     "the story stopped there. Repeating writes:")
        for write in result.repeating:
            label, text = describe_write(write)
            lines.append(f"  {label:<10} {text}")
    return "\n".join(lines) + "\n"


def describe_write(write: Write) -> tuple[str, str]:
    """A label and a few words for one write, e.g. ``("reply", "Thank you ...")``."""
    action = write.action
    if isinstance(action, AddComment):
        return ("reply" if action.public else "note"), _flat(action.body)
    if isinstance(action, SetFields):
        return "fields", ", ".join(f"{k} = {v}" for k, v in action.fields.items())
    if isinstance(action, ChangeTags):
        return "tags", " ".join([*(f"+{t}" for t in action.add),
                                 *(f"-{t}" for t in action.remove)])
    if isinstance(action, SetStatus):
        return "status", f"{action.status} ({action.reason})" if action.reason else action.status
    if isinstance(action, Assign):
        return "assign", " / ".join(x for x in (action.group, action.assignee_id) if x)
    if isinstance(action, CreateFollowUp):
        return "follow-up", f"{action.subject}: {_flat(action.body)}"
    assert isinstance(action, RequestApproval)
    return "approval", f"asked {action.group}: {_flat(action.summary)}"


def describe_clock(clock: ClockRecord, zone: tzinfo) -> str:
    """A clock in one line: metric, target, due, met or breached."""
    text = f"{clock.metric.replace('_', ' ')}, {clock.target}"
    if clock.due_at is not None:
        text += f", due {_local(clock.due_at, zone)}"
    if clock.met_at is not None:
        text += f", met {_local(clock.met_at, zone)}"
    if clock.paused:
        text += ", paused"
    if clock.breached:
        text += ", BREACHED"
    return text


def _label(decision: Decision) -> str:
    if decision.kind in _LABELS:
        return _LABELS[decision.kind]
    if decision.kind.startswith("sla."):
        return "SLA"
    return decision.kind.split(".")[0]


def _flat(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def _local(at: datetime, zone: tzinfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %Y %H:%M %Z}"


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)
