"""The settings every platform section shares, and registering a platform only when usable.

A platform's section reads ``SLA_BRIDGE_<NAME>__<FIELD>`` variables (and ``.env``)::

    class AcmeSettings(PlatformSettings):
        model_config = platform_settings_config("acme")
        platform_label: ClassVar[str] = "Acme"
        required_settings: ClassVar[RequiredSettings] = (("site", "base_url"), "api_token")

        site: str = ""
        api_token: SecretStr = SecretStr("")
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, ClassVar, TypeVar, cast

from pydantic import AfterValidator, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from sla_bridge.masking import MASK, secret_values
from sla_bridge.platforms import Platform
from sla_bridge.settings import (
    ENV_NESTED_DELIMITER,
    ENV_PREFIX,
    ModeOverride,
    SectionSettings,
    load_section,
)

# One entry per setting the platform cannot work without; a tuple is "one of these".
RequiredSettings = tuple[str | tuple[str, ...], ...]
_S = TypeVar("_S", bound="PlatformSettings")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_V = TypeVar("_V")


def _names_lowered(value: dict[str, _V]) -> dict[str, _V]:
    return {key.strip().lower(): _stripped(item) for key, item in value.items()}


def _stripped(item: _V) -> _V:
    return cast(_V, item.strip()) if isinstance(item, str) else item


def _all_lowered(value: dict[str, str]) -> dict[str, str]:
    return {key.strip().lower(): item.strip().lower() for key, item in value.items()}


# A JSON map setting keyed by helpdesk names matched case-insensitively (workflow statuses,
# severities): keys are stripped and lower-cased, string values stripped.
NameMap = Annotated[dict[str, _V], AfterValidator(_names_lowered)]
# A JSON map setting of names to names both matched case-insensitively (a request type or
# origin to the policy's channel): keys and values stripped and lower-cased.
LowerNameMap = Annotated[dict[str, str], AfterValidator(_all_lowered)]


def platform_settings_config(name: str) -> SettingsConfigDict:
    """The ``model_config`` of platform ``name``'s section: ``SLA_BRIDGE_<NAME>__*``, ``.env``."""
    if not _NAME.match(name):
        raise ValueError(f"platform name {name!r}: use lower-case letters, digits and '_', "
                         "e.g. 'zendesk' or 'jira_sm'")
    return SettingsConfigDict(
        env_prefix=f"{ENV_PREFIX}{name.upper()}{ENV_NESTED_DELIMITER}",
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )


def url_setting(value: str | None, pattern: str, fix: str) -> str | None:
    """A URL setting as the code uses it: ``None`` when unset or blank, else stripped and
    without its trailing ``/``; :class:`ValueError` saying ``fix`` unless it matches
    ``pattern`` (a regular expression, e.g. ``^https://[^/\\s]+$`` for an origin)."""
    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    if not re.match(pattern, value):
        raise ValueError(fix)
    return value


class PlatformSettings(SectionSettings):
    """The base of a platform's settings section: the connection and the webhook check.

    Subclasses set ``model_config = platform_settings_config(name)``, ``platform_label``
    (the name in messages), ``required_settings`` (what :meth:`missing` checks) and
    ``summary_fields`` (what :meth:`summary` shows).
    """

    platform_label: ClassVar[str] = ""
    required_settings: ClassVar[RequiredSettings] = ()
    summary_fields: ClassVar[tuple[str, ...]] = ("base_url", "webhook_secret")

    base_url: str | None = Field(
        default=None,
        description="Send API calls here instead of the platform's own address (a sandbox "
        "or a proxy), e.g. http://127.0.0.1:8765.",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, description="Per API request.")
    lookup_ttl_seconds: float = Field(
        default=300.0, ge=0, description="How long look-ups (groups, fields, users, "
        "organizations) are cached.")
    webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="The secret the platform's webhooks are signed with; without it every "
        "webhook is refused.",
    )
    signature_tolerance_seconds: int = Field(
        default=300, ge=1, description="Webhooks signed longer ago (or later) than this are "
        "refused.")
    mode: ModeOverride = Field(
        default=None, description="enforce or observe on this platform alone (observe: "
        "decisions are computed, recorded and shown, nothing is written); unset: "
        "SLA_BRIDGE_MODE. The worker reads it through Settings.mode_for.")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a section without its own prefix or label, when the class is defined."""
        super().__pydantic_init_subclass__(**kwargs)
        prefix = str(cls.model_config.get("env_prefix") or "")
        if not prefix.startswith(ENV_PREFIX) or prefix == ENV_PREFIX:
            raise TypeError(f"{cls.__name__}: set model_config = "
                            "platform_settings_config('<name>') (SLA_BRIDGE_<NAME>__*)")
        if not cls.platform_label:
            raise TypeError(f"{cls.__name__}: set platform_label, the platform's name in "
                            "messages (e.g. 'Zendesk')")

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        return url_setting(value, r"^https?://[^/]+",
                           "must be an http(s) URL such as http://127.0.0.1:8765")

    @classmethod
    def env_prefix(cls) -> str:
        """``SLA_BRIDGE_<NAME>__``: how this section's variables start."""
        return str(cls.model_config["env_prefix"])

    @classmethod
    def platform_name(cls) -> str:
        """The section's and the platform's name, e.g. ``zendesk``."""
        return cls.env_prefix()[len(ENV_PREFIX):-len(ENV_NESTED_DELIMITER)].lower()

    @classmethod
    def variable(cls, field_name: str) -> str:
        """The environment variable of a setting: ``webhook_secret`` -> ``..._WEBHOOK_SECRET``."""
        return cls.env_prefix() + field_name.upper()

    @classmethod
    def load(cls: type[_S]) -> _S:
        """Read the section from the process environment and ``.env`` (a command line's way;
        a plugin's hooks use the host's :meth:`~sla_bridge.settings.Settings.section`); raise
        :class:`~sla_bridge.settings.SettingsError` naming each bad variable."""
        return load_section(cls, cls.env_prefix())

    @property
    def signature_tolerance(self) -> timedelta:
        """How far a webhook's signed timestamp may be from the bridge's clock."""
        return timedelta(seconds=self.signature_tolerance_seconds)

    def is_set(self, field_name: str) -> bool:
        """Whether a setting has a value (an empty string or secret counts as unset)."""
        value = getattr(self, field_name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        return value is not None and value != ""

    def missing(self) -> list[str]:
        """The variables without which the plugin cannot talk to the platform, by name."""
        missing = []
        for entry in self.required_settings:
            names = (entry,) if isinstance(entry, str) else entry
            if not any(self.is_set(name) for name in names):
                first, *others = (self.variable(name) for name in names)
                missing.append(first + "".join(f" (or {other})" for other in others))
        return missing

    def secrets(self) -> list[str]:
        """The secret values, for log redaction."""
        return secret_values(self)

    def summary(self) -> dict[str, Any]:
        """The account settings worth showing (``summary_fields``), secrets masked."""
        shown: dict[str, Any] = {}
        for name in self.summary_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = MASK if value.get_secret_value() else ""
            shown[name] = value
        return shown


def register_if_configured(register: Callable[[Platform], None], settings: _S,
                           build: Callable[[_S], Platform], log: logging.Logger,
                           setup_hint: str = "") -> Platform | None:
    """Register the platform ``build`` makes when its settings are complete; else log why.

    For a plugin's ``sla_bridge_register_platforms``: with settings missing, the log names
    the variables to set (never a value) and nothing is registered, so installing a plugin
    never breaks a bridge that does not use it. Without a webhook secret the platform is
    registered and a warning says its webhooks are refused until it is set. ``settings`` is
    the section as the host read it (``settings.section(AcmeSettings)`` in the hook).
    """
    settings_class = type(settings)
    name = settings_class.platform_name()
    missing = settings.missing()
    if missing:
        log.info("%s: platform not registered; set %s", name, ", ".join(missing))
        return None
    if not settings.is_set("webhook_secret"):
        log.warning("%s: %s is not set; %s webhooks are refused until it is%s", name,
                    settings_class.variable("webhook_secret"), settings_class.platform_label,
                    f" ({setup_hint})" if setup_hint else "")
    platform = build(settings)
    register(platform)
    return platform
