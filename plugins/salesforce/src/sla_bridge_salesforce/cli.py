"""``sla-bridge salesforce ...``: setup (the metadata package), check, and the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sla_bridge.platformkit import (
    Finding,
    command_clock,
    exit_on_vendor_error,
    policy_groups_for_command,
    report_findings,
    run_setup,
    settings_for_command,
)

from .check import connect, summary_lines
from .provision import Provisioner, deploy_commands
from .settings import SalesforceSettings
from .setup_fields import field_findings, mapped_fields, org_fields
from .setup_queues import org_queues, queue_findings

#: Where setup keeps the endpoint secret it made up, unless told otherwise.
DEFAULT_ENV_FILE = Path(".env")
#: Where setup writes the metadata package, unless told otherwise.
DEFAULT_OUT = Path("sla-bridge-salesforce-metadata")


def load_settings() -> SalesforceSettings:
    """The plugin's settings; a bad or missing variable ends the command with status 2."""
    return settings_for_command(SalesforceSettings)


def _http_url(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL such as https://bridge.example.com")
    return value


@click.group("salesforce")
def salesforce_group() -> None:
    """Salesforce Service Cloud: wire the org to the bridge, check it, run the sandbox."""


@salesforce_group.command("setup")
@click.option("--bridge-url", required=True, metavar="URL", callback=_http_url,
              help="Where Salesforce reaches the bridge; the Outbound Messages call "
              "URL/webhooks/salesforce.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_OUT, show_default=True, help="The folder the metadata package "
              "is written to (for `sf project deploy start --metadata-dir`).")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an endpoint secret setup makes up here (default: .env).")
@click.option("--show-secret", is_flag=True, help="Print an endpoint secret setup makes up "
              "as an export line instead of writing it to the env file.")
@click.option("--endpoint-secret/--no-endpoint-secret", default=True, show_default=True,
              help="Make up SLA_BRIDGE_SALESFORCE__ENDPOINT_SECRET when unset; the Outbound "
              "Messages' URL carries it.")
def setup_command(bridge_url: str, out_dir: Path, dry_run: bool, env_file: Path | None,
                  show_secret: bool, endpoint_secret: bool) -> None:
    """Write the metadata package wiring the org to the bridge (custom fields, Outbound
    Messages, the Flows sending them, a permission set) and check the fields and queues
    (idempotent: a second run writes nothing)."""
    settings = load_settings()
    groups = policy_groups_for_command()
    command = "sla-bridge salesforce setup"
    connection = connect(settings, command, command_clock())
    target = None if show_secret else (env_file or DEFAULT_ENV_FILE)
    provisioner = Provisioner(connection, bridge_url, out_dir, groups, env_file=target,
                              use_endpoint_secret=endpoint_secret)
    click.echo(f"{command}{' (dry run)' if dry_run else ''}: {settings.instance_url}, "
               f"Outbound Messages -> {provisioner.shown_endpoint}, package in {out_dir}")
    try:
        run_setup(provisioner.plan, settings=settings,
                  errors=connection.client.errors, dry_run=dry_run)
    finally:
        connection.client.close()
    if provisioner.secret_made is not None and target is not None and not dry_run:
        variable = settings.variable("endpoint_secret")
        click.echo(f"  note       restart `sla-bridge serve` if it is running: it reads "
                   f"{variable} only when it starts, and refuses the Outbound Messages (401) "
                   "until then")
    click.echo("")
    click.echo("Next, deploy the package and give the integration user its permission set"
               + (" (after this run without --dry-run):" if dry_run else ":"))
    for line in deploy_commands(out_dir, connection.integration_user):
        click.echo(f"  {line}")


@salesforce_group.command("check")
def check_command() -> None:
    """Check the org, the credentials, the org id, the API version, the fields the settings
    name and the queues the policies name; exit 1 naming each problem and what to do."""
    settings = load_settings()
    groups = policy_groups_for_command()
    for line in summary_lines(settings):
        click.echo(line)
    command = "sla-bridge salesforce check"
    connection = connect(settings, command, command_clock())
    client = connection.client
    findings: list[Finding] = connection.findings()
    try:
        if connection.version_served:
            with exit_on_vendor_error(command), client.errors.calling("check"):
                specs = mapped_fields(settings)
                fields = org_fields(client, {s.object_name for s in specs})
                findings += field_findings(specs, fields)
                findings += queue_findings(org_queues(client), groups)
    finally:
        client.close()
    report_findings(findings)


@salesforce_group.command("sandbox", context_settings={"ignore_unknown_options": True,
                                                       "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox_command(args: tuple[str, ...]) -> None:
    """Run the Salesforce sandbox org on loopback (--help for its options)."""
    from .sandbox.__main__ import main

    sys.exit(main(list(args)))
