"""Jira Service Management for sla-bridge.

The platform verifies and parses Jira's admin webhooks and automation web requests, reads
requests and writes the bridge's decisions back with the ``jira`` client; :mod:`.sandbox` is
a faithful local Jira Service Management; ``sla-bridge jira setup`` wires a site to the bridge.
"""

from ._version import __version__

__all__ = ["__version__"]
