"""The ``sla-bridge`` command line.

Start-up is kept short: each built-in command's module is imported only when that command
runs (or ``--help`` lists it), plugins add theirs the same way
(:func:`add_lazy_command`), and :func:`main` loads the settings and the plugins only once
a command needs them, so ``sla-bridge --version`` loads neither.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from sla_bridge._version import __version__

from ._context import AppContext
from ._lazy import LazyCommands, add_lazy_command

if TYPE_CHECKING:
    from sla_bridge.plugin import PluginHost

__all__ = ["AppContext", "LazyCommands", "add_lazy_command", "build_cli", "main"]

# name -> "module:attribute" of each built-in command.
BUILTIN_COMMANDS = {
    "due": "sla_bridge.cli._due:due_command",
    "policy": "sla_bridge.cli._policy:policy_group",
    "plugins": "sla_bridge.cli._info:plugins_command",
    "config": "sla_bridge.cli._info:config_command",
    "run-due": "sla_bridge.cli._work:run_due_command",
    "dead-letters": "sla_bridge.cli._work:dead_letters_group",
    "serve": "sla_bridge.cli._serve:serve_command",
    "db": "sla_bridge.cli._db:db_group",
    "classify": "sla_bridge.cli._classify:classify_command",
    "simulate": "sla_bridge.cli._simulate:simulate_command",
    "demo": "sla_bridge.cli._demo:demo_command",
}


class _BridgeGroup(click.Group):
    """The top-level group. Given ``load`` (by :func:`main`), it calls it once before a
    command runs and before it looks up a name that is not built in or lists the commands
    (a plugin's commands are only known once the plugins are loaded)."""

    def __init__(self, *args: Any, load: Callable[[click.Group], AppContext] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._load = load

    def invoke(self, ctx: click.Context) -> Any:
        """Load the settings and plugins (with ``load``), then run the sub-command."""
        if self._load is not None and ctx.obj is None:
            ctx.obj = self._load(self)
        return super().invoke(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, loading the plugins first for a name that is
        not built in."""
        if self._load is not None and cmd_name not in self.commands:
            self._load(self)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command's name, the plugins' included."""
        if self._load is not None:
            self._load(self)
        return super().list_commands(ctx)


def _group(load: Callable[[click.Group], AppContext] | None = None) -> _BridgeGroup:
    @click.group(cls=_BridgeGroup, commands=LazyCommands(BUILTIN_COMMANDS), load=load,
                 context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(__version__, prog_name="sla-bridge")
    def cli() -> None:
        """sla-bridge: enforce one written support policy on Zendesk, Jira and Salesforce."""

    return cli


def build_cli(host: PluginHost) -> click.Group:
    """Return the command group with the built-in commands and those plugins add."""
    cli = _group()
    host.extend_cli(cli)
    return cli


class _Startup:
    """The settings and the plugins, loaded the first time a command needs them; invalid
    settings or plugins end ``sla-bridge`` with exit status 2 and the reason."""

    def __init__(self) -> None:
        self._app: AppContext | None = None

    def __call__(self, cli: click.Group) -> AppContext:
        if self._app is None:
            # Imported here: the settings and the plugin host need pydantic and every
            # plugin's entry module, which ``sla-bridge --version`` does not.
            from sla_bridge.clock import SystemClock
            from sla_bridge.plugin import PluginError, PluginHost
            from sla_bridge.settings import SettingsError, load_settings

            try:
                settings = load_settings()
                host = PluginHost.from_settings(settings)
                host.extend_cli(cli)
            except (SettingsError, PluginError) as exc:
                kind = "settings" if isinstance(exc, SettingsError) else "plugins"
                click.echo(f"sla-bridge: invalid {kind}:\n{exc}", err=True)
                sys.exit(2)
            self._app = AppContext(settings=settings, host=host, clock=SystemClock())
        return self._app


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``sla-bridge`` console script."""
    _group(load=_Startup()).main(args=argv, prog_name="sla-bridge")
