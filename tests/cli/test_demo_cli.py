"""``sla-bridge demo``: the core command plays a platform's demo; without one it says how to
get one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

RunCli = Callable[..., Result]


def test_without_a_platform_that_ships_a_demo_the_command_says_what_to_install(
        run_cli: RunCli) -> None:
    result = run_cli("demo", env={"SLA_BRIDGE_DISABLED_PLUGINS": "zendesk,jira,salesforce"})
    assert result.exit_code == 2
    assert "no installed plugin ships a demo" in result.output
    assert "pip install -e plugins/zendesk" in result.output


def test_an_unknown_platform_names_the_installed_demos(run_cli: RunCli) -> None:
    result = run_cli("demo", "--platform", "nope")
    assert result.exit_code == 2
    listed = re.search(r"no demo 'nope'; installed: ([a-z, ]+)", result.output)
    assert listed is not None, result.output
    names = listed.group(1).split(", ")
    assert names == sorted(names)
    assert {"jira", "zendesk"} <= set(names)


@pytest.mark.slow
def test_without_a_platform_every_installed_demo_plays_in_turn(run_cli: RunCli,
                                                               tmp_path: Path) -> None:
    listed = re.search(r"installed: ([a-z, ]+)", run_cli("demo", "--platform", "?").output)
    assert listed is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "demo"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Nothing left the machine.") == len(listed.group(1).split(", "))
