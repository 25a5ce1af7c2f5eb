"""Fixtures for the HTTP tests: bridges on loopback ports, a fresh PostgreSQL schema per
test, a proxy in front of PostgreSQL, and logging left as it was found."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import Bridge, StartBridge, TcpProxy

from sla_bridge.clock import Clock, SystemClock
from sla_bridge.runtime import Runtime
from sla_bridge.settings import load_settings


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo what ``configure_logging`` (run by ``serve`` in-process) does to the root logger."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    adopted = {name: (list(logging.getLogger(name).handlers), logging.getLogger(name).level,
                      logging.getLogger(name).propagate)
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (old_handlers, old_level, propagate) in adopted.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = old_handlers
        logger.setLevel(old_level)
        logger.propagate = propagate


@pytest.fixture
def start_bridge(testdesk: Any) -> Iterator[StartBridge]:
    """Return ``start(database_url=None, run_workers=False, clock=None, **settings)`` serving
    the testdesk bridge on a loopback port; every bridge started is stopped after the test."""
    started: list[Bridge] = []

    def start(database_url: str | None = None, run_workers: bool = False,
              clock: Clock | None = None, **overrides: Any) -> Bridge:
        if database_url is not None:
            overrides["database_url"] = database_url
        settings = load_settings(**overrides)
        bridge = Bridge(Runtime.build(settings, clock or SystemClock()), run_workers=run_workers)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.stop()


# -- PostgreSQL ---------------------------------------------------------------------------

@pytest.fixture
def pg_proxy() -> Iterator[TcpProxy]:
    """A running :class:`TcpProxy` to 127.0.0.1:5432, closed after the test."""
    proxy = TcpProxy()
    proxy.start()
    yield proxy
    proxy.close()
