"""Errors shared across the bridge, importable without loading the database layer."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as configured; the message says what to change."""


class BadDatabaseUrl(StoreError):
    """``SLA_BRIDGE_DATABASE_URL`` is not a URL the bridge can use (a setting to fix)."""


class StoreUnavailable(StoreError):
    """The database does not answer (webhooks get 503 so the sender retries)."""


class SchemaMissing(StoreUnavailable):
    """The database answers but was never migrated: run ``sla-bridge db upgrade``."""
