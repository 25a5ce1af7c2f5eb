"""Install the example plugin the way pip would: a dist-info with an entry point on sys.path."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE_DIR = Path(__file__).parent / "example_plugin"


@pytest.fixture
def example_plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make ``sla_bridge_example_plugin`` importable and discoverable in group ``sla_bridge``."""
    dist_info = tmp_path / "sla_bridge_example_plugin-1.2.3.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sla-bridge-example-plugin\nVersion: 1.2.3\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[sla_bridge]\nexample = sla_bridge_example_plugin\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(EXAMPLE_DIR))
    return tmp_path


@pytest.fixture
def broken_plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An entry point whose module raises on import."""
    (tmp_path / "sla_bridge_broken_plugin.py").write_text("raise RuntimeError('boom')\n")
    dist_info = tmp_path / "sla_bridge_broken_plugin-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: sla-bridge-broken-plugin\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text("[sla_bridge]\nbroken = sla_bridge_broken_plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path
