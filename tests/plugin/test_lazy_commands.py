"""A plugin's commands added with ``add_lazy_command``: imported when run, checked like any."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sla_bridge.cli import build_cli
from sla_bridge.plugin import PluginError, PluginHost
from sla_bridge.settings import load_settings


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, command: str) -> str:
    """Install an entry-point plugin ``name`` whose ``command`` lives in its own module,
    added lazily; return that module's name."""
    package = f"sla_bridge_{name}_lazy"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "plugin.py").write_text(
        "from sla_bridge import hookimpl\n"
        "from sla_bridge.cli import add_lazy_command\n\n"
        "@hookimpl\ndef sla_bridge_register_commands(cli):\n"
        f"    add_lazy_command(cli, {command!r}, '{package}.commands:run')\n")
    (tmp_path / package / "commands.py").write_text(
        "import click\n\n"
        f"@click.command({command!r})\ndef run():\n    click.echo('ran {name}')\n")
    dist = tmp_path / f"{package}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[sla_bridge]\n{name} = {package}.plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return f"{package}.commands"


def test_a_lazy_command_is_imported_only_when_run(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    module = _install(tmp_path, monkeypatch, "late", "greet")
    cli = build_cli(PluginHost.from_settings(load_settings()))
    assert "greet" in cli.commands
    assert module not in sys.modules
    result = CliRunner().invoke(cli, ["greet"])
    assert result.exit_code == 0, result.output
    assert result.output == "ran late\n"
    assert module in sys.modules


def test_a_lazy_command_may_not_replace_a_built_in_one(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, monkeypatch, "rival", "due")
    with pytest.raises(PluginError, match="'due': sla-bridge \\(built in\\) and rival"):
        build_cli(PluginHost.from_settings(load_settings()))
