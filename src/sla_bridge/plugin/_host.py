"""The typed facade over the plugin manager: core code calls these methods, never ``pm.hook``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from sla_bridge.policy import PolicyLibrary

from ._manager import PluginError, PluginOrigin, create_plugin_manager

_V = TypeVar("_V")

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


@dataclass(frozen=True)
class PluginInfo:
    """One loaded plugin as ``sla-bridge plugins`` lists it."""

    name: str
    distribution: str
    version: str
    builtin: bool
    hooks: tuple[str, ...]


class PluginHost:
    """The loaded plugins, asked through one typed method per hook."""

    def __init__(self, manager: pluggy.PluginManager, origins: dict[str, PluginOrigin]) -> None:
        self._pm = manager
        self._origins = origins
        self._library: PolicyLibrary | None = None
        self._policy_dirs: list[Path] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> PluginHost:
        """Load the plugins the settings allow and return the host."""
        manager, origins = create_plugin_manager(settings.plugins, settings.disabled_plugins)
        host = cls(manager, origins)
        host._policy_dirs = list(settings.policy_dirs)
        return host

    @property
    def manager(self) -> pluggy.PluginManager:
        """The underlying pluggy manager, for tests and plugin authors' tooling."""
        return self._pm

    def plugins(self) -> list[PluginInfo]:
        """Return the loaded plugins with the hooks each implements."""
        infos = []
        for name, origin in self._origins.items():
            plugin = self._pm.get_plugin(name)
            hooks = tuple(sorted(c.name for c in self._pm.get_hookcallers(plugin) or ()))
            infos.append(PluginInfo(name, origin.distribution, origin.version, origin.builtin,
                                    hooks))
        return infos

    def holiday_rule_kinds(self) -> dict[str, type[BaseModel]]:
        """Return holiday rule kind -> spec model; a later registration replaces an earlier."""
        kinds: dict[str, type[BaseModel]] = {}

        def register(kind: str, spec: type[BaseModel]) -> None:
            kinds[kind] = spec

        self._pm.hook.sla_bridge_register_holiday_rules(register=register)
        return kinds

    def policy_directories(self) -> list[Path]:
        """Return the policy locations: settings first, then plugins, then the bundled ones."""
        found: list[Path] = list(self._policy_dirs)

        def register(path: Path) -> None:
            found.append(Path(path))

        self._pm.hook.sla_bridge_register_policies(register=register)
        return found

    def policy_library(self) -> PolicyLibrary:
        """Return the library of known policies (built once per host)."""
        if self._library is None:
            self._library = PolicyLibrary(self.policy_directories(), self.holiday_rule_kinds())
        return self._library

    def extend_cli(self, cli: click.Group) -> None:
        """Let plugins add sub-commands to ``cli``; a name taken twice is a PluginError that
        names both owners (rather than the second silently replacing the first)."""
        # Imported here: the runtime's host never builds a command line.
        from sla_bridge.cli._lazy import command_entries, restore_entry

        owners = {name: "sla-bridge (built in)" for name in cli.commands}
        for impl in reversed(self._pm.hook.sla_bridge_register_commands.get_hookimpls()):
            before = command_entries(cli)  # lazy commands stay unimported
            impl.function(cli=cli)
            for name, command in command_entries(cli).items():
                if name in before and before[name] is not command:
                    restore_entry(cli, name, before[name])
                    raise PluginError(
                        f"two plugins add the command {name!r}: {owners[name]} and "
                        f"{impl.plugin_name}; disable one with SLA_BRIDGE_DISABLED_PLUGINS")
                owners.setdefault(name, impl.plugin_name)

    def settings_sections(self) -> dict[str, type[BaseSettings]]:
        """Return the settings sections that plugins declare, by section name."""
        sections: dict[str, type[BaseSettings]] = {}

        def register(section: str, settings_class: type[BaseSettings]) -> None:
            sections[section] = settings_class

        self._pm.hook.sla_bridge_register_settings(register=register)
        return sections

    def platforms(self, clock: Clock, settings: Settings) -> dict[str, Platform]:
        """Return the helpdesk platforms plugins register, by name, each reading its section
        from where ``settings`` were read."""
        found: dict[str, Platform] = {}
        add = _unique(found, "the platform {!r}")
        self._pm.hook.sla_bridge_register_platforms(
            register=lambda platform: add(platform.name, platform), clock=clock,
            settings=settings)
        return found

    def demos(self) -> dict[str, Callable[[], Any]]:
        """Return the scripted demos plugins ship, by name (``sla-bridge demo``): each makes
        a :class:`sla_bridge.testing.DemoScript` (typed loosely here so that the plugin host
        does not depend on the testing kit)."""
        found: dict[str, Callable[[], Any]] = {}
        self._pm.hook.sla_bridge_register_demos(register=_unique(found, "the demo {!r}"))
        return found

    def webhook_signers(self) -> dict[str, Callable[[str], Any]]:
        """Return the webhook signer factories plugins register, by platform name, for the
        hostile-input suite: each makes a :class:`sla_bridge.testing.WebhookSigner` from a
        webhook secret (typed loosely here so the host does not depend on the testing kit)."""
        found: dict[str, Callable[[str], Any]] = {}
        self._pm.hook.sla_bridge_register_webhook_signers(
            register=_unique(found, "a webhook signer for {!r}"))
        return found

    def classify(self, policy: Policy, ticket: Ticket) -> ClassificationResult | None:
        """Return the first classifier's verdict on ``ticket`` under ``policy``.

        Plugins' classifiers are asked before the built-in one; ``None`` means no
        classifier answered (the built-in one is blocked and no plugin classifies).
        """
        result: ClassificationResult | None = self._pm.hook.sla_bridge_classify(
            policy=policy, ticket=ticket)
        return result


def _unique(found: dict[str, _V], what: str) -> Callable[[str, _V], None]:
    """A ``register(name, value)`` callback filling ``found`` that refuses a second value
    under one name, naming ``what`` (``"the demo {!r}"``) in the error."""
    def register(name: str, value: _V) -> None:
        if name in found:
            raise PluginError(f"two plugins register {what.format(name)}; disable one with "
                              "SLA_BRIDGE_DISABLED_PLUGINS")
        found[name] = value

    return register
