"""deploy/sla-bridge.service: the image's command under systemd, as an unprivileged user with
its secrets in an env file, stopped with SIGTERM with time for the graceful shutdown; and a
unit systemd itself accepts (``systemd-analyze verify``, where it is installed)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_files import UNIT, VENV_BIN, parse_dockerfile, unit


def test_the_unit_runs_the_image_command_unprivileged() -> None:
    service = unit()["Service"]
    exec_start = shlex.split(service["ExecStart"])
    assert Path(exec_start[0]).is_absolute()
    assert [Path(exec_start[0]).name, *exec_start[1:]] == parse_dockerfile().entry_command()
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"].startswith("/etc/")  # the secrets, outside the unit
    state = f"/var/lib/{service['StateDirectory']}"
    assert service["WorkingDirectory"] == state
    environment = [line.removeprefix("Environment=") for line in _text().splitlines()
                   if line.startswith("Environment=")]  # repeated: configparser keeps one
    assert f"SLA_BRIDGE_DATABASE_URL=sqlite:///{state}/sla-bridge.db" in environment
    assert service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 30  # uvicorn's graceful shutdown takes up to 30 s
    assert service["NoNewPrivileges"] == "yes"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def _text() -> str:
    return UNIT.read_text(encoding="utf-8")


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The unit as installed, its ExecStart pointing at this virtualenv's bridge.
    exec_start = shlex.split(unit()["Service"]["ExecStart"])
    text = _text().replace(f"ExecStart={exec_start[0]}",
                                  f"ExecStart={VENV_BIN / 'sla-bridge'}")
    copy = tmp_path / UNIT.name
    copy.write_text(text, encoding="utf-8")
    verified = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                              timeout=60, check=False)
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr
