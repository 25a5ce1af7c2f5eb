"""``sla-bridge jira ...``: setup, check, automation-rule and the sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from pydantic import SecretStr

from sla_bridge.platformkit import (
    Finding,
    command_clock,
    exit_on_vendor_error,
    policy_groups_for_command,
    report_findings,
    run_setup,
    settings_for_command,
    setup_options,
    write_env_variable,
)
from sla_bridge.settings import SettingsError

from .automation_rule import automation_rule
from .check import connect, summary_lines, webhook_findings
from .provision import Provisioner
from .settings import JiraSettings
from .setup_fields import field_report, site_fields
from .setup_groups import group_findings
from .setup_workflow import workflow_findings

#: Where setup keeps a secret it made up, unless told otherwise: Jira never shows it again.
DEFAULT_ENV_FILE = Path(".env")


def load_settings() -> JiraSettings:
    """The plugin's settings; a bad or missing variable ends the command with status 2."""
    return settings_for_command(JiraSettings)


@click.group("jira")
def jira_group() -> None:
    """Jira Service Management: wire the site to the bridge, check it, run the sandbox."""


@jira_group.command("setup")
@setup_options(JiraSettings)
@click.option("--mode", type=click.Choice(["webhook", "automation"]), default="webhook",
              show_default=True, help="An admin webhook signed with the webhook secret, or "
              "Automation rules you create from the printed recipe.")
def setup_command(bridge_url: str, dry_run: bool, env_file: Path | None, show_secret: bool,
                  mode: str) -> None:
    """Register the webhook and create the fields the bridge needs; check the projects,
    approvals and groups (idempotent: a second run changes nothing).

    A secret setup makes up is written to .env (or --env-file), since Jira never shows it
    again; --show-secret prints it instead."""
    settings = load_settings()
    groups = policy_groups_for_command()
    command = "sla-bridge jira setup"
    connection = connect(settings, command, command_clock())
    provisioner = Provisioner(connection.client, settings, bridge_url,
                              "automation" if mode == "automation" else "webhook", groups)
    click.echo(f"{command}{' (dry run)' if dry_run else ''}: {settings.base_url}, "
               f"{'webhook' if mode == 'webhook' else 'automation rules'} -> "
               f"{provisioner.endpoint}")
    target = env_file if env_file is not None or show_secret else DEFAULT_ENV_FILE
    run_setup(provisioner.plan, settings=settings, errors=connection.client.errors,
              dry_run=dry_run, env_file=target, show_secret=show_secret,
              signing_secret=provisioner.signing_secret if mode == "webhook" else None)
    if mode == "automation":
        made = provisioner.automation_secret_made
        if made is not None:
            _keep_automation_secret(settings, made, target)
            settings = settings.model_copy(update={"automation_secret": SecretStr(made)})
        click.echo("")
        click.echo(automation_rule(bridge_url, settings, show_secret=show_secret))


def _keep_automation_secret(settings: JiraSettings, secret: str, env_file: Path | None) -> None:
    """Write the automation secret setup made up to ``env_file`` (or print it as an
    ``export`` line with ``--show-secret``), saying that a running bridge must restart."""
    variable = settings.variable("automation_secret")
    if env_file is None:
        click.echo(f"export {variable}={secret}")
        return
    write_env_variable(env_file, variable, secret)
    click.echo(f"  wrote      automation secret: {variable} in {env_file}")
    click.echo(f"  note       restart `sla-bridge serve` if it is running: it reads {variable} "
               "only when it starts, and refuses the automation rules' requests (401) until "
               "then")


@jira_group.command("check")
@click.option("--bridge-url", metavar="URL", help="Also check that the webhook calls "
              "URL/webhooks/jira.")
def check_command(bridge_url: str | None) -> None:
    """Check the site, the account, the projects, the webhook, the fields, the approvals and
    the groups; exit 1 naming each problem and what to do."""
    settings = load_settings()
    groups = policy_groups_for_command()
    for line in summary_lines(settings):
        click.echo(line)
    connection = connect(settings, "sla-bridge jira check", command_clock())
    client = connection.client
    findings: list[Finding] = connection.findings()
    with exit_on_vendor_error("sla-bridge jira check"), client.errors.calling("check"):
        findings += webhook_findings(client, settings, bridge_url)
        fields = site_fields(client)
        findings += field_report(settings, fields)
        findings += workflow_findings(client, settings, fields)
        findings += group_findings(client, settings, groups)
    report_findings(findings)


@jira_group.command("automation-rule")
@click.option("--bridge-url", required=True, metavar="URL",
              help="Where Jira reaches the bridge; the rules call URL/webhooks/jira.")
@click.option("--show-secret", is_flag=True, help="Print the automation secret in the "
              "header instead of the variable that holds it.")
def automation_rule_command(bridge_url: str, show_secret: bool) -> None:
    """Print the Automation rules to create when not using the admin webhook."""
    try:
        settings = JiraSettings.load()
    except SettingsError as exc:
        raise click.UsageError(f"invalid {JiraSettings.platform_label} settings:\n{exc}"
                               ) from None
    click.echo(automation_rule(bridge_url, settings, show_secret=show_secret))


@jira_group.command("sandbox", context_settings={"ignore_unknown_options": True,
                                                 "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sandbox_command(args: tuple[str, ...]) -> None:
    """Run the Jira Service Management sandbox on loopback (--help for its options)."""
    from .sandbox.__main__ import main

    sys.exit(main(list(args)))

