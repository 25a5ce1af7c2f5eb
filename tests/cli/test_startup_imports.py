"""Start-up: ``sla-bridge --version`` and ``sla-bridge due`` import only what they use.

Each case runs the command line in a fresh interpreter and lists the modules it imported;
nothing here is timed (``benchmarks/bench_startup.py`` times them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# The helpdesks' client libraries, the web and database stacks, and the bridge's own
# modules that only some commands or the runtime need.
HEAVY = ("zenpy", "jira", "simple_salesforce", "requests", "httpx", "fastapi", "starlette",
         "uvicorn", "sqlalchemy", "alembic", "psycopg", "jinja2", "prometheus_client",
         "sla_bridge.classify", "sla_bridge.server", "sla_bridge.store", "sla_bridge.worker",
         "sla_bridge.engine", "sla_bridge.simulate", "sla_bridge.testing",
         "sla_bridge.platformkit")
PLUGIN_PACKAGES = ("sla_bridge_zendesk", "sla_bridge_jira", "sla_bridge_salesforce")
DUE = ["due", "--policy", "code42-enterprise", "--plan", "gold", "--severity", "2",
       "--opened", "2026-11-25T22:00:00Z"]

SCRIPT = """\
import json, sys
from sla_bridge.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True,
                            text=True, timeout=120, env={**os.environ, **(env or {})},
                            check=True)
    *printed, last = result.stdout.strip().splitlines()
    report = json.loads(last)
    return report["exit"], report["modules"], "\n".join(printed) + result.stderr


def _loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted({m for m in modules for p in prefixes if m == p or m.startswith(p + ".")})


def test_version_loads_no_plugin_no_settings_and_nothing_heavy() -> None:
    code, modules, output = _run("--version")
    assert code == 0
    assert "sla-bridge, version" in output
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, PLUGIN_PACKAGES) == []
    assert _loaded(modules, ("pydantic", "sla_bridge.plugin", "sla_bridge.settings")) == []


def test_due_loads_the_plugins_entry_modules_only() -> None:
    code, modules, output = _run(*DUE)
    assert code == 0, output
    assert output.splitlines()[0] == "2026-11-30T11:00:00-06:00"
    assert _loaded(modules, HEAVY) == []
    # Each plugin is loaded (its hooks may add policies or holiday rules) through its entry
    # module, which leaves the settings, the platform and the commands for later.
    assert _loaded(modules, PLUGIN_PACKAGES) == sorted(
        [*PLUGIN_PACKAGES, *(f"{p}._version" for p in PLUGIN_PACKAGES),
         *(f"{p}.plugin" for p in PLUGIN_PACKAGES)])


@pytest.mark.parametrize("platform", ["zendesk", "jira", "salesforce"])
def test_a_plugins_commands_are_listed_and_run(platform: str) -> None:
    code, _, output = _run("--help")
    assert code == 0
    assert f"\n  {platform} " in output
    code, modules, output = _run(platform, "--help")
    assert code == 0, output
    assert "setup" in output
    assert f"sla_bridge_{platform}.cli" in modules


def test_version_answers_even_when_the_plugins_are_misconfigured() -> None:
    env = {"SLA_BRIDGE_PLUGINS": "no-such-plugin"}
    code, _, output = _run("--version", env=env)
    assert code == 0
    assert "sla-bridge, version" in output
    code, _, output = _run(*DUE, env=env)
    assert code == 2
    assert "sla-bridge: invalid plugins:\nSLA_BRIDGE_PLUGINS names 'no-such-plugin'" in output
