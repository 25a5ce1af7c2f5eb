"""``sla-bridge zendesk ...``: setup, check, trigger-body and the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sla_bridge.clock import SystemClock
from sla_bridge.platformkit import (
    exit_on_vendor_error,
    run_setup,
    settings_for_command,
    setup_options,
)

from .client import ZendeskClient
from .inbound import trigger_body
from .provision import Provisioner
from .settings import ZendeskSettings


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
                              manager_group, ignore_bridge_updates)
    where = settings.base_url or settings.canonical_url
    click.echo(f"sla-bridge zendesk setup{' (dry run)' if dry_run else ''}: {where}, "
               f"webhook -> {provisioner.endpoint}")
    run_setup(provisioner.plan, settings=settings, errors=client.errors, dry_run=dry_run,
              env_file=env_file, show_secret=show_secret,
              signing_secret=provisioner.signing_secret)


@zendesk_group.command("check")
def check_command() -> None:
    """Show the settings (secrets masked), the API user, and where each mapped value lives."""
    settings = load_settings()
    from .platform import ZendeskPlatform

    platform = ZendeskPlatform(settings, SystemClock())
    for key, value in settings.summary().items():
        click.echo(f"{key:>16}: {value}")
    with exit_on_vendor_error("sla-bridge zendesk check"):
        click.echo(f"{'api user id':>16}: {platform.bridge_user_id()}")
        for name in settings.fields.all():
            resolved = []
            for source in settings.fields.sources(name):
                if source.kind == "field":
                    found = platform.field_id(source.arg)
                    resolved.append(f"{source} (id {found})" if found else f"{source} (MISSING)")
                else:
                    resolved.append(str(source))
            click.echo(f"{name:>26}: {', '.join(resolved)}")


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
