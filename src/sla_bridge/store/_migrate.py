"""Schema migrations with Alembic, run from the bridge (``sla-bridge db upgrade``)."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic configuration for the bundled migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Bring the schema up to ``revision``."""
    command.upgrade(alembic_config(connection), revision)


def head_revision() -> str:
    """Return the newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """Return the revision the database is at, ``None`` when it was never migrated.

    Quietly: every ``/readyz`` asks, and Alembic would log its "Context impl ..." and
    "Will assume ... DDL" lines (INFO) each time.
    """
    token = _QUIET.set(True)
    try:
        return MigrationContext.configure(connection).get_current_revision()
    finally:
        _QUIET.reset(token)


class _QuietFilter(logging.Filter):
    """Drops Alembic's set-up lines while this thread (or task) reads the revision."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _QUIET.get()


_QUIET: ContextVar[bool] = ContextVar("sla_bridge_quiet_alembic", default=False)
# The logger Alembic's MigrationContext writes those lines to; migrations still log theirs.
logging.getLogger("alembic.runtime.migration").addFilter(_QuietFilter())
