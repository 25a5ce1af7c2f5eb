"""Errors shared across the bridge, importable without loading the database layer."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class FileProblems(Exception):
    """A file the bridge reads (a policy, a story) with every problem found in it, each as
    (key path, reason); shown one per line as ``file: path: reason``."""

    def __init__(self, file: Path | str, problems: Iterable[tuple[str, str]]) -> None:
        self.file = str(file)
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.file}: {path}: {reason}" if path else f"{self.file}: {reason}"
                 for path, reason in self.problems]
        return "\n".join(lines)


class StoreError(Exception):
    """The database cannot be used as configured; the message says what to change."""


class BadDatabaseUrl(StoreError):
    """``SLA_BRIDGE_DATABASE_URL`` is not a URL the bridge can use (a setting to fix)."""


class StoreUnavailable(StoreError):
    """The database does not answer (webhooks get 503 so the sender retries)."""


class SchemaMissing(StoreUnavailable):
    """The database answers but was never migrated: run ``sla-bridge db upgrade``."""
