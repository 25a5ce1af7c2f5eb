"""The plugin's hooks: the Zendesk platform, its settings section and its commands.

Nothing here talks to Zendesk: registering the platform only reads the settings. The
platform is not registered (and the log says why) while the account or the credentials
are not configured, so installing the plugin never breaks a bridge that does not use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sla_bridge import hookimpl
from sla_bridge.settings import load_section

from .settings import ENV_PREFIX, ZendeskSettings

if TYPE_CHECKING:
    import click
    from pydantic_settings import BaseSettings

    from sla_bridge.clock import Clock
    from sla_bridge.platforms import Platform

log = logging.getLogger("sla_bridge_zendesk")


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock) -> None:
    """Register Zendesk when its account and credentials are configured."""
    settings = load_section(ZendeskSettings, ENV_PREFIX)
    missing = settings.missing()
    if missing:
        log.info("zendesk: platform not registered; set %s", ", ".join(missing))
        return
    if not settings.webhook_secret.get_secret_value():
        log.warning("zendesk: %sWEBHOOK_SECRET is not set; Zendesk webhooks are refused until "
                    "it is (see `sla-bridge zendesk setup`)", ENV_PREFIX)
    from .platform import ZendeskPlatform

    register(ZendeskPlatform(settings, clock))


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``zendesk`` settings section (``SLA_BRIDGE_ZENDESK__*``)."""
    register("zendesk", ZendeskSettings)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    """``sla-bridge zendesk setup|check|trigger-body|sandbox`` and ``sla-bridge demo``."""
    from .cli import demo_command, zendesk_group

    cli.add_command(zendesk_group)
    cli.add_command(demo_command)
