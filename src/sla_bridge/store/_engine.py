"""Connecting to the database: SQLite in WAL mode by default, PostgreSQL for several replicas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from sla_bridge.errors import BadDatabaseUrl, SchemaMissing, StoreNotWritable, StoreUnavailable
from sla_bridge.masking import mask_url, scrub, url_credentials

# libpq: give up connecting after 5 s, and let the kernel drop a connection whose packets
# are no longer acknowledged (a silent partition) after 10 s instead of ~15 minutes.
_POSTGRES_CONNECT = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10,
                     "keepalives_interval": 5, "keepalives_count": 3, "tcp_user_timeout": 10_000}


#: The execution option of a unit of work that only reads (``Store.reading``): on SQLite it
#: begins deferred, without the write lock, and cannot write.
READ_ONLY = "sla_bridge_read_only"
_QUERY_ONLY = "sla_bridge_query_only"  # per pooled SQLite connection: PRAGMA query_only


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` (``SLA_BRIDGE_DATABASE_URL``)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        why = "its port is not a number" if "int()" in str(exc) else "it does not parse"
        raise BadDatabaseUrl(
            f"SLA_BRIDGE_DATABASE_URL is not a database URL ({mask_url(url)!r}: {why}); use "
            "e.g. sqlite:///./var/sla-bridge.db or postgresql+psycopg://user@host:5432/db"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, parsed.database)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10,
                                 connect_args=_POSTGRES_CONNECT)
        except NoSuchModuleError as exc:
            raise BadDatabaseUrl(f"SLA_BRIDGE_DATABASE_URL: unsupported driver: {exc}") from None
    raise BadDatabaseUrl(
        f"SLA_BRIDGE_DATABASE_URL uses {backend!r}; sla-bridge supports sqlite and postgresql"
    )


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreNotWritable(
                f"SLA_BRIDGE_DATABASE_URL: the folder {folder} of the SQLite database cannot "
                f"be created ({exc.strerror or exc}); create it for the bridge's user, or set "
                "SLA_BRIDGE_DATABASE_URL to a writable place") from None
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        record.info[_QUERY_ONLY] = False

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A unit of work that writes takes the write lock at its start (BEGIN IMMEDIATE):
        # a deferred transaction that reads and then writes must upgrade its lock, and two
        # such upgrades deadlock (one gets SQLITE_BUSY, "database is locked", whatever the
        # busy timeout). A read-only unit of work (READ_ONLY) begins deferred, which in WAL
        # mode reads a snapshot without waiting for the writer, and runs with query_only
        # on, so that it cannot write and so never needs that upgrade.
        read_only = bool(connection.get_execution_options().get(READ_ONLY, False))
        if connection.info.get(_QUERY_ONLY) is not read_only:
            connection.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
            connection.info[_QUERY_ONLY] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn "cannot connect" database errors into :class:`StoreUnavailable`."""
    try:
        yield
    except OperationalError as exc:
        safe = mask_url(url)
        detail = scrub(str(exc.orig), url_credentials(url))
        text = detail.lower()
        refusal = not_writable(url, exc)
        if refusal is not None:
            raise refusal from exc
        if _is_connection_problem(exc) or "database is locked" in text:
            raise StoreUnavailable(f"database {safe} is unavailable: {detail}") from exc
        missing = _schema_missing(url, exc)
        if missing is not None:
            raise missing from exc
        raise
    except DBAPIError as exc:  # PostgreSQL's undefined table is a ProgrammingError
        problem = not_writable(url, exc) or _schema_missing(url, exc)
        if problem is not None:
            raise problem from exc
        if exc.connection_invalidated:
            safe = mask_url(url)
            raise StoreUnavailable(f"database {safe} connection was lost") from exc
        raise


def _schema_missing(url: str, exc: DBAPIError) -> SchemaMissing | None:
    """The error to raise when ``exc`` says the bridge's tables are not there (SQLite's "no
    such table", PostgreSQL's "relation ... does not exist"), else ``None``."""
    detail = scrub(str(exc.orig), url_credentials(url))
    text = detail.lower()
    if "no such table" in text or ("does not exist" in text and "relation" in text):
        return SchemaMissing(f"database {mask_url(url)} has no sla-bridge schema ({detail}); "
                             "run `sla-bridge db upgrade`")
    return None


def _is_connection_problem(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    markers = ("connection", "could not connect", "server closed", "terminating",
               "unable to open", "timeout", "the database system is")
    return exc.connection_invalidated or any(marker in text for marker in markers)


# What SQLite and PostgreSQL say when the database answers but refuses to be written.
_READ_ONLY = ("attempt to write a readonly database", "unable to open database file",
              "read-only transaction", "readonly database")
_FULL = ("database or disk is full", "no space left on device", "disk i/o error")
_PG_READ_ONLY = "25006"  # read_only_sql_transaction: a standby, or default_transaction_read_only
_PG_FULL = ("53100",)  # disk_full


def not_writable(url: str, exc: DBAPIError) -> StoreNotWritable | None:
    """The error to raise when ``exc`` says the database cannot be written (a read-only file,
    folder or server, a full or failing disk), else ``None``; the message says what to do."""
    detail = scrub(str(exc.orig), url_credentials(url)).strip().splitlines()
    first = detail[0] if detail else type(exc.orig).__name__
    text = first.lower()
    state = getattr(exc.orig, "sqlstate", None)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        where = parsed.database or ":memory:"
        if any(marker in text for marker in _READ_ONLY):
            name = Path(where).name
            return StoreNotWritable(
                f"SLA_BRIDGE_DATABASE_URL: the SQLite database {where} cannot be written "
                f"({first}); give the bridge's user write access to the file and its folder "
                f"(SQLite also writes {name}-wal and {name}-shm there), or set "
                "SLA_BRIDGE_DATABASE_URL to a writable place")
        if any(marker in text for marker in _FULL):
            return StoreNotWritable(
                f"the SQLite database {where} cannot be written ({first}): free space on its "
                "disk or check the disk for errors; the bridge resumes by itself",
                setting_problem=False)
        return None
    if state == _PG_READ_ONLY:
        return StoreNotWritable(
            f"SLA_BRIDGE_DATABASE_URL: the PostgreSQL database {mask_url(url)} is read-only "
            f"({first}); point SLA_BRIDGE_DATABASE_URL at the primary server, not a standby")
    if state in _PG_FULL or "no space left on device" in text:
        return StoreNotWritable(
            f"the PostgreSQL database {mask_url(url)} cannot be written ({first}): free space "
            "on the database server's disk; the bridge resumes by itself",
            setting_problem=False)
    return None
