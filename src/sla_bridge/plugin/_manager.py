"""Building the plugin manager: hookspecs, built-in plugins, entry-point plugins, checks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

import pluggy

from sla_bridge import hookspecs
from sla_bridge.default_plugins import DEFAULT_PLUGINS

ENTRY_POINT_GROUP = "sla_bridge"


class PluginError(Exception):
    """A plugin could not be found, loaded or checked; the message says which and what to do."""


@dataclass(frozen=True)
class PluginOrigin:
    """Where a registered plugin came from."""

    name: str
    distribution: str
    version: str
    builtin: bool


def create_plugin_manager(
    allow: list[str] | None = None, block: list[str] | None = None
) -> tuple[pluggy.PluginManager, dict[str, PluginOrigin]]:
    """Return a checked plugin manager with built-in and entry-point plugins registered.

    ``allow`` (``SLA_BRIDGE_PLUGINS``) limits entry-point plugins to those names;
    ``block`` (``SLA_BRIDGE_DISABLED_PLUGINS``) keeps built-in or entry-point plugins out.
    """
    from sla_bridge._version import __version__

    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    blocked = set(block or ())
    origins: dict[str, PluginOrigin] = {}
    discovered = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    _check_names("SLA_BRIDGE_PLUGINS", allow or [], set(discovered))
    _check_names("SLA_BRIDGE_DISABLED_PLUGINS", blocked, set(discovered) | set(DEFAULT_PLUGINS))

    for module_name in DEFAULT_PLUGINS:
        if module_name in blocked:
            pm.set_blocked(module_name)
            continue
        pm.register(importlib.import_module(module_name), name=module_name)
        origins[module_name] = PluginOrigin(module_name, "sla-bridge", __version__, True)

    for name, entry_point in sorted(discovered.items()):
        if name in blocked or (allow is not None and name not in allow):
            pm.set_blocked(name)
            continue
        pm.register(_load(entry_point), name=name)
        dist = entry_point.dist
        origins[name] = PluginOrigin(
            name, dist.name if dist else "?", dist.version if dist else "?", False
        )
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            f"plugin {exc.plugin!r} implements a hook the bridge does not define: {exc}. "
            "Upgrade sla-bridge or the plugin, or disable it with SLA_BRIDGE_DISABLED_PLUGINS."
        ) from None
    return pm, origins


def _load(entry_point: EntryPoint) -> object:
    try:
        return entry_point.load()
    except Exception as exc:  # a broken third-party plugin must not hide behind a traceback
        dist = entry_point.dist.name if entry_point.dist else "unknown distribution"
        raise PluginError(
            f"plugin {entry_point.name!r} ({dist}, {entry_point.value}) failed to load: "
            f"{type(exc).__name__}: {exc}. Fix or uninstall it, or set "
            f"SLA_BRIDGE_DISABLED_PLUGINS={entry_point.name} to skip it."
        ) from exc


def _check_names(variable: str, names: list[str] | set[str], known: set[str]) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise PluginError(
            f"{variable} names {', '.join(map(repr, unknown))}, which is not installed; "
            f"known plugins: {', '.join(sorted(known)) or 'none'}"
        )
