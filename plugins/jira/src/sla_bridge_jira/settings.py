"""Settings of the Jira Service Management plugin: ``SLA_BRIDGE_JIRA__*`` (and ``.env``).

The connection is the site (``BASE_URL``, e.g. ``https://acme.atlassian.net``, or a sandbox),
the bridge's Atlassian account (``EMAIL``) and its API token (``API_TOKEN``, sent as Basic
auth); ``WEBHOOK_SECRET`` checks admin webhooks, ``AUTOMATION_SECRET`` automation rules'
"Send web request"; ``PROJECTS`` names the service desk projects the bridge looks after.

The field mapping says where each neutral attribute lives in Jira. A value is one or more
*sources*, comma-separated; reading takes the first that has a value, writing goes to the
first that can be written:

``priority``
    The issue's priority (Highest, High, Medium, Low, Lowest). For ``customer_severity`` it
    is the priority the request was *raised* with (read from the changelog); for
    ``vendor_severity`` the current one.
``field:<id>`` or ``field:<name>``
    A custom field, by id (``customfield_10050``) or by its exact name (looked up once with
    ``GET /rest/api/2/field`` and cached). Select fields are read and written by option value.
``org:<key>``
    A property of the request's first organization (read only), e.g. ``org:support_plan``
    reads ``/rest/servicedeskapi/organization/{id}/property/support_plan``.
``label:<prefix>``
    A label starting with ``<prefix>``; the value is the rest (``label:plan_`` reads ``gold``
    from ``plan_gold``). Writing replaces the issue's labels with that prefix.
``none``
    Not kept in Jira.

Why plan and location default to organization properties: in JSM the customer's contract
belongs to the *organization* (the request's "Organizations" field), which every request of
that customer carries without anyone typing it, as Zendesk organization fields do; JSM has
no organization custom fields, but organization properties are its documented key-value
store for them (research A3). A team that records the plan on the request instead maps it
to a custom field (``field:Support plan``).

Statuses: Jira workflows are the team's own, so the neutral status comes from the workflow
status *name* through ``STATUS_MAP`` (case-insensitive), then from its *category* through
``CATEGORY_MAP`` (``new`` -> new, ``indeterminate`` -> open, ``done`` -> solved). "Closed"
is whatever the map says is closed: JSM accepts updates to closed issues, so the bridge's
"closed is final" is decided here, not by an HTTP error. Writing a status transitions the
issue to the workflow status ``STATUS_TARGETS`` names for it.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, SecretStr, field_validator

from sla_bridge import platformkit
from sla_bridge.platformkit import (
    LowerNameMap,
    NameMap,
    PlatformSettings,
    RequiredSettings,
    platform_settings_config,
    url_setting,
)
from sla_bridge.settings import CommaList
from sla_bridge.tickets import Status

PLATFORM = "jira"
ENV_PREFIX = "SLA_BRIDGE_JIRA__"
# Jira Cloud's default priorities, highest first.
PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")

_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")


class Source(platformkit.Source):
    """One place a neutral attribute can live in Jira."""

    # What the bridge can write through an issue edit.
    writable_kinds = frozenset({"priority", "field", "label"})


SOURCES = platformkit.SourceSyntax(
    Source, {"priority": None, "none": None, "field": ".+", "org": ".+", "label": ".+"},
    usage="priority, field:<id or name>, org:<property key>, label:<prefix> or none",
    unmapped=lambda name: Source("field", platformkit.field_title(name)))


def parse_sources(spec: str) -> tuple[Source, ...]:
    """Parse ``"field:customfield_10050, org:plan"`` into sources; ``ValueError`` on a bad one."""
    return SOURCES.parse(spec)


class FieldMap(platformkit.SourceMap[Source]):
    """Where each neutral attribute lives (``SLA_BRIDGE_JIRA__FIELDS__<NAME>``).

    Other neutral names can be added the same way; an unmapped one is looked for in a custom
    field named like it (``sla_resolution_due`` -> "SLA resolution due").
    """

    syntax = SOURCES

    plan: str = "org:support_plan"
    location: str = "org:support_location"
    customer_severity: str = "priority"
    vendor_severity: str = "priority"
    product: str = "label:product_"
    version: str = "label:version_"
    # Jira issues have no group: a group picker custom field, or a label prefix.
    group: str = "none"
    sla_first_response_due: str = "field:SLA first response due"
    sla_next_update_due: str = "field:SLA next update due"
    escalation_reason: str = "field:SLA escalation reason"
    escalation_severity: str = "field:SLA escalation severity"
    escalation_contact: str = "field:SLA escalation contact"
    escalation_decision: str = "none"
    escalation_decision_reason: str = "field:SLA escalation decision reason"
    escalation_severity_accepted: str = "none"
    request_type: str = "none"


# JSM's default service project statuses (workflows are the team's own: STATUS_MAP adds to
# or overrides these by name).
DEFAULT_STATUS_MAP: dict[str, Status] = {
    "open": Status.OPEN,
    "waiting for support": Status.OPEN,
    "in progress": Status.OPEN,
    "work in progress": Status.OPEN,
    "escalated": Status.OPEN,
    "waiting for customer": Status.PENDING,
    "pending": Status.HOLD,
    "waiting for approval": Status.HOLD,
    "resolved": Status.SOLVED,
    "done": Status.SOLVED,
    "closed": Status.CLOSED,
    "canceled": Status.CLOSED,
    "cancelled": Status.CLOSED,
    "declined": Status.SOLVED,  # e.g. an approval declined: a customer reply reopens it
}
DEFAULT_CATEGORY_MAP: dict[str, Status] = {
    "new": Status.NEW, "undefined": Status.OPEN, "indeterminate": Status.OPEN,
    "done": Status.SOLVED,
}
# The workflow status each neutral status is written as.
DEFAULT_STATUS_TARGETS: dict[Status, str] = {
    Status.NEW: "Waiting for support",
    Status.OPEN: "Waiting for support",
    Status.PENDING: "Waiting for customer",
    Status.HOLD: "Pending",
    Status.SOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
# Severity ids, labels and aliases of the bundled policies -> Jira priority name.
DEFAULT_PRIORITY_MAP: dict[str, str] = {
    "1": "Highest", "sev1": "Highest", "critical": "Highest", "urgent": "Highest",
    "highest": "Highest",
    "2": "High", "sev2": "High", "high": "High",
    "3": "Medium", "sev3": "Medium", "medium": "Medium", "normal": "Medium",
    "4": "Low", "sev4": "Low", "low": "Low",
    "5": "Lowest", "lowest": "Lowest",
}


class JiraSettings(PlatformSettings):
    """The Jira Service Management site, its secrets, and where the bridge's data lives.

    ``TIMEOUT_SECONDS`` and ``LOOKUP_TTL_SECONDS`` are the kit's
    :class:`~sla_bridge.platformkit.PlatformSettings`; retries are the bridge's
    (``SLA_BRIDGE_RETRY__*``): the jira client itself never retries.
    """

    model_config = platform_settings_config(PLATFORM)
    platform_label: ClassVar[str] = "Jira Service Management"
    required_settings: ClassVar[RequiredSettings] = ("base_url", "email", "api_token")
    summary_fields: ClassVar[tuple[str, ...]] = ("base_url", "email", "api_token",
                                                 "webhook_secret", "automation_secret",
                                                 "projects")

    base_url: str | None = Field(
        default=None, description="The site, e.g. https://acme.atlassian.net (a sandbox's "
        "http://127.0.0.1:8766 in tests).")
    email: str = Field(default="", description="The bridge's Atlassian account (an agent of "
                       "the service desk projects).")
    api_token: SecretStr = Field(default=SecretStr(""), description="That account's API "
                                 "token (id.atlassian.com -> Security -> API tokens).")
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="The admin webhook's secret: deliveries are "
        "checked as X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>; without it every "
        "admin webhook is refused.")
    automation_secret: SecretStr = Field(
        default=SecretStr(""), description="The value automation rules send in the hidden "
        "header X-Sla-Bridge-Secret; without it every automation request is refused.")
    signature_tolerance_seconds: int = Field(
        default=86_400, ge=60, description="Jira signs no timestamp, only the body, whose "
        "'timestamp' stays the same across Jira's retries (up to about 75 minutes later): a "
        "signed delivery older than this is refused as a replay; younger ones are told apart "
        "by X-Atlassian-Webhook-Identifier, which the inbox keeps for "
        "SLA_BRIDGE_RETENTION__PROCESSED_EVENTS_DAYS (7 days) after processing. Keep it "
        "below that retention.")
    projects: CommaList = Field(
        default_factory=list, description="The service desk project keys the bridge looks "
        "after, comma-separated (SUP,HELP); events of other projects are acknowledged and "
        "ignored. Empty: every project.")
    bridge_account_id: str | None = Field(
        default=None, description="The bridge account's accountId; looked up once with "
        "/rest/api/2/myself when unset.")
    fields: FieldMap = FieldMap()
    status_map: NameMap[Status] = Field(
        default_factory=dict, description="Workflow status name -> neutral status (new, "
        "open, pending, hold, solved, closed), over the built-in map of JSM's default "
        "statuses (Waiting for customer -> pending, Resolved -> solved, Closed -> closed...).")
    category_map: NameMap[Status] = Field(
        default_factory=dict, description="Status category key (new, indeterminate, done) -> "
        "neutral status, for statuses STATUS_MAP does not name.")
    status_targets: dict[Status, str] = Field(
        default_factory=dict, description="Neutral status -> the workflow status the bridge "
        "transitions to (e.g. {\"pending\": \"Waiting for customer\"}), over the defaults.")
    priority_map: NameMap[str] = Field(
        default_factory=dict, description="Severity (id, label or alias) -> Jira priority "
        "name, over the built-in map (1/sev1/critical -> Highest, 2 -> High, 3 -> Medium, "
        "4 -> Low); used when vendor_severity is kept in the priority.")
    channel_map: LowerNameMap = Field(
        default_factory=dict, description="Request type name -> the channel the policy "
        "knows (web, email, chat, phone); an unmapped request type is its name, lower-case.")
    resolution: str = Field(default="Done", description="The resolution set by a transition "
                            "whose screen asks for one (e.g. to Resolved).")
    approval_status: str = Field(
        default="", description="The workflow status with the approval step (e.g. 'Waiting "
        "for approval'); unset: approvals are an internal note and the label "
        "sla_approval_requested.")
    approvers_field: str = Field(default="Approvers", description="The approvers user "
                                 "picker field, by id or name.")
    approvers: dict[str, list[str]] = Field(
        default_factory=dict, description="Policy group -> the accountIds the bridge puts in "
        "the approvers field, e.g. {\"support-managers\": [\"5b10ac8d82e05b22cc7d4ef5\"]}.")
    follow_up_request_type: str = Field(
        default="", description="The request type id of follow-ups; unset: the closed "
        "request's own.")
    link_type: str = Field(default="Relates", description="The issue link type between a "
                           "follow-up and the closed request.")
    search_lag_seconds: float = Field(
        default=60, ge=0, description="How long Jira Cloud's search may take to show a new "
        "request (it is eventually consistent): a follow-up whose creation may have landed "
        "is looked for, and raised again only once this long has passed since the attempt.")
    registered_admin_property: str = Field(
        default="registered_admins", description="The organization property listing the "
        "accountIds of the organization's registered admins (JSON list).")

    @field_validator("base_url")
    @classmethod
    def _check_site(cls, value: str | None) -> str | None:
        return url_setting(value, r"^https?://[^/\s]+(/\S*)?$",
                           "must be the site's URL, e.g. https://acme.atlassian.net")

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str) -> str:
        value = value.strip()
        if value and not re.match(r"^[^@\s]+@[^@\s]+$", value):
            raise ValueError("must be the bridge account's e-mail address, e.g. "
                             "sla-bridge@acme.com")
        return value

    @field_validator("projects")
    @classmethod
    def _check_projects(cls, value: list[str]) -> list[str]:
        keys = [p.strip().upper() for p in value]
        bad = [k for k in keys if not _PROJECT_KEY.match(k)]
        if bad:
            raise ValueError(f"{', '.join(bad)}: project keys are letters, digits and '_', "
                             "starting with a letter (e.g. SUP,HELP)")
        return keys

    @field_validator("follow_up_request_type")
    @classmethod
    def _check_request_type(cls, value: str) -> str:
        value = value.strip()
        if value and not value.isdecimal():
            raise ValueError("the request type's id (a number, e.g. 25: Project settings -> "
                             "Request types, or GET /rest/servicedeskapi/servicedesk/{id}/"
                             "requesttype), not its name")
        return value

    @property
    def statuses(self) -> dict[str, Status]:
        """Workflow status name (lower-case) -> neutral status: the defaults, then the map."""
        return {**DEFAULT_STATUS_MAP, **self.status_map}

    @property
    def categories(self) -> dict[str, Status]:
        """Status category key -> neutral status: the defaults, then the map."""
        return {**DEFAULT_CATEGORY_MAP, **self.category_map}

    @property
    def targets(self) -> dict[Status, str]:
        """Neutral status -> the workflow status written for it."""
        return {**DEFAULT_STATUS_TARGETS, **self.status_targets}

    @property
    def priorities(self) -> dict[str, str]:
        """Severity (lower-case) -> Jira priority name: the defaults, then the map."""
        return {**DEFAULT_PRIORITY_MAP, **self.priority_map}

    def priority_for(self, value: Any) -> str | None:
        """The Jira priority name for a severity or neutral priority ``value``, or ``None``."""
        text = str(value).strip()
        for name in PRIORITIES:
            if text.lower() == name.lower():
                return name
        return self.priorities.get(text.lower())

    def watches(self, project_key: str | None) -> bool:
        """Whether events of ``project_key`` are the bridge's (every project when unset)."""
        return not self.projects or (project_key or "").upper() in self.projects
