"""A database URL the bridge cannot use is a settings error: it names the setting, hides the
password, and exits 2, like every other bad setting (never a traceback)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

RunCli = Callable[..., Result]


@pytest.mark.parametrize(("url", "words"), [
    ("postgresql+psycopg://bridge:hunter2hunter2@127.0.0.1:abc/x", "its port is not a number"),
    ("mysql://bridge@db/x", "sla-bridge supports sqlite and postgresql"),
    ("not a url", "it does not parse"),
])
@pytest.mark.parametrize("command", [("db", "current"), ("db", "upgrade"),
                                     ("run-due", "--as-of", "2026-11-20T00:00:00Z")])
def test_a_database_url_that_cannot_be_used_exits_2_naming_the_setting(
        run_cli: RunCli, url: str, words: str, command: tuple[str, ...]) -> None:
    result = run_cli(*command, env={"SLA_BRIDGE_DATABASE_URL": url})
    assert result.exit_code == 2, result.output
    assert "SLA_BRIDGE_DATABASE_URL" in result.output
    assert words in result.output
    assert "hunter2hunter2" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
