"""Installing a plugin for a test through a real entry point, as pip would.

The plugin host finds plugins only through the ``sla_bridge`` entry-point group, so a test
plugin is installed the same way: a ``*.dist-info`` folder with an ``entry_points.txt`` in a
folder put on ``sys.path`` (and on ``PYTHONPATH`` for a bridge in another process).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ._testdesk import TestdeskDB

TESTDESK_ENTRY_POINT = "sla_bridge.testing._testdesk"


def write_entry_point(site: Path, distribution: str, name: str, value: str,
                      group: str = "sla_bridge", version: str = "0.1") -> Path:
    """Write the metadata of distribution ``distribution`` into ``site``, with the entry
    point ``name = value`` in ``group``; return the ``.dist-info`` folder. Put ``site`` on
    ``sys.path`` to install it."""
    dist_info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    (dist_info / "entry_points.txt").write_text(f"[{group}]\n{name} = {value}\n")
    return dist_info


class InstalledTestdesk:
    """The testdesk (memory) platform installed in ``root``: its shared file, its webhook
    secret, the bridge's database, and the environment that configures both."""

    __test__ = False

    def __init__(self, root: Path, secret: str = "testdesk-secret-0123456789") -> None:
        self.root = root
        self.secret = secret
        self.db_path = root / "testdesk.db"
        self.db = TestdeskDB(self.db_path)
        self.database_url = f"sqlite:///{root / 'bridge.db'}"
        self.site = root / "site"
        write_entry_point(self.site, "sla-bridge-testdesk", "testdesk", TESTDESK_ENTRY_POINT)
        self.env = {
            "SLA_BRIDGE_TESTDESK__DB": str(self.db_path),
            "SLA_BRIDGE_TESTDESK__SECRET": self.secret,
            "SLA_BRIDGE_DATABASE_URL": self.database_url,
        }

    def subprocess_env(self, *paths: Path | str, **extra: str) -> dict[str, str]:
        """The environment of a bridge in another process that finds the plugin: the
        parent's without its ``SLA_BRIDGE_*`` variables, this installation's, ``extra``;
        ``paths`` are added to ``PYTHONPATH`` after the plugin's site folder."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
        env["PYTHONPATH"] = os.pathsep.join([str(self.site), *map(str, paths)])
        env.update(self.env)
        env.update(extra)
        return env

    def environment(self) -> Mapping[str, str]:
        """The variables that configure the platform and the bridge's database."""
        return dict(self.env)
