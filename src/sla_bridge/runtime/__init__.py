"""The running bridge: settings, plugins, clock, database, platforms and metrics in one place.

:class:`Runtime` is built once per process (``sla-bridge serve``, ``run-due``, ``demo``)
and handed to the web app and the workers; nothing here runs at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sla_bridge.clock import Clock
from sla_bridge.platforms import Platform
from sla_bridge.plugin import PluginHost
from sla_bridge.policy import Policy
from sla_bridge.settings import Settings
from sla_bridge.store import Store

from ._health import WorkerHealth
from ._metrics import Metrics, settled_targets
from ._multiprocess import forget_process, multiprocess_dir, multiprocess_directory

__all__ = ["Metrics", "Runtime", "WorkerHealth", "forget_process", "multiprocess_dir",
           "multiprocess_directory", "settled_targets"]

log = logging.getLogger("sla_bridge.runtime")


@dataclass
class Runtime:
    """Everything a request handler or a worker needs."""

    settings: Settings
    host: PluginHost
    clock: Clock
    store: Store
    platforms: dict[str, Platform]
    policies: list[Policy]
    metrics: Metrics = field(default_factory=Metrics)
    health: WorkerHealth = field(default_factory=WorkerHealth)

    @classmethod
    def build(cls, settings: Settings, clock: Clock, host: PluginHost | None = None) -> Runtime:
        """Load plugins, policies and platforms and open the database (without migrating);
        a per-platform mode variable that names no platform or no mode is a
        :class:`~sla_bridge.settings.SettingsError`."""
        host = host or PluginHost.from_settings(settings)
        library = host.policy_library()
        policies = [library.load(name) for name in settings.policies]
        platforms = host.platforms(clock, settings)
        settings.check_modes({*host.settings_sections(), *platforms})
        if not platforms:
            log.warning("no platform plugin is installed or configured: webhooks will get 404")
        return cls(settings, host, clock, Store(settings.database_url, clock), platforms,
                   policies)

    def close(self) -> None:
        """Release the database connections."""
        self.store.close()

