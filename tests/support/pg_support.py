"""PostgreSQL for tests: a fresh schema per test; skip only where no server answers outside CI."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url_or_skip() -> str:
    """Return a URL whose search_path is a new, empty schema.

    Skips with the reason when no PostgreSQL answers at 127.0.0.1:5432, except under
    ``CI=true``, where the server must be there and the test fails instead.
    """
    engine = sqlalchemy.create_engine(PG_SERVER, connect_args={"connect_timeout": 3})
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sqlalchemy.exc.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 ({exc.orig}); CI runs these tests")
    finally:
        engine.dispose()
    return f"{PG_SERVER}?options=-csearch_path%3D{schema}"


def drop_schema(url: str) -> None:
    """Drop the schema a URL from :func:`postgres_url_or_skip` points at."""
    schema = url.rsplit("%3D", 1)[1]
    engine = sqlalchemy.create_engine(PG_SERVER)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()
