"""What every command gets: the settings and the plugin host, plus shared error handling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from sla_bridge.errors import BadDatabaseUrl, StoreNotWritable

if TYPE_CHECKING:
    from sla_bridge.clock import Clock
    from sla_bridge.plugin import PluginHost
    from sla_bridge.policy import Policy
    from sla_bridge.settings import Settings


@dataclass
class AppContext:
    """The objects a command works with; created once in :func:`sla_bridge.cli.main`."""

    settings: Settings
    host: PluginHost
    clock: Clock

    def load_policy(self, name_or_path: str, param: str = "--policy") -> Policy:
        """Load a policy by name or path; a bad one ends the command with exit status 2,
        naming ``param`` (the option or argument the user gave it with)."""
        # Imported here so that importing the command line (--version) skips the policy models.
        from sla_bridge.policy import PolicyError

        try:
            return self.host.policy_library().load(name_or_path)
        except PolicyError as exc:
            raise click.BadParameter(str(exc), param_hint=param) from None


pass_app = click.make_pass_decorator(AppContext)


class SettingProblem(click.ClickException):
    """A command ended by a setting to fix: exit status 2, like every settings error."""

    exit_code = 2


def store_problem(error: Exception, doing: str = "") -> click.ClickException:
    """A database error for the command line (``doing``: what failed, put first): exit
    status 2 for a bad ``SLA_BRIDGE_DATABASE_URL`` or a database it names that cannot be
    written (a read-only file, folder or server: a setting to fix), 1 otherwise."""
    message = f"{doing}: {error}" if doing else str(error)
    if isinstance(error, BadDatabaseUrl) or (isinstance(error, StoreNotWritable)
                                             and error.setting_problem):
        return SettingProblem(message)
    return click.ClickException(message)
