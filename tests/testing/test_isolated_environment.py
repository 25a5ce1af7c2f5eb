"""A plugin's conftest keeps the developer's variables of its prefix and ``.env`` file out of
every test (``isolated_environment``), and leaves other variables alone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_bridge.testing import isolated_environment

_isolated_env = isolated_environment("SLA_BRIDGE_ACME__", "ACME_FORCE")


@pytest.fixture(scope="module")
def developer_shell() -> Iterator[dict[str, str]]:
    """Variables a developer's shell has before any test's own fixtures run."""
    variables = {"SLA_BRIDGE_ACME__API_TOKEN": "from-the-shell", "ACME_FORCE_HTTP": "1",
                 "ACME_HOME": "/home/dev"}
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    yield variables
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_the_plugins_variables_and_env_file_are_kept_out(developer_shell: dict[str, str],
                                                         tmp_path: Path) -> None:
    assert "SLA_BRIDGE_ACME__API_TOKEN" not in os.environ
    assert "ACME_FORCE_HTTP" not in os.environ
    assert os.environ["ACME_HOME"] == "/home/dev"
    assert Path.cwd() == tmp_path


def test_without_a_prefix_there_is_nothing_to_keep_out() -> None:
    with pytest.raises(ValueError, match="name the variable prefixes"):
        isolated_environment()
