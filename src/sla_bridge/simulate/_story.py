"""The story file: a ticket, what people do to it and when, validated with key paths in errors."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)

from sla_bridge.errors import FileProblems
from sla_bridge.policy import key_path_problem
from sla_bridge.tickets import Status, Ticket

ORIGINAL = "original"
FOLLOW_UP_ADDRESS = re.compile(r"follow_up:([1-9][0-9]*)")
STATUSES = ", ".join(s.value for s in Status)


class StoryError(FileProblems):
    """A story that cannot be played, with every problem found and its key path."""


def _instant(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not an ISO 8601 date and time in a string, e.g. "
                         "\"2026-11-25T16:00:00-06:00\"")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time, e.g. "
                         "2026-11-25T16:00:00-06:00") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset, so the instant is ambiguous; add one, "
                         f"e.g. {parsed.isoformat()}-06:00 or {parsed.isoformat()}Z")
    return parsed


def _status(value: object) -> object:
    if value is None or isinstance(value, Status):
        return value
    if not isinstance(value, str) or value.lower() not in {s.value for s in Status}:
        raise ValueError(f"{value!r} is not a status; use one of {STATUSES}")
    return Status(value.lower())


def _text(value: object) -> object:
    """Let ids and severities be written as JSON numbers (``"customer_severity": 2``)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _policies(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _address(value: object) -> object:
    if value == ORIGINAL or (isinstance(value, str) and FOLLOW_UP_ADDRESS.fullmatch(value)):
        return value
    raise ValueError(f"{value!r} is not a ticket of the story; use \"original\" (the default) or "
                     "\"follow_up:N\" for the N-th follow-up the bridge created, from 1")


Instant = Annotated[datetime, BeforeValidator(_instant)]
StoryStatus = Annotated[Status, BeforeValidator(_status)]
Text = Annotated[str, BeforeValidator(_text)]


class _StoryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class StoryTicket(_StoryModel):
    """The ticket as the customer opens it; everything but ``opened`` is optional."""

    opened: Instant
    status: StoryStatus = Status.NEW
    subject: str = ""
    description: str = ""
    requester: Text | None = None
    organization: Text | None = None
    registered_admins: list[Text] | None = None
    plan: Text | None = None
    location: Text | None = None
    channel: Text | None = None
    customer_severity: Text | None = None
    vendor_severity: Text | None = None
    product: Text | None = None
    version: Text | None = None
    brand: Text | None = None
    form: Text | None = None
    tags: list[str] = []
    fields: dict[str, Any] = {}
    assignee: Text | None = None
    group: str | None = None

    def ticket_attributes(self) -> dict[str, Any]:
        """The neutral ticket's attributes (see :class:`sla_bridge.tickets.Ticket`)."""
        values = self.model_dump(exclude={"opened", "requester", "organization", "assignee",
                                          "registered_admins", "tags"})
        values.update(organization_id=self.organization, assignee_id=self.assignee,
                      tags=frozenset(self.tags),
                      registered_admins=(None if self.registered_admins is None
                                         else tuple(self.registered_admins)))
        if self.requester is not None:  # else the desk's default requester
            values["requester_id"] = self.requester
        return values


# Story key -> neutral ticket attribute, where they differ.
_RENAMED = {"assignee": "assignee_id", "requester": "requester_id",
            "organization": "organization_id"}


class TicketChanges(_StoryModel):
    """What an event changes on the ticket; ``null`` clears an attribute or a field."""

    status: StoryStatus | None = None
    subject: str | None = None
    plan: Text | None = None
    location: Text | None = None
    channel: Text | None = None
    customer_severity: Text | None = None
    vendor_severity: Text | None = None
    product: Text | None = None
    version: Text | None = None
    brand: Text | None = None
    form: Text | None = None
    assignee: Text | None = None
    group: str | None = None
    fields: dict[str, Any] = {}
    tags_add: list[str] = []
    tags_remove: list[str] = []

    @model_validator(mode="after")
    def _something_changes(self) -> TicketChanges:
        if not self.model_fields_set:
            raise ValueError("nothing to change; give at least one key, e.g. status")
        if "status" in self.model_fields_set and self.status is None:
            raise ValueError(f"status cannot be cleared; use one of {STATUSES}")
        both = sorted(set(self.tags_add) & set(self.tags_remove))
        if both:
            raise ValueError(f"tags_add and tags_remove both name {', '.join(both)}")
        return self

    def ticket_updates(self, ticket: Ticket) -> dict[str, Any]:
        """The ticket attributes this change sets, given the ticket as it is now."""
        updates: dict[str, Any] = {}
        for key in self.model_fields_set - {"fields", "tags_add", "tags_remove"}:
            updates[_RENAMED.get(key, key)] = getattr(self, key)
        if self.fields:
            fields = {**ticket.fields, **self.fields}
            updates["fields"] = {k: v for k, v in fields.items() if v is not None}
        if self.tags_add or self.tags_remove:
            updates["tags"] = (ticket.tags | set(self.tags_add)) - set(self.tags_remove)
        return updates


class StoryEvent(_StoryModel):
    """One moment of the story: a comment, a change, or both in the same update."""

    at: Instant
    ticket: Annotated[str, BeforeValidator(_address)] = ORIGINAL
    customer: str | None = Field(default=None, min_length=1)
    agent: str | None = Field(default=None, min_length=1)
    public: StrictBool = True
    by: Text | None = None
    attachments: list[str] = []
    changes: TicketChanges | None = Field(default=None, alias="set")

    @model_validator(mode="after")
    def _one_author(self) -> StoryEvent:
        if self.customer is not None and self.agent is not None:
            raise ValueError("an event is one person's update: give customer or agent, not both")
        if self.customer is None and self.agent is None and self.changes is None:
            raise ValueError("nothing happens: give a customer or agent comment, a set, or both")
        if self.customer is not None and not self.public:
            raise ValueError("public: a customer's comment is always public; only agents write "
                             "internal notes")
        if self.attachments and self.customer is None and self.agent is None:
            raise ValueError("attachments come with a comment; add customer or agent text")
        return self


class Story(_StoryModel):
    """A ticket's life to play against a policy: see docs/simulate.md."""

    about: str = ""
    policy: Annotated[list[str], BeforeValidator(_policies), Field(min_length=1)]
    ticket: StoryTicket
    events: list[StoryEvent] = []
    until: Instant | None = None

    @property
    def end(self) -> datetime:
        """Until when the story runs: ``until``, else the last event, else the opening."""
        if self.until is not None:
            return self.until
        return self.events[-1].at if self.events else self.ticket.opened


_KNOWN_KEYS = sorted({field.alias or name
                      for model in (Story, StoryTicket, StoryEvent, TicketChanges)
                      for name, field in model.model_fields.items()})


def parse_story(data: object, origin: Path | str) -> Story:
    """Validate already-parsed story data; ``origin`` names it in errors (StoryError)."""
    if not isinstance(data, Mapping):
        raise StoryError(origin, [("", "a story is a JSON object with the keys policy, ticket, "
                                       "events and until (see docs/simulate.md)")])
    try:
        story = Story.model_validate(data)
    except ValidationError as exc:
        raise StoryError(origin, [_describe(error) for error in exc.errors()]) from None
    problems = list(_time_order(story))
    if problems:
        raise StoryError(origin, problems)
    return story


def load_story(path: Path) -> Story:
    """Read and validate the story file at ``path``; raise :class:`StoryError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryError(path, [("", "no such story file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryError(path, [("", f"cannot read the file: {exc}")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoryError(path, [(f"line {exc.lineno}, column {exc.colno}",
                                 f"not valid JSON: {exc.msg}")]) from None
    return parse_story(data, path)


def _describe(error: Any) -> tuple[str, str]:
    path, message = key_path_problem(error)
    if error["type"] == "extra_forbidden":
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see docs/simulate.md for the keys"
        message = f"unknown key; {hint}"
    return path, message


def _time_order(story: Story) -> Iterable[tuple[str, str]]:
    previous, where = story.ticket.opened, "ticket.opened"
    for index, event in enumerate(story.events):
        if event.at < previous:
            yield (f"events[{index}].at", f"{event.at.isoformat()} is before {where} "
                   f"({previous.isoformat()}); events must be in time order")
        else:
            previous, where = event.at, f"events[{index}].at"
    if story.until is not None and story.until < previous:
        yield ("until", f"{story.until.isoformat()} is before {where} ({previous.isoformat()}); "
                        "the story must run at least until its last event")
