"""Settings of the Salesforce Service Cloud plugin: ``SLA_BRIDGE_SALESFORCE__*`` (and ``.env``).

The connection is the org's My Domain (``INSTANCE_URL``, e.g. ``https://acme.my.salesforce.com``,
or the sandbox's HTTPS URL), its id (``ORGANIZATION_ID``: every Outbound Message must carry it)
and one complete set of credentials:

* ``ACCESS_TOKEN``: a session or OAuth access token, used as it is (it cannot be renewed);
* ``USERNAME`` + ``PASSWORD`` + ``SECURITY_TOKEN``: the SOAP ``login()`` (renewed on expiry);
* ``CLIENT_ID`` + ``PRIVATE_KEY_FILE`` + ``USERNAME``: the OAuth 2.0 JWT bearer flow of a
  connected app (renewed on expiry).

``CA_BUNDLE`` names a CA file for a private CA (or the sandbox's); ``API_VERSION`` pins the
REST version. Flow HTTP callouts carry ``FLOW_SECRET`` in the header ``X-Sla-Bridge-Secret``.

The field mapping says where each neutral attribute lives. A value is one or more *sources*,
comma-separated; reading takes the first that has a value, writing goes to the first that can
be written:

``priority``
    The case's Priority picklist (High, Medium, Low by default).
``case:<API name>``
    A Case field, standard or custom (``case:Type``, ``case:SLA_Vendor_Severity__c``).
``account:<API name>``
    A field of the case's Account (read only), e.g. ``account:SLA_Support_Plan__c``.
``entitlement:<API name>``
    A field of the case's Entitlement (read only), e.g. ``entitlement:Name``.
``none``
    Not kept in Salesforce.

Every mapped field is read in the one SOQL query that reads a case, so a field the org does not
have fails that query (``INVALID_FIELD``): ``sla-bridge salesforce check`` names such fields.

Registered admins (the contacts a plan's admin limit counts) are the Contacts of the case's
Account whose checkbox ``REGISTERED_ADMIN_FIELD`` (``SLA_Registered_Admin__c``) is ticked, in
the order they were registered (``CreatedDate``); with it empty the bridge skips the admin check.

Statuses: a case is closed when its status is one whose ``IsClosed`` is true (Salesforce's
``CaseStatus``; the case's own read-only ``IsClosed`` says so). Among the open ones,
``STATUS_MAP`` names statuses by neutral status, then ``PENDING_STATUSES`` are waiting on the
customer, ``New`` is new and every other status is open. Writing a status sets the status
``STATUS_TARGETS`` names for it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator

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

from .fieldmap import API_NAME, FieldMap, Source, parse_sources

__all__ = ["FieldMap", "SalesforceSettings", "Source", "parse_sources"]

PLATFORM = "salesforce"
ENV_PREFIX = "SLA_BRIDGE_SALESFORCE__"
# Salesforce's REST API version the plugin is written and tested against (Spring '26).
DEFAULT_API_VERSION = "66.0"
# The standard Case priorities, highest first.
PRIORITIES = ("High", "Medium", "Low")

_FIELD = re.compile(rf"^{API_NAME}$")
# Record ids: 15 case-sensitive characters, or 18 with the case-checksum suffix.
_ORG_ID = re.compile(r"^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$")
_RECORD_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
_VERSION = re.compile(r"^[1-9][0-9]?\.0$")
# Which credential sets simple-salesforce can log in with, by the settings each needs.
CREDENTIAL_SETS: dict[str, tuple[str, ...]] = {
    "access token": ("access_token",),
    "password": ("username", "password", "security_token"),
    "JWT bearer": ("client_id", "private_key_file", "username"),
}
CredentialMode = Literal["access token", "password", "JWT bearer"]


DEFAULT_PENDING_STATUSES = ["Waiting on Customer"]
# The Case status each neutral status is written as (Salesforce has no "solved": a solved
# case is closed, and a customer's reply then opens a follow-up).
DEFAULT_STATUS_TARGETS: dict[Status, str] = {
    Status.NEW: "New",
    Status.OPEN: "Working",
    Status.PENDING: "Waiting on Customer",
    Status.HOLD: "On Hold",
    Status.SOLVED: "Closed",
    Status.CLOSED: "Closed",
}
# Severity ids, labels and aliases of the bundled policies -> Case priority.
DEFAULT_PRIORITY_MAP: dict[str, str] = {
    "1": "High", "sev1": "High", "critical": "High", "urgent": "High", "high": "High",
    "2": "High", "sev2": "High",
    "3": "Medium", "sev3": "Medium", "medium": "Medium", "normal": "Medium",
    "4": "Low", "sev4": "Low", "low": "Low",
}
# Case Origin picklist values -> the channel the policies know.
DEFAULT_CHANNEL_MAP: dict[str, str] = {"phone": "phone", "email": "email", "web": "web",
                                       "chat": "chat"}


class SalesforceSettings(PlatformSettings):
    """The Salesforce org, its credentials, and where the bridge's data lives on a Case.

    ``TIMEOUT_SECONDS`` and ``LOOKUP_TTL_SECONDS`` are the kit's
    :class:`~sla_bridge.platformkit.PlatformSettings` (simple-salesforce sets no timeout; the
    plugin's session does); retries are the bridge's (``SLA_BRIDGE_RETRY__*``), with
    ``LIMIT_BACKOFF_SECONDS`` for the org's API limit, which Salesforce signals without a
    ``Retry-After``.
    """

    model_config = platform_settings_config(PLATFORM)
    platform_label: ClassVar[str] = "Salesforce"
    required_settings: ClassVar[RequiredSettings] = ("instance_url", "organization_id")
    summary_fields: ClassVar[tuple[str, ...]] = (
        "instance_url", "organization_id", "api_version", "username", "client_id",
        "access_token", "password", "security_token", "flow_secret", "endpoint_secret")

    base_url: str | None = Field(
        default=None, description="Not used by Salesforce: calls go to INSTANCE_URL.")
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="Not used by Salesforce: Outbound Messages are "
        "checked by ORGANIZATION_ID (and ENDPOINT_SECRET), Flow callouts by FLOW_SECRET.")
    instance_url: str | None = Field(
        default=None, description="The org's My Domain URL, e.g. "
        "https://acme.my.salesforce.com (the sandbox's https://127.0.0.1:<port> in tests).")
    organization_id: str = Field(
        default="", description="The org's id (00D..., 15 or 18 characters; Setup -> Company "
        "Information): an Outbound Message carrying another is refused with 401.")
    access_token: SecretStr = Field(
        default=SecretStr(""), description="A session or OAuth access token, used as it is.")
    username: str = Field(default="", description="The bridge's integration user "
                          "(password or JWT bearer login).")
    password: SecretStr = Field(default=SecretStr(""), description="That user's password.")
    security_token: SecretStr = Field(default=SecretStr(""), description="That user's "
                                      "security token (Settings -> Reset My Security Token).")
    client_id: str = Field(default="", description="The connected app's consumer key (JWT "
                           "bearer login).")
    private_key_file: Path | None = Field(
        default=None, description="The PEM private key whose certificate the connected app "
        "holds (JWT bearer login).")
    login_url: str | None = Field(
        default="https://login.salesforce.com", description="Where password and JWT logins "
        "go: https://login.salesforce.com, https://test.salesforce.com for a Salesforce "
        "sandbox org, or the bridge's sandbox URL in tests.")
    ca_bundle: Path | None = Field(
        default=None, description="A CA file (PEM) to verify Salesforce's TLS certificate "
        "with instead of the system's: a private CA or the sandbox's.")
    api_version: str = Field(default=DEFAULT_API_VERSION, description="The REST API "
                             "version every call uses, e.g. 66.0.")
    flow_secret: SecretStr = Field(
        default=SecretStr(""), description="The value Flow HTTP callouts send in the header "
        "X-Sla-Bridge-Secret (the External Credential's custom header); without it every "
        "Flow callout is refused.")
    endpoint_secret: SecretStr = Field(
        default=SecretStr(""), description="Optional: a secret the Outbound Message's "
        "endpoint URL carries as ?secret=<value>; when set, a message without it is refused.")
    bridge_user_id: str | None = Field(
        default=None, description="The integration user's id (005...); looked up once "
        "with /services/oauth2/userinfo when unset.")
    fields: FieldMap = FieldMap()
    pending_statuses: CommaList = Field(
        default_factory=lambda: list(DEFAULT_PENDING_STATUSES), description="The open Case "
        "statuses that wait on the customer (their clocks pause where the policy says so), "
        "comma-separated.")
    status_map: NameMap[Status] = Field(
        default_factory=dict, description="Open Case status -> neutral status (new, open, "
        "pending, hold, solved), e.g. {\"On Hold\": \"hold\"}; a status whose IsClosed is true "
        "is always closed.")
    status_targets: dict[Status, str] = Field(
        default_factory=dict, description="Neutral status -> the Case status the bridge "
        "writes, over the defaults (new: New, open: Working, pending: Waiting on Customer, "
        "hold: On Hold, solved and closed: Closed).")
    priority_map: NameMap[str] = Field(
        default_factory=dict, description="Severity (id, label or alias) -> Case priority, "
        "over the built-in map (1/2 -> High, 3 -> Medium, 4 -> Low); used when a severity is "
        "kept in the Priority.")
    channel_map: LowerNameMap = Field(
        default_factory=dict, description="Case Origin -> the channel the policy knows (web, "
        "email, chat, phone); an unmapped origin is its value, lower-case.")
    follow_up_key_field: str = Field(
        default="SLA_Bridge_Key__c", description="A unique External ID text field on Case: "
        "follow-up cases are created by upsert on it, so a retry never makes two.")
    tags_field: str = Field(
        default="SLA_Tags__c", description="A text field on Case holding the bridge's tags, "
        "space-separated (cases have no tags).")
    approval_flag_field: str = Field(
        default="SLA_Approval_Requested__c", description="A checkbox on Case set while an "
        "approval is requested without an approval process (the fallback).")
    registered_admin_field: str = Field(
        default="SLA_Registered_Admin__c", description="A checkbox on Contact ticked for "
        "the Account's registered admins, the contacts a plan's admin limit counts (in "
        "registration order: oldest CreatedDate first); empty: the bridge does not know them "
        "and skips the admin check.")
    approval_process: str = Field(
        default="", description="The approval process (API name or id) escalations are "
        "submitted to with /process/approvals/; unset: an internal comment and the flag "
        "field.")
    approvers: dict[str, list[str]] = Field(
        default_factory=dict, description="Policy group -> the user ids (005...) the "
        "approval is sent to (nextApproverIds), e.g. {\"support-managers\": [\"005...\"]}; "
        "unset: the process's own approvers.")
    complete_milestones: bool = Field(
        default=False, description="Complete the case's first-response CaseMilestone when "
        "the bridge's first-response clock is met, so Salesforce's reports agree.")
    first_response_milestone: str = Field(
        default="First Response", description="The MilestoneType name of the first response.")
    limit_backoff_seconds: float = Field(
        default=300.0, gt=0, description="How long to wait before retrying after the org's "
        "API request limit (403 REQUEST_LIMIT_EXCEEDED): Salesforce sends no Retry-After.")

    @field_validator("instance_url", "login_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return url_setting(value, r"^https://[^/\s]+$",
                           "must be an https:// URL without a path, e.g. "
                           "https://acme.my.salesforce.com (simple-salesforce speaks only HTTPS)")

    @field_validator("organization_id")
    @classmethod
    def _check_org_id(cls, value: str) -> str:
        value = value.strip()
        if value and not _ORG_ID.match(value):
            raise ValueError("must be the org's id: 00D followed by 12 (or 15) letters and "
                             "digits, e.g. 00D5g000004XyZaEAK (Setup -> Company Information)")
        return value

    @field_validator("bridge_user_id")
    @classmethod
    def _check_user_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith("005") or not _RECORD_ID.match(value):
            raise ValueError("must be a user id: 005 followed by 12 (or 15) letters and digits")
        return value

    @field_validator("api_version")
    @classmethod
    def _check_version(cls, value: str) -> str:
        value = value.strip().removeprefix("v")
        if not _VERSION.match(value):
            raise ValueError(f"must be a REST API version such as {DEFAULT_API_VERSION}")
        return value

    @field_validator("ca_bundle", "private_key_file", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: Any) -> Any:
        # Set but empty (``CA_BUNDLE=``) is unset; pydantic would make it Path("."), a folder.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("ca_bundle", "private_key_file")
    @classmethod
    def _check_file(cls, value: Path | None) -> Path | None:
        try:
            readable = value is None or value.is_file()
        except OSError as exc:  # e.g. a name too long for the file system
            raise ValueError(f"not a readable file: {exc.strerror}") from None
        if not readable:
            raise ValueError(f"{value} is not a readable file (leave the variable empty or "
                             "unset for none)")
        return value

    @field_validator("follow_up_key_field", "tags_field", "approval_flag_field",
                     "registered_admin_field")
    @classmethod
    def _check_field_name(cls, value: str) -> str:
        value = value.strip()
        if value and not _FIELD.match(value):
            raise ValueError("must be a field's API name (letters, digits and underscores), "
                             "e.g. SLA_Bridge_Key__c")
        return value

    @field_validator("status_map")
    @classmethod
    def _check_status_map(cls, value: dict[str, Status]) -> dict[str, Status]:
        if Status.CLOSED in value.values():
            raise ValueError("a Case status is closed by its IsClosed flag (Setup -> Case "
                             "Statuses), not by this map")
        return value

    # -- credentials -------------------------------------------------------------------

    def credential_mode(self) -> CredentialMode | None:
        """The first complete credential set (access token, password, JWT bearer), if any."""
        for mode, names in CREDENTIAL_SETS.items():
            if all(self.is_set(n) for n in names):
                return mode  # type: ignore[return-value]
        return None

    def missing(self) -> list[str]:
        """The variables without which the plugin cannot talk to the org: the instance, the
        org id, and the parts of a credential set begun but not finished (or, with none
        begun, the three sets to choose from)."""
        missing = super().missing()
        if self.credential_mode() is not None:
            return missing
        begun = [(mode, names) for mode, names in CREDENTIAL_SETS.items()
                 if any(self.is_set(n) for n in names if n != "username")]
        if not begun and self.is_set("username"):
            begun = [(m, n) for m, n in CREDENTIAL_SETS.items() if "username" in n]
        for mode, names in begun:
            lacking = " and ".join(self.variable(n) for n in names if not self.is_set(n))
            missing.append(f"{lacking} (the {mode} credentials are incomplete)")
        if not begun:
            missing.append(" or ".join(
                "+".join(self.variable(n) for n in names) for names in CREDENTIAL_SETS.values())
                + " (one set of credentials)")
        return missing

    # -- derived -------------------------------------------------------------------------

    def same_org(self, organization_id: str) -> bool:
        """Whether ``organization_id`` (15 or 18 characters) is the configured org: the
        first 15 characters are the id, compared case-sensitively; the last 3 of an 18-character
        id only encode those 15 characters' case."""
        given = organization_id.strip()
        return (len(given) in (15, 18) and bool(self.organization_id)
                and given[:15] == self.organization_id[:15])

    @property
    def statuses(self) -> dict[str, Status]:
        """Open Case status (lower-case) -> neutral status: New, the pending ones, the map."""
        named = {"new": Status.NEW, **{s.lower(): Status.PENDING for s in self.pending_statuses}}
        return {**named, **self.status_map}

    @property
    def targets(self) -> dict[Status, str]:
        """Neutral status -> the Case status written for it."""
        targets = dict(DEFAULT_STATUS_TARGETS)
        if self.pending_statuses:
            targets[Status.PENDING] = self.pending_statuses[0]
        return {**targets, **self.status_targets}

    @property
    def priorities(self) -> dict[str, str]:
        """Severity (lower-case) -> Case priority: the defaults, then the map."""
        return {**DEFAULT_PRIORITY_MAP, **self.priority_map}

    @property
    def channels(self) -> dict[str, str]:
        """Case Origin (lower-case) -> channel: the defaults, then the map."""
        return {**DEFAULT_CHANNEL_MAP, **self.channel_map}
