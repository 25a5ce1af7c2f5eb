"""``sla-bridge zendesk ...``: setup, check, trigger-body and the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sla_bridge.clock import SystemClock
from sla_bridge.platforms import VendorError
from sla_bridge.settings import SettingsError, load_section

from .client import ZendeskClient, calling
from .inbound import trigger_body
from .provision import SECRET_VARIABLE, Provisioner, write_env_secret
from .settings import ENV_PREFIX, ZendeskSettings


def load_settings() -> ZendeskSettings:
    """The plugin's settings; a bad or missing variable ends the command with status 2."""
    try:
        settings = load_section(ZendeskSettings, ENV_PREFIX)
    except SettingsError as exc:
        raise click.UsageError(f"invalid Zendesk settings:\n{exc}") from None
    missing = settings.missing()
    if missing:
        raise click.UsageError("set " + ", ".join(missing))
    return settings


@click.group("zendesk")
def zendesk_group() -> None:
    """Zendesk: wire the account to the bridge, check the connection, run the sandbox."""


@zendesk_group.command("setup")
@click.option("--bridge-url", required=True, metavar="URL",
              help="Where Zendesk reaches the bridge; the webhook calls URL/webhooks/zendesk.")
@click.option("--dry-run", is_flag=True, help="Print what would be created or changed.")
@click.option("--mode", type=click.Choice(["triggers", "events"]), default="triggers",
              show_default=True, help="Triggers with the bridge's JSON body, or a webhook "
              "subscribed to ticket events.")
@click.option("--manager-group", metavar="NAME",
              help="Restrict the escalation macros to this group.")
@click.option("--ignore-bridge-updates", is_flag=True,
              help="Triggers skip updates made by the bridge's own API user.")
@click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Write the webhook's signing secret here as {SECRET_VARIABLE}.")
@click.option("--show-secret", is_flag=True,
              help="Print the signing secret when the settings do not have it yet.")
def setup_command(bridge_url: str, dry_run: bool, mode: str, manager_group: str | None,
                  ignore_bridge_updates: bool, env_file: Path | None,
                  show_secret: bool) -> None:
    """Create the webhook, triggers, fields and macros the bridge needs (idempotent)."""
    if not bridge_url.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--bridge-url")
    settings = load_settings()
    client = ZendeskClient(settings)
    provisioner = Provisioner(client, settings, bridge_url, mode,  # type: ignore[arg-type]
                              manager_group, ignore_bridge_updates)
    where = settings.base_url or settings.canonical_url
    click.echo(f"sla-bridge zendesk setup{' (dry run)' if dry_run else ''}: {where}, "
               f"webhook -> {provisioner.endpoint}")
    try:
        with calling("setup"):
            plan = provisioner.plan()
            for step in plan.steps:
                click.echo(step.line())
                if dry_run and step.body and step.run is not None:
                    click.echo("             JSON body:")
                    click.echo("\n".join("               " + x for x in step.body.splitlines()))
            if dry_run:
                click.echo(f"{len(plan.changes)} change(s) would be made; nothing was changed "
                           "(dry run).")
                return
            provisioner.apply(plan)
            click.echo(f"{len(plan.changes)} change(s) made." if plan.changes
                       else "Nothing to change.")
            secret = provisioner.signing_secret()
    except VendorError as exc:
        click.echo(f"sla-bridge zendesk setup failed: {exc}", err=True)
        sys.exit(1)
    _report_secret(settings, secret, env_file, show_secret)


def _report_secret(settings: ZendeskSettings, secret: str | None, env_file: Path | None,
                   show_secret: bool) -> None:
    if secret is None:
        return
    if secret == settings.webhook_secret.get_secret_value():
        click.echo(f"  unchanged  signing secret: {SECRET_VARIABLE} matches the webhook's")
        return
    if env_file is not None:
        changed = write_env_secret(env_file, secret)
        click.echo(f"  {'wrote' if changed else 'unchanged':<10} signing secret: "
                   f"{SECRET_VARIABLE} in {env_file}")
    elif show_secret:
        click.echo(f"export {SECRET_VARIABLE}={secret}")
    else:
        click.echo(f"  note       signing secret: set {SECRET_VARIABLE} to the webhook's signing "
                   "secret (rerun with --env-file .env or --show-secret); until then the "
                   "bridge refuses Zendesk's webhooks")


@zendesk_group.command("check")
def check_command() -> None:
    """Show the settings (secrets masked), the API user, and where each mapped value lives."""
    settings = load_settings()
    from .platform import ZendeskPlatform

    platform = ZendeskPlatform(settings, SystemClock())
    for key, value in settings.summary().items():
        click.echo(f"{key:>16}: {value}")
    try:
        user_id = platform.bridge_user_id()
        click.echo(f"{'api user id':>16}: {user_id}")
        for name in settings.fields.all():
            sources = settings.fields.sources(name)
            resolved = []
            for source in sources:
                if source.kind == "field":
                    found = platform.field_id(source.arg)
                    resolved.append(f"{source} (id {found})" if found else f"{source} (MISSING)")
                else:
                    resolved.append(str(source))
            click.echo(f"{name:>26}: {', '.join(resolved)}")
    except VendorError as exc:
        click.echo(f"sla-bridge zendesk check failed: {exc}", err=True)
        sys.exit(1)


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


@click.command("demo")
def demo_command() -> None:
    """Play a scripted week of tickets on the Zendesk sandbox, on a virtual clock.

    Starts the sandbox and the bridge on loopback with SQLite in a temporary folder, runs
    code42-enterprise and crashplan-small-business, and prints what the bridge decided and
    wrote, and why. Needs no account and no network.
    """
    import sys

    from .demo import run_demo

    raise SystemExit(run_demo(sys.stdout))
