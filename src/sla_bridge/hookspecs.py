"""Every hook a plugin can implement, with when it is called and what it returns.

Plugins are found through the ``sla_bridge`` entry-point group. A plugin module
implements hooks by decorating functions of these names with
:data:`sla_bridge.hookimpl`. The bridge's own behaviour is registered the same way
(see :mod:`sla_bridge.default_plugins`), so a plugin can add to it or replace it.

Registration hooks follow llm's pattern: the bridge passes a ``register`` callback
and the plugin calls it once per thing it contributes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from pydantic import BaseModel
    from pydantic_settings import BaseSettings

    from sla_bridge.classify import ClassificationResult
    from sla_bridge.clock import Clock
    from sla_bridge.platforms import Platform
    from sla_bridge.policy import Policy
    from sla_bridge.settings import Settings
    from sla_bridge.tickets import Ticket

PROJECT_NAME = "sla_bridge"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def sla_bridge_register_policies(register: Callable[[Path], None]) -> None:
    """Contribute policy files the bridge can load by name.

    Called once when the policy library is first needed. Call ``register(path)``
    with a directory (every ``*.toml`` file in it becomes a policy named after the
    file) or a single ``.toml`` file. Directories registered by plugins registered
    earlier win a name clash; the built-in policies are registered last, so a plugin
    can ship a replacement for a bundled policy under the same name.
    """


@hookspec
def sla_bridge_register_holiday_rules(register: Callable[[str, type[BaseModel]], None]) -> None:
    """Contribute kinds of holiday rule that policy files can use.

    Called once when the policy library is first needed. Call
    ``register(kind, spec_model)`` where ``kind`` is the value of ``kind =`` in a
    policy file's ``[[holidays.NAME.rules]]`` entry and ``spec_model`` is a pydantic
    model with a ``name`` field and a ``to_rule()`` method returning a
    :class:`sla_bridge.businesstime.HolidayRule`. Registering an existing kind
    replaces it.
    """


@hookspec
def sla_bridge_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``sla-bridge`` command line.

    Called once while the command line is built, before arguments are parsed. Add
    commands or groups with ``cli.add_command(...)`` or the ``@cli.command()``
    decorator. Return value is ignored.
    """


@hookspec
def sla_bridge_register_settings(register: Callable[[str, type[BaseSettings]], None]) -> None:
    """Declare a settings section that ``sla-bridge config`` shows and checks.

    Called when the effective configuration is shown or validated. Call
    ``register(section, settings_class)``; the class should read its values from
    ``SLA_BRIDGE_<SECTION>__<FIELD>`` variables and keep secrets as ``SecretStr`` so
    they are masked.
    """


@hookspec
def sla_bridge_register_platforms(register: Callable[[Platform], None], clock: Clock,
                                  settings: Settings) -> None:
    """Contribute helpdesk platforms: webhook parsing, ticket fetching, write-back.

    Called once when the runtime starts (``sla-bridge serve``, ``run-due``, ``demo``).
    Call ``register(platform)`` with an object satisfying
    :class:`sla_bridge.platforms.Platform`; its ``name`` is the ``{platform}`` of
    ``POST /webhooks/{platform}``. ``clock`` is the bridge's clock, for signature
    freshness checks. ``settings`` are the bridge's: read the plugin's own section with
    ``settings.section(AcmeSettings)``, so that it comes from where the bridge's came from
    (the environment, or the mapping a test or an embedding program gave). A plugin whose
    settings are incomplete should not register and should log why
    (:func:`sla_bridge.platformkit.register_if_configured`). Registering a name twice is an
    error.
    """


@hookspec(firstresult=True)
def sla_bridge_classify(policy: Policy, ticket: Ticket) -> ClassificationResult | None:
    """Classify a ticket: which of the policy's severities its words point to, and why.

    Called when the bridge needs a ticket's severity assessed under ``policy`` (a new
    ticket, a changed subject or description) and by ``sla-bridge classify``. Return a
    :class:`sla_bridge.classify.ClassificationResult` whose ``severity`` is one of
    ``policy``'s severity ids, with a confidence between 0 and 1 and the reasons in words
    a support manager understands; return ``None`` to leave the ticket to the next
    classifier. Stops at the first non-None result. The built-in classifier
    (``sla_bridge.default_plugins.classifier``) is registered with ``trylast=True``, so a
    plugin's classifier is asked first; block the built-in with
    ``SLA_BRIDGE_DISABLED_PLUGINS`` to make sure it is never used.
    """


@hookspec
def sla_bridge_register_demos(register: Callable[[str, Callable[[], Any]], None]) -> None:
    """Contribute a scripted demo for ``sla-bridge demo --platform NAME``.

    Called once when ``sla-bridge demo`` runs. Call ``register(name, make_script)``:
    ``make_script()`` returns a :class:`sla_bridge.testing.DemoScript`, which builds a seeded
    :class:`~sla_bridge.testing.BridgeHarness` on the platform's sandbox and plays it on a
    virtual clock. ``name`` is usually the platform's name; two plugins registering the same
    name is an error. Return value is ignored.
    """


@hookspec
def sla_bridge_register_webhook_signers(
        register: Callable[[str, Callable[[str], Any]], None]) -> None:
    """Contribute how a platform's webhooks are signed, for the hostile-input suite.

    Called once per test process by :func:`sla_bridge.testing.webhook_signers`, when the
    tests taking the kit's ``webhook_signer`` fixture are collected (never by the running
    bridge). Call ``register(platform, make_signer)``: ``make_signer(secret)`` returns a
    :class:`sla_bridge.testing.WebhookSigner` (the headers that make a body valid, the
    settings that register the platform with that webhook secret, and the valid body
    shapes to mutate). Two plugins registering the same platform is an error. Return value
    is ignored.
    """
