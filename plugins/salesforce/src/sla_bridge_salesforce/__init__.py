"""Salesforce Service Cloud for sla-bridge.

The platform verifies and parses Outbound Messages and Flow callouts, reads Cases and writes
the bridge's decisions back with simple-salesforce over TLS; :mod:`.sandbox` is a faithful
local Service Cloud org; ``sla-bridge salesforce setup`` wires an org to the bridge.
"""

from ._version import __version__

__all__ = ["__version__"]
