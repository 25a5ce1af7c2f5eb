"""The declared dependencies hang together: each platform plugin pins a core range that holds
the core's version, shares the core's floors, and is one of the projects `.ci/lowest-deps`
installs at its floors (that script checks each floor installs and runs)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from sla_bridge._version import __version__

ROOT = Path(__file__).parents[1]
PLUGINS = sorted(path.parent for path in ROOT.glob("plugins/*/pyproject.toml"))
SCRIPT = (ROOT / ".ci" / "lowest-deps").read_text()


def requirements(project: Path) -> dict[str, Requirement]:
    with (project / "pyproject.toml").open("rb") as f:
        listed = tomllib.load(f)["project"]["dependencies"]
    return {req.name: req for req in map(Requirement, listed)}


def floor(req: Requirement) -> Version:
    [lowest] = [Version(s.version) for s in req.specifier if s.operator == ">="]
    return lowest


def test_there_are_plugins_to_check() -> None:
    assert [p.name for p in PLUGINS] == ["jira", "salesforce", "zendesk"]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_plugin_pins_a_core_range_that_holds_the_cores_version(plugin: Path) -> None:
    core = requirements(plugin)["sla-bridge"]
    assert Version(__version__) in core.specifier, (core, __version__)
    assert any(s.operator == "<" for s in core.specifier), f"{core}: no upper bound"


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_plugin_shares_the_cores_floors(plugin: Path) -> None:
    core, own = requirements(ROOT), requirements(plugin)
    shared = sorted(set(core) & set(own))
    assert "pydantic" in shared
    assert {name: str(floor(own[name])) for name in shared} == {
        name: str(floor(core[name])) for name in shared}


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_the_lowest_deps_script_installs_and_checks_every_plugin(plugin: Path) -> None:
    where = plugin.relative_to(ROOT)
    assert f"-e {where}" in SCRIPT
    assert f'"{where}/pyproject.toml"' in SCRIPT
