"""``sla-bridge zendesk ...``: setup, check, resync, trigger-body and the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sla_bridge.clock import SystemClock
from sla_bridge.platformkit import (
    Finding,
    command_clock,
    exit_on_vendor_error,
    policy_groups_for_command,
    report_findings,
    run_setup,
    settings_for_command,
    setup_options,
)

from .check import field_findings, webhook_findings
from .client import ZendeskClient
from .inbound import trigger_body
from .provision import Provisioner
from .resync import Changed, Resynced, TicketExport, parse_since, resync
from .settings import PLATFORM, ZendeskSettings
from .setup_groups import group_findings

if TYPE_CHECKING:
    from sla_bridge.cli import AppContext
    from sla_bridge.runtime import Runtime


def load_settings() -> ZendeskSettings:
    """The plugin's settings; a bad or missing variable ends the command with status 2."""
    return settings_for_command(ZendeskSettings)


@click.group("zendesk")
def zendesk_group() -> None:
    """Zendesk: wire the account to the bridge, check the connection, run the sandbox."""


@zendesk_group.command("setup")
@setup_options(ZendeskSettings)
@click.option("--mode", type=click.Choice(["triggers", "events"]), default="triggers",
              show_default=True, help="Triggers with the bridge's JSON body, or a webhook "
              "subscribed to ticket events.")
@click.option("--manager-group", metavar="NAME",
              help="Restrict the escalation macros to this group.")
@click.option("--ignore-bridge-updates", is_flag=True,
              help="Triggers skip updates made by the bridge's own API user.")
def setup_command(bridge_url: str, dry_run: bool, mode: str, manager_group: str | None,
                  ignore_bridge_updates: bool, env_file: Path | None,
                  show_secret: bool) -> None:
    """Create the webhook, triggers, fields and macros the bridge needs (idempotent)."""
    settings = load_settings()
    client = ZendeskClient(settings, SystemClock())
    provisioner = Provisioner(client, settings, bridge_url, mode,  # type: ignore[arg-type]
                              manager_group, ignore_bridge_updates, policy_groups_for_command())
    where = settings.base_url or settings.canonical_url
    click.echo(f"sla-bridge zendesk setup{' (dry run)' if dry_run else ''}: {where}, "
               f"webhook -> {provisioner.endpoint}")
    run_setup(provisioner.plan, settings=settings, errors=client.errors, dry_run=dry_run,
              env_file=env_file, show_secret=show_secret,
              signing_secret=provisioner.signing_secret)


@zendesk_group.command("check")
def check_command() -> None:
    """Check the settings (secrets masked), the API user, the webhook and its signing
    secret, the fields the mapping names and the groups the policies name; exit 1 naming
    each problem and what to do (2 when a setting is missing or invalid)."""
    settings = load_settings()
    groups = policy_groups_for_command()
    from .platform import ZendeskPlatform

    platform = ZendeskPlatform(settings, command_clock())
    for key, value in settings.summary().items():
        click.echo(f"{key:>16}: {value}")
    command = "sla-bridge zendesk check"
    with exit_on_vendor_error(command), platform.client.errors.calling("check"):
        findings = [Finding(True, "api user", settings.email,
                            f"id {platform.bridge_user_id()} (the bridge's own writes are "
                            "recognised by it)")]
        findings += webhook_findings(platform.client, settings)
        findings += field_findings(platform.lookups, settings)
        findings += group_findings(platform.client, groups)
    report_findings(findings)


@zendesk_group.command("resync")
@click.option("--since", "since_text", required=True, metavar="WHEN",
              help="Tickets changed since then: an ISO 8601 instant with its UTC offset "
              "(2026-11-30T09:00:00-06:00) or a duration back from now (2h, 3d, 1h30m).")
@click.pass_context
def resync_command(ctx: click.Context, since_text: str) -> None:
    """Look again at every ticket changed since --since, for the webhooks Zendesk did not
    deliver (refused by the bridge, or lost while it was down).

    Reads Zendesk's Incremental Ticket Export and puts an event for each changed ticket
    into the bridge's inbox (a change already looked at again adds nothing); the bridge's
    workers (`sla-bridge serve`, or `sla-bridge run-due`) reconcile them.
    """
    from sla_bridge.cli import AppContext

    app = ctx.find_object(AppContext)
    now = (app.clock if app is not None else SystemClock()).now()
    try:
        since = parse_since(since_text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    runtime = _runtime(app)
    try:
        platform = runtime.platforms.get(PLATFORM)
        client = getattr(platform, "client", None)
        if not isinstance(client, ZendeskClient):
            missing = runtime.settings.section(ZendeskSettings).missing() or [
                "the Zendesk settings"]
            raise click.UsageError("the Zendesk platform is not configured: set "
                                   + ", ".join(missing))
        _migrated(runtime)
        done = Resynced.starting(since, now)
        _resync_with_progress(client, runtime, done)
    finally:
        runtime.close()


def _runtime(app: AppContext | None) -> Runtime:
    """The bridge as ``sla-bridge`` built it (or from the environment); database problems
    end the command with their message."""
    from sla_bridge.errors import StoreError
    from sla_bridge.policy import PolicyError
    from sla_bridge.runtime import Runtime
    from sla_bridge.settings import SettingsError, load_settings

    try:
        settings = app.settings if app is not None else load_settings()
    except SettingsError as exc:
        raise click.UsageError(f"invalid settings:\n{exc}") from None
    try:
        return Runtime.build(settings, app.clock if app is not None else SystemClock(),
                             app.host if app is not None else None)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except PolicyError as exc:
        raise click.UsageError(f"SLA_BRIDGE_POLICIES: {exc}") from None


def _migrated(runtime: Runtime) -> None:
    """Bring the bridge's database up to date, as ``serve`` and ``run-due`` do."""
    from sla_bridge.errors import StoreError

    try:
        runtime.store.upgrade()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _resync_with_progress(client: ZendeskClient, runtime: Runtime, done: Resynced) -> None:
    """Run the look again with a progress bar over the time it covers; a summary after."""
    span = max(1, int((done.until - done.since).total_seconds()))
    label = (f"Tickets changed from {done.since.isoformat(timespec='seconds')} to "
             f"{done.until.isoformat(timespec='seconds')}")
    shown = done.since

    def item(changed: Changed | None) -> str | None:
        return None if changed is None else f"#{changed.ticket_id} ({done.seen} read)"

    with click.progressbar(length=span, label=label, item_show_func=item) as bar:
        def progress(changed: Changed) -> None:
            nonlocal shown
            reached = min(changed.changed_at, done.until)
            bar.update(max(0, int((reached - shown).total_seconds())), changed)
            shown = max(shown, reached)

        with exit_on_vendor_error("sla-bridge zendesk resync"):
            try:
                resync(TicketExport(client), runtime.store, done, progress)
            except Exception:
                click.echo(f"\nstopped at {done.reached.isoformat(timespec='seconds')} after "
                           f"{done.seen} ticket(s), {done.queued} queued; run again with "
                           f"--since {done.reached.isoformat(timespec='seconds')}", err=True)
                raise
        bar.update(span)
    click.echo(f"{done.seen} changed ticket(s) read, {done.queued} queued for the bridge to "
               f"look at again ({done.seen - done.queued} had been already); changes after "
               f"{done.until.isoformat(timespec='seconds')} come with the next resync")


@zendesk_group.command("trigger-body")
@click.option("--event", default="ticket.updated", show_default=True)
def trigger_body_command(event: str) -> None:
    """Print the JSON body to paste into a trigger's or automation's webhook action."""
    click.echo(trigger_body(event))


@zendesk_group.command("sandbox", context_settings={"ignore_unknown_options": True,
                                                    "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox_command(args: tuple[str, ...]) -> None:
    """Run the Zendesk sandbox on loopback (--help for its options)."""
    from .sandbox.__main__ import main

    sys.exit(main(list(args)))
