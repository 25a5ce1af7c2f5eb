"""The plugin's hooks: the Salesforce Service Cloud platform, its settings, its webhook signer.

Nothing here talks to Salesforce: registering the platform only reads the settings. The
platform is registered only when the instance URL, the org id and one complete set of
credentials are configured; otherwise the log names what is missing (never a value), so
installing the plugin never breaks a bridge that does not use it.

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

    from .settings import SalesforceSettings

log = logging.getLogger("sla_bridge_salesforce")


def register_if_configured(register: Callable[[Platform], None], settings: SalesforceSettings,
                           clock: Clock) -> Platform | None:
    """Register the platform when its settings are complete; else log what is missing.

    (Not the kit's helper of the same name: Salesforce's webhooks are checked by org id, so a
    missing ``FLOW_SECRET`` refuses only Flow callouts, which the warning says.)
    """
    from .settings import PLATFORM

    missing = settings.missing()
    if missing:
        log.info("%s: platform not registered; set %s", PLATFORM, ", ".join(missing))
        return None
    if not settings.is_set("flow_secret"):
        log.info("%s: %s is not set; Flow HTTP callouts are refused until it is (Outbound "
                 "Messages are checked by %s)", PLATFORM, settings.variable("flow_secret"),
                 settings.variable("organization_id"))
    from .platform import SalesforcePlatform

    platform = SalesforcePlatform(settings, clock)
    register(platform)
    return platform


@hookimpl
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Register Salesforce when its instance, org id and credentials are configured."""
    from .settings import SalesforceSettings

    register_if_configured(register, settings.section(SalesforceSettings), clock)


@hookimpl
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """The ``salesforce`` settings section (``SLA_BRIDGE_SALESFORCE__*``)."""
    from .settings import SalesforceSettings

    register(SalesforceSettings.platform_name(), SalesforceSettings)


@hookimpl
def sla_bridge_register_commands(cli: click.Group) -> None:
    """``sla-bridge salesforce setup|check|sandbox``."""
    from sla_bridge.cli import add_lazy_command

    # Imported when run or listed: the commands need the vendor's client library.
    add_lazy_command(cli, "salesforce", "sla_bridge_salesforce.cli:salesforce_group")


@hookimpl
def sla_bridge_register_demos(register: Callable[[str, Callable[[], object]], None]) -> None:
    """``sla-bridge demo --platform salesforce``: the scripted Thanksgiving week on the
    Salesforce sandbox org."""
    from .demo import ThanksgivingWeek
    from .settings import PLATFORM

    register(PLATFORM, ThanksgivingWeek)


@hookimpl
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], object]], None]) -> None:
    """Salesforce's Flow callout secret, for the core's hostile-input suite."""
    from .settings import PLATFORM
    from .webhook_signer import SalesforceSigner

    register(PLATFORM, SalesforceSigner)
