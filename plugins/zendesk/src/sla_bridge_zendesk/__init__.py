"""Zendesk for sla-bridge.

The platform (:class:`ZendeskPlatform`) verifies and parses Zendesk's webhooks, reads
tickets and writes the bridge's decisions back with zenpy; :mod:`.sandbox` is a faithful
local Zendesk; ``sla-bridge zendesk setup`` wires an account to the bridge.

The names below are imported on first use: loading the plugin (its entry module,
:mod:`.plugin`, is inside this package) must not import zenpy and requests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .inbound import TRIGGER_BODY, trigger_body
    from .platform import ZendeskPlatform
    from .settings import ZendeskSettings
    from .signature import sign

__all__ = ["TRIGGER_BODY", "ZendeskPlatform", "ZendeskSettings", "__version__", "sign",
           "trigger_body"]

_LAZY = {"TRIGGER_BODY": ".inbound", "trigger_body": ".inbound", "ZendeskPlatform": ".platform",
         "ZendeskSettings": ".settings", "sign": ".signature"}


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` when it is first asked for (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
