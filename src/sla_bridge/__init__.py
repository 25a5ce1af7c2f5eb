"""sla-bridge: one support policy, enforced the same way on every helpdesk.

Importing this package loads no plugins; see :class:`sla_bridge.plugin.PluginHost`.
"""

from ._version import __version__
from .hookspecs import hookimpl

__all__ = ["__version__", "hookimpl"]
