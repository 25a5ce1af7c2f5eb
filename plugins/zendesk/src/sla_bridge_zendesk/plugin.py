"""The plugin's hooks: the Zendesk platform, its settings section, its commands, its demo.

Nothing here talks to Zendesk: registering the platform only reads the settings. The
platform is not registered (and the log says why) while the account or the credentials
are not configured, so installing the plugin never breaks a bridge that does not use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sla_bridge import hookimpl
from sla_bridge.platformkit import register_if_configured

from .settings import PLATFORM, ZendeskSettings

if TYPE_CHECKING:
    import click
    from pydantic_settings import BaseSettings

    from sla_bridge.clock import Clock
    from sla_bridge.platforms import Platform
    from sla_bridge.settings import Settings
    from sla_bridge.testing import DemoScript

log = logging.getLogger("sla_bridge_zendesk")


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Register Zendesk when its account and credentials are configured."""
    def build(settings: ZendeskSettings) -> Platform:
        from .platform import ZendeskPlatform

        return ZendeskPlatform(settings, clock)

    register_if_configured(register, settings.section(ZendeskSettings), build, log,
                           setup_hint="see `sla-bridge zendesk setup`")


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``zendesk`` settings section (``SLA_BRIDGE_ZENDESK__*``)."""
    register(ZendeskSettings.platform_name(), ZendeskSettings)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    """``sla-bridge zendesk setup|check|trigger-body|sandbox``."""
    from .cli import zendesk_group

    cli.add_command(zendesk_group)


@hookimpl
def sla_bridge_register_demos(register: Callable[[str, Callable[[], DemoScript]], None]) -> None:
    """``sla-bridge demo --platform zendesk``: the scripted Thanksgiving week."""
    from .demo import ThanksgivingWeek

    register(PLATFORM, ThanksgivingWeek)


@hookimpl
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], object]], None]) -> None:
    """Zendesk's webhook signature, for the core's hostile-input suite."""
    from .webhook_signer import ZendeskSigner

    register(PLATFORM, ZendeskSigner)
