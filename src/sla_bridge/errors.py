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


class StoreNotWritable(StoreUnavailable):
    """The database answers but refuses writes: a read-only SQLite file or folder, a
    read-only PostgreSQL server, a full disk. Webhooks get 503 (the sender retries); the
    command line exits 2 when it is a ``setting_problem`` (the file, folder or server named
    by ``SLA_BRIDGE_DATABASE_URL`` is read-only), 1 otherwise (a full or failing disk)."""

    def __init__(self, message: str, *, setting_problem: bool = True) -> None:
        super().__init__(message)
        self.setting_problem = setting_problem
