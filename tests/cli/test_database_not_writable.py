"""A SQLite database the bridge's user cannot write (a read-only file, a file in a read-only
folder, a folder that cannot be created) is a setting to fix: every command that writes says
so in one line naming SLA_BRIDGE_DATABASE_URL and what to do, and exits 2 (never a
traceback). Commands that only read still work on a read-only file.

The commands run as a real process (``python -m sla_bridge``). Root ignores file modes, so
as root the process runs without the capabilities that let it (``setpriv``), like any
unprivileged user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_bridge.clock import SystemClock
from sla_bridge.store import Store

AS_OF = ("--as-of", "2026-12-01T00:00:00Z")
SERVE = ("serve", "--port", "0")  # were it to start, on any free port
_DROP = "-dac_override,-dac_read_search"


def run_unprivileged(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``sla-bridge ARGS`` with ``SLA_BRIDGE_DATABASE_URL=url``, as a user file modes bind."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file modes cannot be enforced")
        prefix = [setpriv, f"--inh-caps={_DROP}", f"--bounding-set={_DROP}", "--"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    env["SLA_BRIDGE_DATABASE_URL"] = url
    return subprocess.run([*prefix, sys.executable, "-m", "sla_bridge", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def migrated(path: Path) -> str:
    """Create and migrate the SQLite database at ``path``; return its URL."""
    url = f"sqlite:///{path}"
    store = Store(url, SystemClock())
    store.upgrade()
    store.close()  # the WAL is checkpointed and removed with the last connection
    return url


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to (made writable again afterwards, for the clean-up)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit 2, one ``Error:`` line naming the setting and the way out, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert "SLA_BRIDGE_DATABASE_URL" in errors[0]
    assert "or set SLA_BRIDGE_DATABASE_URL to a writable place" in errors[0]
    for word in words:
        assert word in errors[0]


@pytest.mark.parametrize("command", [SERVE, ("run-due", *AS_OF),
                                     ("dead-letters", "discard", "1")])
def test_a_read_only_file_is_refused_by_commands_that_write(tmp_path: Path,
                                                           command: tuple[str, ...]) -> None:
    path = tmp_path / "bridge.db"
    url = migrated(path)
    path.chmod(0o444)
    assert_refused(run_unprivileged(url, *command, cwd=tmp_path),
                   f"the SQLite database {path} cannot be written",
                   "attempt to write a readonly database",
                   "give the bridge's user write access to the file and its folder")


def test_a_read_only_file_can_still_be_read(tmp_path: Path) -> None:
    path = tmp_path / "bridge.db"
    url = migrated(path)
    path.chmod(0o444)
    listed = run_unprivileged(url, "dead-letters", "list", cwd=tmp_path)
    assert (listed.returncode, listed.stdout.strip()) == (0, "no open dead letters"), \
        listed.stderr


@pytest.mark.parametrize("command", [("db", "upgrade"), ("db", "current"), SERVE])
def test_a_file_in_a_read_only_folder_is_refused(tmp_path: Path, read_only_folder: Path,
                                                 command: tuple[str, ...]) -> None:
    # SQLite writes bridge.db-wal and bridge.db-shm beside the file: the folder must be
    # writable too, even to read.
    url = migrated(read_only_folder / "bridge.db")
    read_only_folder.chmod(0o555)
    assert_refused(run_unprivileged(url, *command, cwd=tmp_path),
                   f"{read_only_folder / 'bridge.db'} cannot be written")


def test_a_folder_that_cannot_be_created_is_refused(tmp_path: Path,
                                                    read_only_folder: Path) -> None:
    read_only_folder.chmod(0o555)
    url = f"sqlite:///{read_only_folder / 'state' / 'bridge.db'}"
    assert_refused(run_unprivileged(url, "run-due", *AS_OF, cwd=tmp_path),
                   f"the folder {read_only_folder / 'state'} of the SQLite database cannot "
                   "be created (Permission denied)")
