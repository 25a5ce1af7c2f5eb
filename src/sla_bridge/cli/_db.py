"""``sla-bridge db upgrade`` and ``sla-bridge db current``: the database schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from sla_bridge.errors import StoreError

from ._context import AppContext, pass_app, store_problem

if TYPE_CHECKING:
    from sla_bridge.store import Store


@click.group("db")
def db_group() -> None:
    """The state database (SLA_BRIDGE_DATABASE_URL): migrate it, or show its revision."""


def _open(app: AppContext) -> Store:
    from sla_bridge.store import Store

    try:
        return Store(app.settings.database_url, app.clock)
    except StoreError as exc:
        raise store_problem(exc) from None
    except OSError as exc:  # the SQLite file's directory cannot be created
        raise click.ClickException(f"SLA_BRIDGE_DATABASE_URL: {exc}") from None


def _revisions(store: Store) -> tuple[str | None, str]:
    return store.revision(), store.head_revision()


@db_group.command("upgrade")
@pass_app
def upgrade_command(app: AppContext) -> None:
    """Apply pending migrations; prints the revision the database is at."""
    store = _open(app)
    try:
        store.upgrade()
        current, head = _revisions(store)
    except StoreError as exc:
        raise store_problem(exc, f"cannot migrate {store!r}") from None
    finally:
        store.close()
    click.echo(f"database at revision {current} (head)" if current == head
               else f"database at revision {current}; head is {head}")


@db_group.command("current")
@pass_app
def current_command(app: AppContext) -> None:
    """Print the database's revision; exit status 1 when it is behind the newest one."""
    store = _open(app)
    try:
        current, head = _revisions(store)
    except StoreError as exc:
        raise store_problem(exc, f"cannot read {store!r}") from None
    finally:
        store.close()
    if current == head:
        click.echo(f"{current} (head)")
        return
    shown = current or "none (never migrated)"
    click.echo(f"{shown}; head is {head}: run `sla-bridge db upgrade`")
    click.get_current_context().exit(1)
