"""Settings of the Zendesk plugin: ``SLA_BRIDGE_ZENDESK__*`` variables (and ``.env``).

The field mapping says where each neutral ticket attribute lives in Zendesk. A mapping
value is one or more *sources*, comma-separated; reading takes the first that has a value,
writing goes to the first that can be written:

``priority``
    The ticket's priority (urgent, high, normal, low). For ``customer_severity`` it is the
    priority the ticket was *created* with; for ``vendor_severity`` it is the current
    priority once someone (an agent, a macro, the bridge) has changed it.
``field:<id>`` or ``field:<title>``
    A custom ticket field, by id or by its exact title (looked up once and cached).
``org:<key>``
    A custom organization field of the requester's organization (read only).
``user:<key>``
    A custom user field of the requester (read only).
``tag:<prefix>``
    A tag starting with ``<prefix>``; the value is the rest (``tag:plan_`` reads ``gold``
    from the tag ``plan_gold``). Writing replaces the ticket's tags with that prefix.
``none``
    Not kept in Zendesk.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, ClassVar

from pydantic import Field, SecretStr, TypeAdapter, ValidationError, field_validator

from sla_bridge import platformkit
from sla_bridge.platformkit import PlatformSettings, RequiredSettings, platform_settings_config

PLATFORM = "zendesk"
ENV_PREFIX = "SLA_BRIDGE_ZENDESK__"
PRIORITIES = ("urgent", "high", "normal", "low")


class Source(platformkit.Source):
    """One place a neutral attribute can live in Zendesk."""

    # What the bridge can write through the ticket.
    writable_kinds = frozenset({"priority", "field", "tag"})


SOURCES = platformkit.SourceSyntax(
    Source, {"priority": None, "none": None, "field": ".+", "org": ".+", "user": ".+",
             "tag": ".+"},
    usage="priority, field:<id or title>, org:<key>, user:<key>, tag:<prefix> or none",
    unmapped=lambda name: Source("field", platformkit.field_title(name)))


def parse_sources(spec: str) -> tuple[Source, ...]:
    """Parse ``"field:123, org:plan"`` into sources; raise ``ValueError`` on a bad one."""
    return SOURCES.parse(spec)


class FieldMap(platformkit.SourceMap[Source]):
    """Where each neutral attribute lives (``SLA_BRIDGE_ZENDESK__FIELDS__<NAME>``).

    Names other than those below (for instance ``sla_next_update_due`` or a field a
    future workflow sets) can be added the same way; an unmapped neutral field is looked
    for in a custom ticket field titled like the name (``sla_resolution_due`` -> "SLA
    resolution due").
    """

    syntax = SOURCES

    plan: str = "org:support_plan"
    location: str = "org:support_location"
    customer_severity: str = "priority"
    vendor_severity: str = "priority"
    product: str = "tag:product_"
    version: str = "tag:version_"
    sla_first_response_due: str = "field:SLA first response due"
    sla_next_update_due: str = "field:SLA next update due"
    escalation_reason: str = "field:SLA escalation reason"
    escalation_severity: str = "field:SLA escalation severity"
    escalation_contact: str = "field:SLA escalation contact"
    escalation_decision: str = "none"
    escalation_decision_reason: str = "field:SLA escalation decision reason"
    escalation_severity_accepted: str = "none"
    request_type: str = "none"


_UNITS = {"w": timedelta(weeks=1), "d": timedelta(days=1), "h": timedelta(hours=1),
          "m": timedelta(minutes=1), "s": timedelta(seconds=1)}
_COMPACT = re.compile(r"^(?:\d+(?:\.\d+)?[wdhms])+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")
# How often the periodic resync may run at the most (Zendesk's export has no data for the
# most recent minute, and allows 10 requests a minute).
MIN_RESYNC_EVERY = timedelta(minutes=1)


def parse_duration(text: str) -> timedelta:
    """``90s``, ``15m``, ``2h``, ``3d``, ``1w``, ``1h30m``, a number of seconds, or an ISO
    8601 duration (``PT15M``); :class:`ValueError` naming the forms for anything else."""
    compact = text.strip().lower().replace(" ", "")
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", compact):
            return timedelta(seconds=float(compact))
        if _COMPACT.match(compact):
            return sum((float(n) * _UNITS[unit] for n, unit in _PART.findall(compact)),
                       timedelta(0))
    except OverflowError:  # past timedelta's 999999999 days
        raise ValueError(f"{text!r} is too long a duration; use e.g. 15m, 1h or 1d") from None
    try:
        value = TypeAdapter(timedelta).validate_python(text.strip())
    except ValidationError:
        raise ValueError(f"{text!r} is not a duration; use e.g. 90s, 15m, 2h, 3d, 1w, 1h30m "
                         "or PT15M") from None
    if value < timedelta(0):
        raise ValueError(f"{text!r} is negative; a duration is positive")
    return value


# Severity ids, labels and aliases of the bundled policies -> Zendesk priority.
DEFAULT_PRIORITY_MAP: dict[str, str] = {
    "1": "urgent", "sev1": "urgent", "critical": "urgent", "urgent": "urgent",
    "highest": "urgent",
    "2": "high", "sev2": "high", "high": "high",
    "3": "normal", "sev3": "normal", "medium": "normal", "normal": "normal",
    "4": "low", "sev4": "low", "low": "low", "lowest": "low",
}


class ZendeskSettings(PlatformSettings):
    """The Zendesk account, its webhook secret, and where the bridge's data lives.

    The connection (``BASE_URL``, ``TIMEOUT_SECONDS``, ``LOOKUP_TTL_SECONDS``,
    ``WEBHOOK_SECRET``, ``SIGNATURE_TOLERANCE_SECONDS``) is the kit's
    :class:`~sla_bridge.platformkit.PlatformSettings`.
    """

    model_config = platform_settings_config(PLATFORM)
    platform_label: ClassVar[str] = "Zendesk"
    required_settings: ClassVar[RequiredSettings] = (("subdomain", "base_url"), "email",
                                                     "api_token")
    summary_fields: ClassVar[tuple[str, ...]] = ("subdomain", "base_url", "email", "api_token",
                                                 "webhook_secret")

    subdomain: str = Field(default="", description="The account: <subdomain>.zendesk.com.")
    email: str = Field(default="", description="The bridge's API user (an agent or admin).")
    api_token: SecretStr = Field(default=SecretStr(""), description="That user's API token.")
    bridge_user_id: int | None = Field(
        default=None,
        description="The API user's id; looked up once with /users/me when unset.",
    )
    fields: FieldMap = FieldMap()
    priority_map: dict[str, str] = Field(
        default_factory=dict,
        description="Severity (id, label or alias) -> Zendesk priority, added to the built-in "
        "map (1/sev1/critical/urgent -> urgent, 2/high -> high, 3/medium/normal -> normal, "
        "4/low -> low); used when vendor_severity is kept in the priority.",
    )
    registered_admin_tag: str = Field(
        default="support_admin",
        description="End users with this tag are their organization's registered admins.",
    )
    webhook_name: str = Field(default="sla-bridge", description="Name of the webhook setup "
                              "manages; triggers and macros are titled with this prefix.")
    first_read_check_every: int = Field(
        default=20, ge=1,
        description="The first read of a ticket is built from its audits (one request); the "
        "first such read of a process and every N-th after it also reads the ticket and "
        "compares (a difference turns these reads off, with a warning); 1: every time.",
    )
    resync_every: timedelta | None = Field(
        default=None,
        description="Look again, this often, at every ticket changed since the last look "
        "(the Incremental Ticket Export), for webhooks Zendesk never delivered: e.g. 15m, 1h; "
        "at least 1m; unset or off: never (`sla-bridge zendesk resync` does it by hand).",
    )

    @field_validator("resync_every", mode="before")
    @classmethod
    def _read_resync_every(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().lower() in ("", "off", "none", "never", "0"):
                return None
            return parse_duration(value)
        return value

    @field_validator("resync_every")
    @classmethod
    def _check_resync_every(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < MIN_RESYNC_EVERY:
            raise ValueError("at least 1m: Zendesk's export has no data for the most recent "
                             "minute and allows 10 requests a minute")
        return value

    @field_validator("priority_map")
    @classmethod
    def _check_priorities(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted({v for v in value.values() if v not in PRIORITIES})
        if bad:
            raise ValueError(f"priorities must be one of {', '.join(PRIORITIES)}; got {bad}")
        return {k.lower(): v for k, v in value.items()}

    @field_validator("subdomain")
    @classmethod
    def _check_subdomain(cls, value: str) -> str:
        value = value.strip()
        if value.endswith(".zendesk.com"):
            value = value[: -len(".zendesk.com")]
        if value and not re.match(r"^[A-Za-z0-9][A-Za-z0-9-]*$", value):
            raise ValueError("the subdomain alone, e.g. acme for acme.zendesk.com")
        return value

    @property
    def priorities(self) -> dict[str, str]:
        """The built-in severity -> priority map with the configured entries over it."""
        return {**DEFAULT_PRIORITY_MAP, **self.priority_map}

    @property
    def account(self) -> str:
        """The subdomain zenpy is given (``sandbox`` when only a base URL is set)."""
        return self.subdomain or "sandbox"

    @property
    def canonical_url(self) -> str:
        """``https://<subdomain>.zendesk.com``: the URL zenpy builds and Zendesk links use."""
        return f"https://{self.account}.zendesk.com"
