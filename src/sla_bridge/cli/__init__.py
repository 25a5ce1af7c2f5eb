"""The ``sla-bridge`` command line."""

from __future__ import annotations

import sys

import click

from sla_bridge._version import __version__
from sla_bridge.clock import SystemClock
from sla_bridge.plugin import PluginError, PluginHost
from sla_bridge.settings import SettingsError, load_settings

from ._classify import classify_command
from ._context import AppContext
from ._db import db_group
from ._demo import demo_command
from ._due import due_command
from ._info import config_command, plugins_command
from ._policy import policy_group
from ._serve import serve_command
from ._simulate import simulate_command
from ._work import dead_letters_group, run_due_command

__all__ = ["AppContext", "build_cli", "main"]


def build_cli(host: PluginHost) -> click.Group:
    """Return the command group with the built-in commands and those plugins add."""

    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="sla-bridge")
    def cli() -> None:
        """sla-bridge: enforce one written support policy on Zendesk, Jira and Salesforce."""

    for command in (due_command, policy_group, plugins_command, config_command,
                    run_due_command, dead_letters_group, serve_command, db_group,
                    classify_command, simulate_command, demo_command):
        cli.add_command(command)
    host.extend_cli(cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``sla-bridge`` console script."""
    try:
        settings = load_settings()
        host = PluginHost.from_settings(settings)
        cli = build_cli(host)
    except (SettingsError, PluginError) as exc:
        kind = "settings" if isinstance(exc, SettingsError) else "plugins"
        click.echo(f"sla-bridge: invalid {kind}:\n{exc}", err=True)
        sys.exit(2)
    cli.main(args=argv, prog_name="sla-bridge",
             obj=AppContext(settings=settings, host=host, clock=SystemClock()))
