"""SLA clocks computed from the observed history: pauses, re-targeting, warnings, breaches.

A clock runs from its start over the ticket's history. While the ticket is pending (if
the policy pauses clocks then) it does not count; once solved or closed it stops. Each
stretch counts business time on the calendar of the target in force during it, so a
change of severity or plan keeps the time already used and re-targets the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sla_bridge.actions import Action, AddComment, ChangeTags, SetFields
from sla_bridge.businesstime import explain, format_duration
from sla_bridge.policy import Metric, Policy, ResolvedTarget
from sla_bridge.records import ClockRecord, Decision, TimerSpec
from sla_bridge.tickets import Status, Ticket
from sla_bridge.urgency import clock_urgency

from ._timeline import Observation

STOPPED = {str(Status.SOLVED), str(Status.CLOSED)}


@dataclass(frozen=True)
class ClockView:
    """One clock at one instant."""

    metric: Metric
    target: ResolvedTarget
    started: datetime
    due: datetime | None  # None while paused or stopped before reaching the target
    warn: datetime | None
    used: timedelta
    paused: bool
    stopped: bool
    met_at: datetime | None
    # Where the stretch that reaches the target begins, and the time used before it (on
    # earlier targets or before a pause): what the explanation starts from.
    leg_start: datetime | None = None
    used_before_leg: timedelta = timedelta(0)
    exempt: bool = False  # paused by an exemption of the policy rather than by Pending

    def breached_by(self, now: datetime) -> bool:
        """Whether the target is missed as of ``now``."""
        if self.due is None:
            return False
        if self.met_at is not None:
            return self.met_at > self.due
        return now >= self.due

    def record(self, now: datetime, warned: bool) -> ClockRecord:
        """The clock as the store keeps it for the admin API."""
        return ClockRecord(metric=self.metric, target=str(self.target.written),
                           started_at=self.started, due_at=self.due,
                           used_seconds=self.used.total_seconds(), paused=self.paused,
                           warned=warned, breached=self.breached_by(now), met_at=self.met_at,
                           schedule=self.target.schedule)


def public_agent_replies(ticket: Ticket) -> list[datetime]:
    """When agents answered the customer publicly, in order."""
    return sorted(c.created_at for c in ticket.comments if c.public and c.author_role == "agent")


def compute_clock(policy: Policy, metric: Metric, started: datetime,
                  history: Sequence[Observation], met_at: datetime | None,
                  now: datetime) -> ClockView:
    """Compute a clock that starts at ``started``; raises LookupError if a target is unknown.

    A met clock is judged on the history up to the answer: what the ticket did after it
    (set pending in the same update, say) does not move its due instant.
    """
    if met_at is not None:
        history = [item for item in history if item.at < met_at] or list(history[:1])
    segments = _segments(history, started)
    pause = policy.clocks.pause_while_pending
    end = min(met_at or now, now)

    def runs(item: Observation) -> bool:
        return (item.status not in STOPPED and not item.exempt
                and not (pause and item.status == Status.PENDING))

    targets = [_target(policy, metric, item) for _, _, item in segments]
    used = timedelta(0)
    for (begin, finish, item), target in zip(segments, targets, strict=True):
        if runs(item) and begin < end:
            used += target.calendar.elapsed(begin, min(finish or end, end))
    last = segments[-1][2]
    due, leg_start, used_before = _reach(segments, targets, runs, 1.0)
    warn, _, _ = _reach(segments, targets, runs, policy.clocks.warn_at)
    return ClockView(
        metric=metric, target=targets[-1], started=started, due=due, warn=warn,
        used=used, paused=((pause and last.status == Status.PENDING) or last.exempt)
        and met_at is None,
        stopped=last.status in STOPPED, met_at=met_at, leg_start=leg_start,
        used_before_leg=used_before, exempt=last.exempt and met_at is None,
    )


def _segments(history: Sequence[Observation],
              started: datetime) -> list[tuple[datetime, datetime | None, Observation]]:
    """The stretches from ``started`` on, each with the attributes in force; last open-ended."""
    in_force = [item for item in history if item.at <= started][-1:] or [history[0]]
    later = [item for item in history if item.at > started]
    items = in_force + later
    segments = []
    for index, item in enumerate(items):
        begin = max(item.at, started)
        finish = items[index + 1].at if index + 1 < len(items) else None
        segments.append((begin, finish, item))
    return segments


def _target(policy: Policy, metric: Metric, item: Observation) -> ResolvedTarget:
    severity = item.severity or policy.severity_ids[-1]
    return policy.target(item.plan, severity, metric, item.location)


def _reach(segments: list[tuple[datetime, datetime | None, Observation]],
           targets: list[ResolvedTarget], runs: Callable[[Observation], bool],
           fraction: float) -> tuple[datetime | None, datetime | None, timedelta]:
    """When the clock reaches ``fraction`` of the target in force (if it runs to it), in the
    customer's zone; with the start of the stretch that reaches it and the time used before."""
    used = timedelta(0)
    for (begin, finish, item), target in zip(segments, targets, strict=True):
        if not runs(item):
            continue
        zone = target.calendar.output_zone
        remaining = target.duration * fraction - used
        if remaining <= timedelta(0):
            # A re-target left no time: reached at the change.
            return begin.astimezone(zone), begin.astimezone(zone), used
        candidate = target.calendar.add(begin, remaining)
        if finish is None or candidate <= finish:
            return candidate, begin.astimezone(zone), used
        used += target.calendar.elapsed(begin, finish)
    return None, None, used


@dataclass(frozen=True)
class ClockEffects:
    """What a clock asks for: its record, field, timers, alerts and audit entries."""

    record: ClockRecord
    actions: tuple[Action, ...]
    timers: tuple[TimerSpec, ...]
    decisions: tuple[Decision, ...]


def clock_effects(policy: Policy, view: ClockView, ticket: Ticket, now: datetime,
                  remembered: ClockRecord | None) -> ClockEffects:
    """Turn a clock into its due-time field, warning/breach timers and alerts."""
    metric, ref = view.metric, ticket.ref
    label = metric.replace("_", " ")
    running = view.met_at is None and not view.stopped and not view.paused
    same_cycle = remembered is not None and remembered.started_at == view.started
    warned = bool(same_cycle and remembered and remembered.warned) or (
        running and view.warn is not None and now >= view.warn)
    breached = view.breached_by(now)
    actions: list[Action] = []
    timers: list[TimerSpec] = []
    decisions: list[Decision] = []
    field = f"sla_{metric}_due"
    if view.due is not None and view.met_at is None:
        why = _why(view)
        actions.append(SetFields(ref=ref, key=f"sla:{metric}:due",
                                 fields={field: view.due.isoformat()},
                                 reason=f"{label} {why}"))
        # Compare in UTC: a due instant in a repeated (fall-back) hour carries fold=1, and
        # == across zones is always False for such a value (PEP 495).
        if remembered is None or remembered.due_at != view.due.astimezone(UTC):
            decisions.append(Decision(f"sla.{metric}", f"{label} {why}", now, {
                "target": str(view.target.written), "schedule": view.target.schedule,
                "severity": view.target.severity, "plan": view.target.plan,
                "due_at": view.due.isoformat(), "used_seconds": view.used.total_seconds()}))
    if view.paused and not (remembered and remembered.paused):
        used = format_duration(view.used)
        why = ("an exemption of the policy applies" if view.exempt
               else "the ticket waits on the customer")
        decisions.append(Decision(f"sla.{metric}.paused",
                                  f"{label} clock paused while {why} "
                                  f"({used} of {view.target.written} used)", now, {}))
    if running:
        # Severity 1's warnings and breaches go first when the vendor's API budget is short.
        urgency = clock_urgency(metric, view.target.severity == policy.severity_ids[0])
        if view.warn is not None and not warned:
            timers.append(TimerSpec(f"{metric}:warning", view.warn, {}, urgency))
        if view.due is not None and not breached:
            timers.append(TimerSpec(f"{metric}:breach", view.due, {}, urgency))
    if running and warned and not breached and view.due is not None:
        actions += _alert(policy, ticket, view, "warning")
    if breached and view.met_at is None and not view.stopped:
        actions += _alert(policy, ticket, view, "breach")
        if not (same_cycle and remembered and remembered.breached):
            assert view.due is not None
            decisions.append(Decision(f"sla.{metric}.breach",
                                      f"{label} target {view.target.written} breached at "
                                      f"{view.due:%a %d %b %H:%M %Z}", now, {}))
    return ClockEffects(view.record(now, warned), tuple(actions), tuple(timers),
                        tuple(decisions))


def _why(view: ClockView) -> str:
    """The walk to the due instant from where the target's last stretch began."""
    assert view.due is not None
    start = view.leg_start or view.started
    why = explain(view.target.calendar, min(start, view.due), view.due).summary()
    if view.used_before_leg > timedelta(0):
        why += (f" ({format_duration(view.used_before_leg)} used before "
                f"{start:%a %d %b %H:%M %Z})")
    return why


def _alert(policy: Policy, ticket: Ticket, view: ClockView, level: str) -> list[Action]:
    settings = policy.clocks.on_warning if level == "warning" else policy.clocks.on_breach
    assert view.due is not None
    ref, metric = ticket.ref, view.metric
    when = f"{view.due:%a %d %b %H:%M %Z}"
    text = (f"SLA {level}: the {metric.replace('_', ' ')} ({view.target.written}, severity "
            f"{view.target.severity}, plan {view.target.plan}) "
            + (f"is due {when}." if level == "warning" else f"was due {when}."))
    if settings.notify_group:
        text += f" Notifying {settings.notify_group}."
    actions: list[Action] = []
    stamp = f"{view.due:%Y%m%dT%H%M}"
    if settings.internal_note:
        actions.append(AddComment(ref=ref, key=f"{metric}:{level}:{stamp}", body=text,
                                  public=False, reason=text))
    tags = [t for t in (settings.tag, f"notify_{_slug(settings.notify_group)}"
                        if settings.notify_group else None) if t]
    if tags:
        actions.append(ChangeTags(ref=ref, key=f"{metric}:{level}:tags", add=tuple(tags),
                                  reason=text))
    if settings.raise_priority:
        actions.append(SetFields(ref=ref, key=f"{metric}:{level}:priority",
                                 fields={"priority": "urgent"}, reason=text))
    return actions


def alert_tags(policy: Policy) -> frozenset[str]:
    """The tags the clocks' warnings and breaches put on a ticket."""
    tags: set[str] = set()
    for settings in (policy.clocks.on_warning, policy.clocks.on_breach):
        if settings.tag:
            tags.add(settings.tag)
        if settings.notify_group:
            tags.add(f"notify_{_slug(settings.notify_group)}")
    return frozenset(tags)


def _slug(text: str | None) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in (text or "").lower()).strip("_")
