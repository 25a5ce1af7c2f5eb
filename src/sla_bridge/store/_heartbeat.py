"""The readiness heartbeat: one committed write that proves the database takes writes.

A write rolled back never reaches the disk (SQLite writes its WAL at commit), so a full disk,
a read-only file or a read-only PostgreSQL server would go unnoticed by a probe that only
begins a write. The probe rewrites one row and commits, as every webhook's inbox write does;
its lock waits are bounded so an abandoned probe ends soon after its caller gave up on it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from ._schema import heartbeat

READINESS = "readyz"
_SQLITE_BUSY_MS = 30_000  # the engine's own busy_timeout (see _engine._sqlite_engine)


def prober() -> str:
    """Who writes the heartbeat: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@contextmanager
def bounded_waits(conn: Connection, seconds: float) -> Iterator[None]:
    """Wait at most ``seconds`` for SQLite's write lock on ``conn`` (before it begins)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={max(int(seconds * 1000), 1)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")


def beat(conn: Connection, now: datetime, seconds: float, name: str = READINESS) -> None:
    """Upsert the heartbeat row ``name`` in the transaction ``conn`` is in (PostgreSQL's lock
    and statement waits bounded by ``seconds``)."""
    values = {"name": name, "beat_at": now, "beat_by": prober()}
    if conn.dialect.name == "postgresql":
        millis = max(int(seconds * 1000), 1)
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {millis}")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {millis}")
        pg = postgresql.insert(heartbeat).values(values)
        conn.execute(pg.on_conflict_do_update(
            index_elements=["name"], set_={"beat_at": now, "beat_by": values["beat_by"]}))
        return
    lite = sqlite.insert(heartbeat).values(values)
    conn.execute(lite.on_conflict_do_update(
        index_elements=["name"], set_={"beat_at": now, "beat_by": values["beat_by"]}))
