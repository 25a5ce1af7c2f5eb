"""Policy sections the ticket workflows act on: classification, clocks, auto-close,
escalation, intake, entitlements, versions and which tickets a policy applies to.

They are plain data here; the workflow engine gives them their meaning.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sla_bridge.neutral import BREACHED_TAG, WARNING_TAG

from ._durations import Duration


class Section(BaseModel):
    """Base for policy sections: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliesTo(Section):
    """Which tickets the policy governs; empty lists match everything. First policy wins."""

    plans: list[str] = []
    products: list[str] = []
    brands: list[str] = []
    forms: list[str] = []


class Classification(Section):
    """Who sets severity and what the vendor does when it disagrees with the customer."""

    customer_sets_severity: bool = True
    recategorise: Literal["never", "suggest", "apply"] = "suggest"
    # Below this classifier confidence the bridge only suggests, even when set to apply.
    min_confidence_to_apply: float = Field(default=0.7, ge=0, le=1)


class BreachActions(Section):
    """What to do when a clock crosses its warning threshold or breaches."""

    internal_note: bool = True
    tag: str | None = None
    raise_priority: bool = False
    notify_group: str | None = None


class Clocks(Section):
    """How SLA clocks behave beyond their targets."""

    pause_while_pending: bool = True
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    # "Update every ticket at least once every business day": a cadence for all severities.
    update_cadence: Duration | None = None
    on_warning: BreachActions = BreachActions(tag=WARNING_TAG)
    on_breach: BreachActions = BreachActions(tag=BREACHED_TAG)


class AutoClose(Section):
    """Timed status changes and what a customer reply does to a solved or closed ticket."""

    solved_to_closed_after: Duration | None = None
    pending_to_solved_after: Duration | None = None
    pending_to_closed_after: Duration | None = None
    reopen_on_customer_reply: bool = True
    reassign_to_original_agent: bool = False
    follow_up_on_reply_to_closed: bool = True
    notify_on_solved: bool = False
    notify_on_closed: bool = False
    survey_after_close: bool = False


class Escalation(Section):
    """The customer's escalation request and the manager's approval."""

    enabled: bool = True
    required: list[Literal["ticket", "reason", "severity", "contact"]] = [
        "ticket",
        "reason",
        "severity",
    ]
    manager_group: str = "Support managers"
    escalation_group: str = "Escalations"
    decision_within: Duration | None = None
    communicate_decision: bool = True


IntakeItem = Literal[
    "product",
    "os_version",
    "app_version",
    "device_guid",
    "logs",
    "username_or_email",
    "description",
    "screenshots",
    "cloud_destination",
    "steps_to_reproduce",
]


class Intake(Section):
    """The information a new ticket should carry; what is missing is asked for once."""

    required: list[IntakeItem] = ["description"]
    set_pending_when_missing: bool = False


class Entitlements(Section):
    """Whether only registered admins may open tickets, and how a breach is answered."""

    registered_admins_only: bool = False
    reply_publicly_on_breach: bool = True


class Exemption(Section):
    """A condition, marked on a ticket by a tag, under which the plan's targets do not bind
    (the source's "we cannot commit to response times if ..."). While the tag is on the
    ticket its clocks pause (``pause_clocks``); each time it is set, ``note`` goes to the
    agents and ``reply``, if any, to the customer."""

    tag: str = Field(min_length=1)
    note: str = Field(min_length=1)
    reply: str | None = None
    pause_clocks: bool = True


class ChannelHours(Section):
    """The hours one contact channel (chat, phone) is staffed, and what a ticket that came in
    by it outside them is told. ``reply`` defaults to a sentence built from the hours."""

    schedule: str
    reply: str | None = None


class Versions(Section):
    """Which product versions are supported; tickets on others get ``unsupported_severity``.

    ``latest`` (the newest released version) and ``releases`` (version -> general
    availability date) are the facts the rules need; keep them current as releases ship.
    A ticket's ``latest_version`` / ``release_dates`` fields, where a platform has them,
    take precedence.
    """

    rule: Literal["any", "latest_only", "newest_majors", "months_after_next_ga"] = "any"
    newest_majors: int | None = Field(default=None, ge=1)
    months_after_next_ga: int | None = Field(default=None, ge=1)
    unsupported_severity: str | None = None
    latest: str | None = None
    releases: dict[str, date] = {}
    # Months before the end of support from which the agents are told the version is in its
    # end-of-life period (Code42: "we will only provide security-related fixes").
    end_of_life_notice_months: int | None = Field(default=None, ge=1)
