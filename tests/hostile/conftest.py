"""Fixtures of the hostile-input suite: the platform under test (the kit's ``webhook_signer``
fixture: every test runs once per installed platform), each database, the bridge, and the
figures of a run (written to ``$HOSTILE_REPORT/<platform>-<database>.json`` when set)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_bridge import HostileBridge, Tally
from pg_support import drop_schema, postgres_url_or_skip

from sla_bridge.testing import WebhookSigner


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """``None`` (the default SQLite file) or the URL of a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield None
        return
    url = postgres_url_or_skip()
    yield url
    drop_schema(url)


@pytest.fixture
def hostile_bridge(webhook_signer: WebhookSigner, database: str | None
                   ) -> Iterator[HostileBridge]:
    """The bridge with the platform under test, on the database under test."""
    bridge = HostileBridge(webhook_signer, database)
    yield bridge
    bridge.stop()


@pytest.fixture
def tally(webhook_signer: WebhookSigner, database: str | None) -> Iterator[Tally]:
    """Counts the run; written to ``$HOSTILE_REPORT`` (a folder) when it is set."""
    counted = Tally()
    yield counted
    folder = os.environ.get("HOSTILE_REPORT")
    if folder:
        name = f"{webhook_signer.platform}-{'sqlite' if database is None else 'postgresql'}"
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.json").write_text(json.dumps({
            "platform": webhook_signer.platform,
            "database": "sqlite" if database is None else "postgresql",
            "requests": counted.requests, "seconds": time.monotonic() - counted.started,
            "statuses": {str(k): v for k, v in sorted(counted.statuses.items())},
            "kinds": dict(counted.kinds.most_common()),
            "acknowledged_events": counted.acknowledged_events}, indent=2))


def _reportable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Escape lone surrogates in a failure's report: these tests send them on purpose, and
    xdist sends reports to the controller as UTF-8, where one would turn the failure into an
    INTERNALERROR that names no test and shows no assertion."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    report.sections = [(title, _reportable(content)) for title, content in report.sections]
    if report.failed and report.longrepr is not None:
        report.longrepr = _reportable(str(report.longrepr))
