"""Built-in plugin: the five bundled policies and any directories named in the settings."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sla_bridge.hookspecs import hookimpl


def bundled_policy_dir() -> Path:
    """Return the directory holding the bundled policy files.

    An installed wheel carries them as ``sla_bridge/policies``; a source checkout
    (editable install) reads them from ``config/policies`` at the top of the repository.
    """
    packaged = Path(str(resources.files("sla_bridge"))) / "policies"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "config" / "policies"


@hookimpl(trylast=True)
def sla_bridge_register_policies(register: Callable[[Path], None]) -> None:
    """Register the bundled policy directory."""
    register(bundled_policy_dir())
