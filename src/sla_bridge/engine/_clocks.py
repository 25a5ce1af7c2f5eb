"""SLA clocks: when a target is due, whether it is met, warned about or breached, and the
timers that make the bridge look again at the right instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sla_bridge.actions import Action, AddComment, ChangeTags, SetFields
from sla_bridge.businesstime import explain
from sla_bridge.policy import Metric, Policy, ResolvedTarget
from sla_bridge.store import ClockRecord, Decision, TimerSpec
from sla_bridge.tickets import Ticket

from ._outcome import Situation


@dataclass(frozen=True)
class ClockResult:
    """One clock's state and what follows from it."""

    clock: ClockRecord
    actions: tuple[Action, ...]
    timers: tuple[TimerSpec, ...]
    decisions: tuple[Decision, ...]


def first_public_agent_reply(ticket: Ticket) -> datetime | None:
    """When an agent first answered the customer publicly (meets the first-response target)."""
    replies = [c.created_at for c in ticket.comments if c.public and c.author_role == "agent"]
    return min(replies) if replies else None


def first_response_clock(policy: Policy, target: ResolvedTarget,
                         situation: Situation) -> ClockResult:
    """Compute the first-response clock of a ticket under ``target``."""
    ticket, now = situation.ticket, situation.now
    metric: Metric = "first_response"
    started = ticket.created_at
    calendar = target.calendar
    due = calendar.add(started, target.duration)
    met_at = first_public_agent_reply(ticket)
    remembered = situation.remembered_clock(metric)
    used = calendar.elapsed(started, min(met_at or now, due))
    warn_at = calendar.add(started, target.duration * policy.clocks.warn_at)
    warned = bool(remembered and remembered.warned) or (met_at is None and now >= warn_at)
    breached = met_at > due if met_at else now >= due
    clock = ClockRecord(metric=metric, target=str(target.written), started_at=started,
                        due_at=due, used_seconds=used.total_seconds(), paused=False,
                        warned=warned, breached=breached, met_at=met_at,
                        schedule=target.schedule)

    ref = ticket.ref
    why = explain(calendar, started, due).summary()
    actions: list[Action] = [SetFields(
        ref=ref, key="sla:first_response_due",
        fields={"sla_first_response_due": due.isoformat()},
        reason=f"first response {why}",
    )]
    decisions: list[Decision] = []
    timers: list[TimerSpec] = []
    if met_at is None:
        if not warned:
            timers.append(TimerSpec("first_response:warning", warn_at, {}))
        if not breached:
            timers.append(TimerSpec("first_response:breach", due, {}))
    if warned and not breached and met_at is None:
        actions += _alert(policy, ticket, "warning", due, target)
    if breached and met_at is None:
        actions += _alert(policy, ticket, "breach", due, target)
    if remembered is None or remembered.due_at != due:
        decisions.append(Decision("sla.first_response", f"first response {why}", now,
                                  {"target": str(target.written), "schedule": target.schedule,
                                   "due_at": due.isoformat()}))
    if breached and met_at is None and not (remembered and remembered.breached):
        decisions.append(Decision("sla.breach", f"first response target {target.written} "
                                  f"breached at {due:%a %d %b %H:%M %Z}", now, {}))
    return ClockResult(clock, tuple(actions), tuple(timers), tuple(decisions))


def _alert(policy: Policy, ticket: Ticket, level: str, due: datetime,
           target: ResolvedTarget) -> list[Action]:
    settings = policy.clocks.on_warning if level == "warning" else policy.clocks.on_breach
    ref = ticket.ref
    actions: list[Action] = []
    when = f"{due:%a %d %b %H:%M %Z}"
    text = (f"SLA {'warning' if level == 'warning' else 'breach'}: the first response "
            f"({target.written}, severity {target.severity}, plan {target.plan}) "
            + (f"is due {when}." if level == "warning" else f"was due {when}."))
    if settings.notify_group:
        text += f" Notifying {settings.notify_group}."
    if settings.internal_note:
        actions.append(AddComment(ref=ref, key=f"first_response:{level}", body=text,
                                  public=False, reason=text))
    if settings.tag:
        actions.append(ChangeTags(ref=ref, key=f"first_response:{level}:tag",
                                  add=(settings.tag,), reason=text))
    return actions
