"""``sla-bridge run-due`` and ``sla-bridge dead-letters``: timers and failed actions by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from sla_bridge.actions import action_from_json
from sla_bridge.businesstime import format_duration
from sla_bridge.clock import Clock, FixedClock
from sla_bridge.errors import StoreError

from ._context import AppContext, SettingProblem, pass_app, store_problem
from ._due import InstantType
from ._tables import render_table

if TYPE_CHECKING:
    from sla_bridge.runtime import Runtime


@contextmanager
def opened_runtime(app: AppContext, clock: Clock | None = None,
                   migrate: bool = True) -> Iterator[Runtime]:
    """Build the runtime for a command; database problems end it with a clear message, a
    policy that does not load with status 2 naming ``SLA_BRIDGE_POLICIES``."""
    from sla_bridge.policy import PolicyError
    from sla_bridge.runtime import Runtime
    from sla_bridge.settings import SettingsError

    try:
        runtime = Runtime.build(app.settings, clock or app.clock, app.host)
    except StoreError as exc:
        raise store_problem(exc) from None
    except PolicyError as exc:
        raise SettingProblem(f"SLA_BRIDGE_POLICIES: {exc}") from None
    except SettingsError as exc:
        raise SettingProblem(str(exc)) from None
    try:
        if migrate:
            runtime.store.upgrade()
        elif not runtime.store.schema_is_current():
            raise click.ClickException(
                "the database schema is not current; run `sla-bridge db upgrade` first")
        yield runtime
    except StoreError as exc:
        raise store_problem(exc) from None
    finally:
        runtime.close()


# How far ahead of the command's clock --as-of may be without --force: enough for an --as-of
# that a scheduler on another machine, whose clock runs a little ahead, computed as "now";
# far below the minutes SLA targets are counted in, so nothing fires meaningfully early.
EARLY_TOLERANCE = timedelta(seconds=5)


def refuse_early(as_of: datetime, now: datetime) -> None:
    """End ``run-due`` with exit status 2 when ``as_of`` is later than ``now`` (beyond
    :data:`EARLY_TOLERANCE`): it would write warnings, breaches and closes before they are
    due. The message says so and how to preview (``--dry-run``) or act anyway (``--force``)."""
    ahead = as_of - now
    if ahead <= EARLY_TOLERANCE:
        return
    early = _span(ahead)
    raise click.UsageError(
        f"--as-of {as_of.isoformat()} is {early} after now ({now.isoformat(timespec='seconds')}): "
        "run-due would fire every timer due by then and write its warnings, breaches and "
        f"closes to the tickets now, {early} early. Preview them with --dry-run; add --force "
        "to really act as of that instant.")


def _span(span: timedelta) -> str:
    """``span`` for a person: "30 s", "4 h 10 min", "3 days 2 h"."""
    if span < timedelta(minutes=1):
        return f"{round(span.total_seconds())} s"
    if span < timedelta(days=1):
        return format_duration(span)
    days, hours = span.days, span.seconds // 3600
    return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")


@click.command("run-due")
@click.option("--as-of", "as_of", type=InstantType(), required=True,
              help="Process everything due by this instant (ISO 8601 with offset).")
@click.option("--dry-run", is_flag=True, help="List what is due without changing anything.")
@click.option("--force", is_flag=True,
              help="Act even though --as-of is in the future (writes to tickets early).")
@pass_app
def run_due_command(app: AppContext, as_of: datetime, dry_run: bool, force: bool) -> None:
    """Fire the timers due by --as-of and reconcile the tickets they wake.

    For catch-up after downtime, for tests, and to answer "what will fire by Friday?"
    (with --dry-run: a later --as-of without it is refused unless --force is given).
    The clock is set to --as-of for the whole run.
    """
    if not dry_run and not force:
        refuse_early(as_of, app.clock.now())
    with opened_runtime(app, FixedClock(as_of), migrate=not dry_run) as runtime:
        if dry_run:
            timers = runtime.store.timers(due_before=as_of, limit=100_000)
            rows = [[t.due_at.isoformat(), str(t.ref), t.kind] for t in timers]
            click.echo(render_table(["due", "ticket", "timer"], rows) if rows
                       else f"nothing is due by {as_of.isoformat()}")
            return
        from sla_bridge.worker import drain

        report = drain(runtime)
        for timer in report.fired:
            click.echo(f"fired     {timer.due_at.isoformat()}  {timer.ref}  {timer.kind}")
        for result in report.reconciled:
            wrote = [a for a in result.applied if a.outcome == "applied"]
            click.echo(f"reconciled {result.claim.ref}: {result.outcome}, "
                       f"{len(wrote)} action(s) written" + (f" ({result.detail})"
                                                            if result.detail else ""))
        click.echo(f"{len(report.fired)} timer(s) fired, {len(report.reconciled)} ticket(s) "
                   f"reconciled as of {as_of.isoformat()}")


@click.group("dead-letters")
def dead_letters_group() -> None:
    """Inspect, replay or discard actions that failed after their retries."""


@dead_letters_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include replayed and discarded ones.")
@pass_app
def list_command(app: AppContext, show_all: bool) -> None:
    """List dead letters, newest first."""
    with opened_runtime(app, migrate=False) as runtime:
        letters = runtime.store.dead_letters(None if show_all else "open", limit=1000)
    if not letters:
        click.echo("no dead letters" if show_all else "no open dead letters")
        return
    rows = [[str(d.id), d.status, d.created_at.isoformat(timespec="seconds"), str(d.ref),
             json.loads(d.action)["kind"], d.error[:60]] for d in letters]
    click.echo(render_table(["id", "status", "created", "ticket", "action", "error"], rows))


@dead_letters_group.command("show")
@click.argument("letter_id", type=int)
@pass_app
def show_command(app: AppContext, letter_id: int) -> None:
    """Show one dead letter: the full action and the last error."""
    with opened_runtime(app, migrate=False) as runtime:
        letter = runtime.store.get_dead_letter(letter_id)
    if letter is None:
        raise click.ClickException(
            f"no dead letter {letter_id}; see `sla-bridge dead-letters list`")
    click.echo(json.dumps({
        "id": letter.id, "status": letter.status, "ticket": str(letter.ref),
        "key": letter.key, "attempts": letter.attempts, "error": letter.error,
        "created_at": letter.created_at.isoformat(),
        "resolved_at": letter.resolved_at.isoformat() if letter.resolved_at else None,
        "action": json.loads(letter.action),
    }, indent=2))


@dead_letters_group.command("replay")
@click.argument("letter_id", type=int)
@pass_app
def replay_command(app: AppContext, letter_id: int) -> None:
    """Apply a dead letter's action again (with retries); on success it is marked replayed.
    On a platform in observe mode nothing is written: the replay is logged and recorded."""
    with opened_runtime(app, migrate=False) as runtime:
        letter = runtime.store.get_dead_letter(letter_id)
        if letter is None or letter.status != "open":
            raise click.ClickException(f"no open dead letter {letter_id}")
        platform = runtime.platforms.get(letter.ref.platform)
        if platform is None:
            raise click.ClickException(
                f"platform {letter.ref.platform!r} is not loaded; check `sla-bridge plugins` "
                "and its settings")
        if runtime.settings.mode_for(platform.name) == "observe":
            from sla_bridge.worker._observe import observe_replay

            click.echo(observe_replay(runtime.store, platform, letter))
            return
        from sla_bridge.worker import Applier

        applier = Applier(runtime.store, runtime.metrics, runtime.settings.retry)
        result = applier.apply_one(platform, action_from_json(letter.action), letter.key)
        if result.outcome == "applied":
            runtime.store.resolve_dead_letter(letter_id, "replayed")
            click.echo(f"replayed dead letter {letter_id} on {letter.ref}")
            return
        if result.outcome == "dead":  # apply_one kept a new dead letter for this attempt
            runtime.store.resolve_dead_letter(letter_id, "replayed")
        raise click.ClickException(f"replay failed: {result.detail}")


@dead_letters_group.command("discard")
@click.argument("letter_id", type=int)
@pass_app
def discard_command(app: AppContext, letter_id: int) -> None:
    """Give up on a dead letter for good."""
    with opened_runtime(app, migrate=False) as runtime:
        if not runtime.store.resolve_dead_letter(letter_id, "discarded"):
            raise click.ClickException(f"no open dead letter {letter_id}")
    click.echo(f"discarded dead letter {letter_id}")
