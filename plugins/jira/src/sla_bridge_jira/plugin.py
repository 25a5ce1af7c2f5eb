"""The plugin's hooks: the Jira Service Management platform, its settings, its webhook signer,
its commands and its demo.

Nothing here talks to Jira: registering the platform only reads the settings. The platform
is not registered (and the log says why) while the site or the credentials are not
configured, so installing the plugin never breaks a bridge that does not use it.

Every ``sla-bridge`` command loads this module, so it imports nothing heavy: each hook
imports what it uses (the settings, the platform kit, the vendor's client) when called.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sla_bridge import hookimpl

if TYPE_CHECKING:
    import click
    from pydantic_settings import BaseSettings

    from sla_bridge.clock import Clock
    from sla_bridge.platforms import Platform
    from sla_bridge.settings import Settings

    from .settings import JiraSettings

log = logging.getLogger("sla_bridge_jira")


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Register Jira Service Management when its site and credentials are configured."""
    from sla_bridge.platformkit import register_if_configured

    from .settings import JiraSettings

    def build(settings: JiraSettings) -> Platform:
        from .platform import JiraPlatform

        return JiraPlatform(settings, clock)

    register_if_configured(register, settings.section(JiraSettings), build, log,
                           setup_hint="the admin webhook's secret, see the plugin README")


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``jira`` settings section (``SLA_BRIDGE_JIRA__*``)."""
    from .settings import JiraSettings

    register(JiraSettings.platform_name(), JiraSettings)


@hookimpl
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], object]], None]) -> None:
    """Jira's webhook signature, for the core's hostile-input suite."""
    from .settings import PLATFORM
    from .webhook_signer import JiraSigner

    register(PLATFORM, JiraSigner)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    """``sla-bridge jira setup|check|automation-rule|sandbox``."""
    from sla_bridge.cli import add_lazy_command

    # Imported when run or listed: the commands need the vendor's client library.
    add_lazy_command(cli, "jira", "sla_bridge_jira.cli:jira_group")


@hookimpl
def sla_bridge_register_demos(register: Callable[[str, Callable[[], object]], None]) -> None:
    """``sla-bridge demo --platform jira``: the scripted Thanksgiving week on JSM."""
    from .demo import ThanksgivingWeek
    from .settings import PLATFORM

    register(PLATFORM, ThanksgivingWeek)
