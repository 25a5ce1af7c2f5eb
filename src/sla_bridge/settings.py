"""Settings from the environment (prefix ``SLA_BRIDGE_``, ``__`` for nesting) and ``.env``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "SLA_BRIDGE_"
ENV_NESTED_DELIMITER = "__"

CommaList = Annotated[list[str], NoDecode]
_S = TypeVar("_S", bound=BaseSettings)
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "KEY")


class SettingsError(Exception):
    """Settings that cannot be used; each line names the environment variable and the fix."""


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


class Settings(BaseSettings):
    """The bridge's own settings; plugins add sections through ``sla_bridge_register_settings``."""

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
    policy_dirs: Annotated[list[Path], NoDecode] = Field(
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
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    server: ServerSettings = ServerSettings()
    worker: WorkerSettings = WorkerSettings()
    retry: RetrySettings = RetrySettings()
    retention: RetentionSettings = RetentionSettings()

    @field_validator("policies", "plugins", "disabled_plugins", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("policy_dirs", mode="before")
    @classmethod
    def _split_paths(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [Path(part.strip()) for part in value.split(",") if part.strip()]
        return value


def load_settings(env_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings; raise :class:`SettingsError` naming each bad variable.

    ``env_file`` replaces the default ``.env`` in the working directory.
    """
    return load_section(Settings, ENV_PREFIX, env_file=env_file, **overrides)


def load_section(
    cls: type[_S], prefix: str, env_file: Path | None = None, **overrides: Any
) -> _S:
    """Instantiate a settings class, turning validation errors into :class:`SettingsError`."""
    try:
        if env_file is not None:
            return cls(_env_file=env_file, **overrides)
        return cls(**overrides)
    except ValidationError as exc:
        raise SettingsError("\n".join(_explain(prefix, exc))) from None


def _explain(prefix: str, exc: ValidationError) -> Iterator[str]:
    for error in exc.errors():
        parts = [str(p) for p in error["loc"] if not isinstance(p, int)]
        variable = prefix + ENV_NESTED_DELIMITER.join(p.upper() for p in parts)
        given = error.get("input")
        secret = any(word in variable for word in _SECRET_WORDS)
        shown = f", got {given!r}" if isinstance(given, str | int | float) and not secret else ""
        yield f"{variable}: {error['msg']}{shown}"
