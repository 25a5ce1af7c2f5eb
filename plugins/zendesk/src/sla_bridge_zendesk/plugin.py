"""The plugin's hooks: the Zendesk platform, its settings section, its commands, its demo.

Nothing here talks to Zendesk: registering the platform only reads the settings. The
platform is not registered (and the log says why) while the account or the credentials
are not configured, so installing the plugin never breaks a bridge that does not use it.

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
    from sla_bridge.testing import DemoScript

    from .settings import ZendeskSettings

log = logging.getLogger("sla_bridge_zendesk")


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Register Zendesk when its account and credentials are configured."""
    from sla_bridge.platformkit import register_if_configured

    from .settings import ZendeskSettings

    def build(settings: ZendeskSettings) -> Platform:
        from .platform import ZendeskPlatform

        return ZendeskPlatform(settings, clock)

    register_if_configured(register, settings.section(ZendeskSettings), build, log,
                           setup_hint="see `sla-bridge zendesk setup`")


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``zendesk`` settings section (``SLA_BRIDGE_ZENDESK__*``)."""
    from .settings import ZendeskSettings

    register(ZendeskSettings.platform_name(), ZendeskSettings)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    """``sla-bridge zendesk setup|check|trigger-body|sandbox``."""
    from sla_bridge.cli import add_lazy_command

    # Imported when run or listed: the commands need the vendor's client library.
    add_lazy_command(cli, "zendesk", "sla_bridge_zendesk.cli:zendesk_group")


@hookimpl
def sla_bridge_register_demos(register: Callable[[str, Callable[[], DemoScript]], None]) -> None:
    """``sla-bridge demo --platform zendesk``: the scripted Thanksgiving week."""
    from .demo import ThanksgivingWeek
    from .settings import PLATFORM

    register(PLATFORM, ThanksgivingWeek)


@hookimpl
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], object]], None]) -> None:
    """Zendesk's webhook signature, for the core's hostile-input suite."""
    from .settings import PLATFORM
    from .webhook_signer import ZendeskSigner

    register(PLATFORM, ZendeskSigner)
