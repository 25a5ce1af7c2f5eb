"""Settings from the environment (prefix ``SLA_BRIDGE_``, ``__`` for nesting) and ``.env``.

Or from a mapping given to :func:`load_settings` (``environ=``), for a bridge embedded in a
test or another program: then nothing is read from the process environment or ``.env``, and
the plugins' sections (:meth:`Settings.section`) are read from the same mapping.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pydantic_settings
from dotenv import dotenv_values  # pydantic-settings' own .env reader
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

ENV_PREFIX = "SLA_BRIDGE_"
ENV_NESTED_DELIMITER = "__"
_MODE_SUFFIX = f"{ENV_NESTED_DELIMITER}MODE"


def split_commas(value: Any) -> Any:
    """``"SUP, HELP,,"`` -> ``["SUP", "HELP"]``: a comma-separated setting as the list it
    names (a value that is not a string, e.g. a list given in code, as it is)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list setting, written comma-separated in the environment (``SUP,HELP``).
CommaList = Annotated[list[str], NoDecode, BeforeValidator(split_commas)]

# ``enforce``: the bridge writes its decisions to the helpdesk; ``observe``: it computes and
# records them ("would write ..."), and writes nothing (a first rollout).
Mode = Literal["enforce", "observe"]


def blank_is_none(value: Any) -> Any:
    """An empty or blank variable (``SLA_BRIDGE_ZENDESK__MODE=``) counts as unset."""
    return None if isinstance(value, str) and not value.strip() else value


# A per-platform mode: unset (or blank) follows SLA_BRIDGE_MODE.
ModeOverride = Annotated[Mode | None, BeforeValidator(blank_is_none)]

_S = TypeVar("_S", bound=BaseSettings)
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


class SettingsError(Exception):
    """Settings that cannot be used; each line names the environment variable and the fix."""


# The mapping a settings class being built reads instead of os.environ (set only for the
# construction, so concurrent loads from the process environment are unaffected).
_GIVEN_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("sla_bridge_environ",
                                                                  default=None)


class _MappingSource(EnvSettingsSource):
    """Environment-variable parsing (prefix, nesting, case) over a given mapping."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty,
                              self.env_parse_none_str)


class SectionSettings(BaseSettings):
    """The base of every settings section: read from the process environment and ``.env``,
    or from the mapping :func:`load_section` is given."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Swap the environment and ``.env`` for the given mapping while one is in force."""
        environ = _GIVEN_ENVIRON.get()
        if environ is None:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        return init_settings, _MappingSource(settings_cls, environ)


@contextmanager
def _reading(environ: Mapping[str, str] | None) -> Iterator[None]:
    token = _GIVEN_ENVIRON.set(environ)
    try:
        yield
    finally:
        _GIVEN_ENVIRON.reset(token)


class ServerSettings(BaseModel):
    """Where ``sla-bridge serve`` listens (``SLA_BRIDGE_SERVER__HOST`` and so on)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    run_migrations: bool = True
    # A webhook whose inbox commit takes longer is answered 503 (the sender retries) rather
    # than left hanging while the database does not answer.
    store_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    # Bounds for a server on the internet (docs/security.md); per server process.
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300,
        description="A request whose line and headers have not all arrived this many "
        "seconds after the connection opened (on a kept-alive connection: after its first "
        "byte) is answered 408 and the connection closed.")
    body_timeout_seconds: float = Field(
        default=30.0, gt=0, le=600,
        description="A request whose body has not all arrived this many seconds after its "
        "headers is answered 408 (or cut off, once answered) and the connection closed.")
    keep_alive_seconds: int = Field(
        default=30, ge=1, le=600,
        description="An idle kept-alive connection is closed after this many seconds; "
        "behind a proxy that reuses connections, keep it above the proxy's idle timeout.")
    max_connections: int = Field(
        default=1000, ge=1, le=100_000,
        description="Connections and requests in progress at once per server process; "
        "beyond it a request is answered 503. The open-file limit is raised to fit it.")
    max_header_bytes: int = Field(
        default=32 * 1024, ge=1024, le=1024 * 1024,
        description="Request line and headers together; over it the request is answered "
        "431 and the connection closed, as soon as the limit is passed.")
    max_inflight_body_bytes: int = Field(
        default=32 * 1024 * 1024, ge=64 * 1024, le=1 << 40,
        description="Webhook bodies being read at once, all connections together; a "
        "webhook that would pass it is answered 503 with Retry-After (a body alone in "
        "flight is always admitted, up to max_body_bytes).")


class WorkerSettings(BaseModel):
    """The reconcile workers and timers (``SLA_BRIDGE_WORKER__THREADS`` and so on)."""

    threads: int = Field(default=2, ge=0, le=64)
    lease_seconds: float = Field(default=60.0, gt=0)
    poll_seconds: float = Field(default=0.25, gt=0)
    timer_batch: int = Field(default=2000, ge=1)


class RetentionSettings(BaseModel):
    """How long the bridge keeps what it no longer needs (``SLA_BRIDGE_RETENTION__*``):
    pruned by the timer worker, at most once an ``every_hours``."""

    processed_events_days: float = Field(default=7, gt=0)
    finished_timers_days: float = Field(default=7, gt=0)
    decisions_days: float = Field(default=400, gt=0)
    every_hours: float = Field(default=1, gt=0)


class RetrySettings(BaseModel):
    """Retries of platform API calls before an action goes to the dead letters."""

    attempts: int = Field(default=6, ge=1, le=50)
    initial_seconds: float = Field(default=1.0, ge=0)
    max_seconds: float = Field(default=60.0, ge=0)
    budget_seconds: float = Field(default=300.0, ge=0)


def _switch(value: Any) -> Any:
    """``True``/``yes``/``1``/``on`` -> ``"true"``, their opposites -> ``"false"``; others as
    they are (lower-cased)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        word = value.strip().lower()
        return {"1": "true", "yes": "true", "on": "true",
                "0": "false", "no": "false", "off": "false"}.get(word, word)
    return value


class UiSettings(BaseModel):
    """The dashboard (``SLA_BRIDGE_UI__*``)."""

    cookie_secure: Annotated[Literal["auto", "true", "false"], BeforeValidator(_switch)] = Field(
        default="auto",
        description="Mark the dashboard's session cookie Secure (sent over HTTPS only). auto: "
        "Secure, except for a page reached over plain HTTP at a loopback address "
        "(http://127.0.0.1:8080, http://localhost) for a local trial; true: always (a sign-in "
        "over plain HTTP is refused, saying why); false: never (a trusted network without "
        "TLS, at your own risk).")


class Settings(SectionSettings):
    """The bridge's own settings; plugins add sections through ``sla_bridge_register_settings``
    and read them with :meth:`section`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_NESTED_DELIMITER,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    policies: CommaList = Field(
        default_factory=lambda: ["code42-enterprise"],
        description="Policies to enforce, by name or path, first match wins (comma-separated).",
    )
    policy_dirs: Annotated[list[Path], NoDecode, BeforeValidator(split_commas)] = Field(
        default_factory=list,
        description="Extra directories of policy files, searched before the bundled ones.",
    )
    plugins: CommaList | None = Field(
        default=None,
        description="Allow-list of entry-point plugins to load (comma-separated); unset = all.",
    )
    disabled_plugins: CommaList = Field(
        default_factory=list,
        description="Plugins not to load, by the name `sla-bridge plugins` shows.",
    )
    database_url: str = Field(
        default="sqlite:///./var/sla-bridge.db",
        description="SQLAlchemy URL of the state database.",
    )
    admin_token: SecretStr | None = Field(
        default=None, description="Bearer token for the admin API; unset disables it."
    )
    mode: Mode = Field(
        default="enforce",
        description="enforce: write decisions to the helpdesk; observe: compute, record and "
        "show them, write nothing. SLA_BRIDGE_<PLATFORM>__MODE overrides it per platform.",
    )
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    server: ServerSettings = ServerSettings()
    worker: WorkerSettings = WorkerSettings()
    retry: RetrySettings = RetrySettings()
    retention: RetentionSettings = RetentionSettings()
    ui: UiSettings = UiSettings()

    # Where these settings were read from, so that plugin sections are read alike.
    _env_file: Path | None = PrivateAttr(default=None)
    _environ: Mapping[str, str] | None = PrivateAttr(default=None)
    _modes: dict[str, Mode] = PrivateAttr(default_factory=dict)

    def mode_for(self, platform: str) -> Mode:
        """The mode on ``platform``: its ``SLA_BRIDGE_<PLATFORM>__MODE`` when set, else
        ``SLA_BRIDGE_MODE``; read once per platform, from where these settings were read."""
        if platform not in self._modes:
            section = load_section(_mode_section(platform), _platform_prefix(platform),
                                   env_file=self._env_file, environ=self._environ)
            self._modes[platform] = section.mode or self.mode
        return self._modes[platform]

    def check_modes(self, platforms: Collection[str]) -> None:
        """Refuse, one line per variable, a ``SLA_BRIDGE_<NAME>__MODE`` naming no platform
        of ``platforms`` (a typo would leave the platform it meant enforcing) or holding
        neither ``enforce`` nor ``observe``, for every platform, whatever its settings."""
        known = {name.lower() for name in platforms}
        problems = []
        for variable, value in sorted(self._variables().items()):
            upper = variable.upper()
            if not (upper.startswith(ENV_PREFIX) and upper.endswith(_MODE_SUFFIX)):
                continue
            name = upper[len(ENV_PREFIX):-len(_MODE_SUFFIX)].lower()
            if not name or ENV_NESTED_DELIMITER in name or not (value or "").strip():
                continue
            if name not in known:
                listed = ", ".join(sorted(known)) or "none"
                problems.append(f"{variable}: no platform is named {name!r} (platforms: "
                                f"{listed}); correct the name or remove the variable")
                continue
            try:
                self.mode_for(name)
            except SettingsError as exc:
                problems.append(str(exc))
        if problems:
            raise SettingsError("\n".join(problems))

    def _variables(self) -> Mapping[str, str | None]:
        """The variables these settings were read from: the given mapping, else ``.env``
        under the process environment."""
        if self._environ is not None:
            return self._environ
        env_file = self._env_file or Path(".env")
        from_file = dotenv_values(env_file) if env_file.is_file() else {}
        return {**from_file, **os.environ}

    def section(self, cls: type[_S]) -> _S:
        """A plugin's settings section, read from where these settings were read (the
        process environment and ``.env``, or the mapping given to :func:`load_settings`);
        raise :class:`SettingsError` naming each bad variable."""
        prefix = str(cls.model_config.get("env_prefix") or "")
        return load_section(cls, prefix, env_file=self._env_file, environ=self._environ)


class PlatformModeSection(SectionSettings):
    """The per-platform mode override alone (``SLA_BRIDGE_<PLATFORM>__MODE``), for
    :meth:`Settings.mode_for`; a platform's full section declares the same field."""

    mode: ModeOverride = None


def _platform_prefix(platform: str) -> str:
    return f"{ENV_PREFIX}{platform.upper()}{ENV_NESTED_DELIMITER}"


def _mode_section(platform: str) -> type[PlatformModeSection]:
    """A :class:`PlatformModeSection` reading ``platform``'s variables."""
    config = SettingsConfigDict(env_prefix=_platform_prefix(platform),
                                env_nested_delimiter=ENV_NESTED_DELIMITER, env_file=".env",
                                env_file_encoding="utf-8", extra="ignore")
    return type(f"{platform.title()}ModeSection", (PlatformModeSection,),
                {"model_config": config, "__module__": __name__})


def load_settings(env_file: Path | None = None, *, environ: Mapping[str, str] | None = None,
                  **overrides: Any) -> Settings:
    """Read the settings; raise :class:`SettingsError` naming each bad variable.

    ``env_file`` replaces the default ``.env`` in the working directory; ``environ``, when
    given, is read instead of the process environment and ``.env``. ``overrides`` win over
    both.
    """
    settings = load_section(Settings, ENV_PREFIX, env_file=env_file, environ=environ,
                            **overrides)
    settings._env_file = env_file
    settings._environ = dict(environ) if environ is not None else None
    return settings


def load_section(cls: type[_S], prefix: str, env_file: Path | None = None, *,
                 environ: Mapping[str, str] | None = None, **overrides: Any) -> _S:
    """Instantiate a settings class, turning validation errors into :class:`SettingsError`.

    With ``environ``, a :class:`SectionSettings` class reads that mapping instead of the
    process environment and ``.env``.
    """
    if environ is not None and not issubclass(cls, SectionSettings):
        raise TypeError(f"{cls.__name__} must derive from sla_bridge.settings.SectionSettings "
                        "to be read from a given environment")
    try:
        with _reading(environ):
            if env_file is not None and environ is None:
                return cls(_env_file=env_file, **overrides)
            return cls(**overrides)
    except ValidationError as exc:
        raise SettingsError("\n".join(_explain(prefix, exc))) from None
    except pydantic_settings.SettingsError as exc:
        raise SettingsError(_unparsed(prefix, exc)) from None


def _unparsed(prefix: str, exc: pydantic_settings.SettingsError) -> str:
    """pydantic-settings reads a map or list setting as JSON before validating it: name the
    variable whose value is not JSON, and what it expects."""
    field = re.search(r'field "([^"]+)"', str(exc))
    variable = prefix + (field.group(1).upper() if field else "?")
    cause = f" ({exc.__cause__})" if exc.__cause__ is not None else ""
    return (f"{variable}: not valid JSON{cause}; give a JSON object or list, e.g. "
            f'{variable}=\'{{"name": "value"}}\'')


def _explain(prefix: str, exc: ValidationError) -> Iterator[str]:
    for error in exc.errors():
        parts = [str(p) for p in error["loc"] if not isinstance(p, int)]
        variable = prefix + ENV_NESTED_DELIMITER.join(p.upper() for p in parts)
        given = error.get("input")
        secret = any(word in variable for word in _SECRET_WORDS)
        shown = f", got {given!r}" if isinstance(given, str | int | float) and not secret else ""
        yield f"{variable}: {error['msg']}{shown}"
