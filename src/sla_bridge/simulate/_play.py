"""Playing a story on a desk: its policies, its events in order, then time up to ``until``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from sla_bridge.classify import classify_ticket
from sla_bridge.engine import Situation, select_policy
from sla_bridge.policy import Policy, PolicyError, PolicyLibrary

from ._desk import DEFAULT_AGENT, Classifier, Desk, NotSettled, TicketLife, Write
from ._story import FOLLOW_UP_ADDRESS, ORIGINAL, Story, StoryError, StoryEvent


@dataclass
class StoryResult:
    """A played story: the desk with every ticket's life, and whether the bridge settled."""

    story: Story
    origin: str
    desk: Desk
    settled: bool = True
    # When not settled: the ticket that kept being written, and what its last look wrote.
    unsettled_ticket: str | None = None
    repeating: list[Write] = field(default_factory=list)

    @property
    def original(self) -> TicketLife:
        """The ticket the story opens."""
        return self.desk.lives[0]

    @property
    def until(self) -> datetime:
        """The instant the story was played to (or stopped at, when it did not settle)."""
        if self.settled:
            return self.story.end
        return self.desk.rounds[-1].at

    def children(self, life: TicketLife) -> list[TicketLife]:
        """The follow-ups the bridge opened for ``life``, in creation order."""
        return [other for other in self.desk.lives if other.ticket.follow_up_of == life.id]

    def zone(self, life: TicketLife | None = None) -> tzinfo:
        """The customer's zone of ``life`` (the original by default), as the policy places
        the customer; the zone of the story's ``opened`` instant when no policy applies."""
        life = life or self.original
        policy = select_policy(self.desk.policies, Situation(life.ticket, None, (), self.until))
        if policy is not None:
            try:
                return policy.location_zone(life.ticket.location)[1]
            except LookupError:
                pass
        zone = self.story.ticket.opened.tzinfo
        assert zone is not None  # the story requires a UTC offset
        return zone


def resolve_policies(story: Story, story_file: Path | None, library: PolicyLibrary,
                     override: Sequence[str] = ()) -> list[Policy]:
    """Load the story's policies (or ``override``): bundled names or .toml paths, a relative
    path read against the story file's folder first, then the working directory."""
    names = list(override) or story.policy
    policies, problems = [], []
    for index, name in enumerate(names):
        where = "policy" if len(names) == 1 else f"policy[{index}]"
        reference = name
        if story_file is not None and _looks_like_path(name) and not Path(name).is_absolute():
            beside = story_file.parent / name
            reference = str(beside) if beside.is_file() else name
        try:
            policies.append(library.load(reference))
        except PolicyError as exc:
            problems.append((where if not override else "--policy", str(exc)))
    if problems:
        raise StoryError(story_file or "story", problems)
    return policies


def play_story(story: Story, policies: Sequence[Policy],
               classify: Classifier | None = classify_ticket, *,
               origin: str = "story") -> StoryResult:
    """Play ``story`` under ``policies``, asking ``classify`` as the worker asks its plugins.

    Raises :class:`StoryError` for an event addressed to a follow-up that does not exist
    yet; a bridge that does not settle ends the play early with ``settled`` false.
    """
    desk = Desk(policies, classify)
    result = StoryResult(story, origin, desk)
    try:
        desk.open(story.ticket.opened, **story.ticket.ticket_attributes())
        for index, event in enumerate(story.events):
            desk.advance(event.at)
            _happen(_addressed(result, event, index), event)
        desk.advance(story.end)
    except NotSettled as exc:
        result.settled = False
        result.unsettled_ticket = exc.round.ticket_id
        result.repeating = list(exc.repeating)
    return result


def _happen(life: TicketLife, event: StoryEvent) -> list[Write]:
    changes: dict[str, Any] = event.changes.ticket_updates(life.ticket) if event.changes else {}
    if event.customer is not None:
        return life.customer(event.at, event.customer, attachments=event.attachments,
                             author_id=event.by, **changes)
    if event.agent is not None:
        return life.agent(event.at, event.agent, public=event.public,
                          attachments=event.attachments, author_id=event.by or DEFAULT_AGENT,
                          **changes)
    return life.change(event.at, author_id=event.by, **changes)


def _addressed(result: StoryResult, event: StoryEvent, index: int) -> TicketLife:
    if event.ticket == ORIGINAL:
        return result.original
    match = FOLLOW_UP_ADDRESS.fullmatch(event.ticket)
    assert match is not None  # validated by the story model
    number, made = int(match.group(1)), result.desk.follow_ups
    if number > len(made):
        created = f"{len(made)} follow-up{'s' if len(made) != 1 else ''}"
        raise StoryError(result.origin, [(f"events[{index}].ticket",
                                          f"{event.ticket!r} does not exist at "
                                          f"{event.at.isoformat()}: the bridge had created "
                                          f"{created} by then")])
    return made[number - 1]


def _looks_like_path(name: str) -> bool:
    return name.endswith(".toml") or "/" in name or "\\" in name
