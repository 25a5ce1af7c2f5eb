"""Zendesk for sla-bridge.

The platform (:class:`ZendeskPlatform`) verifies and parses Zendesk's webhooks, reads
tickets and writes the bridge's decisions back with zenpy; :mod:`.sandbox` is a faithful
local Zendesk; ``sla-bridge zendesk setup`` wires an account to the bridge.
"""

from ._version import __version__
from .inbound import TRIGGER_BODY, trigger_body
from .platform import ZendeskPlatform
from .settings import ZendeskSettings
from .signature import sign

__all__ = ["TRIGGER_BODY", "ZendeskPlatform", "ZendeskSettings", "__version__", "sign",
           "trigger_body"]
