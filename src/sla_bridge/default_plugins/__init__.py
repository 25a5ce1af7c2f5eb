"""Built-in behaviour, registered through the plugin manager like any other plugin.

Each module here is a plugin; :data:`DEFAULT_PLUGINS` lists them in registration order.
Blocking one with ``SLA_BRIDGE_DISABLED_PLUGINS`` (by the name shown in
``sla-bridge plugins``) lets a third-party plugin replace it.
"""

DEFAULT_PLUGINS = (
    "sla_bridge.default_plugins.policies",
    "sla_bridge.default_plugins.holiday_rules",
    "sla_bridge.default_plugins.classifier",
)
