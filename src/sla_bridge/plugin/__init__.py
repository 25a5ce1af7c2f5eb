"""The plugin host: how plugins are found, loaded, checked and called.

Core code uses :class:`PluginHost`; plugin authors use :data:`hookimpl` (also
exported from :mod:`sla_bridge`) and the hooks documented in :mod:`sla_bridge.hookspecs`.
"""

from sla_bridge.hookspecs import hookimpl

from ._host import PluginHost, PluginInfo
from ._manager import ENTRY_POINT_GROUP, PluginError, PluginOrigin, create_plugin_manager

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "PluginOrigin",
    "create_plugin_manager",
    "hookimpl",
]
