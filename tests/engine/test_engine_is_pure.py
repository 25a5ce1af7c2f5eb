"""The engine is pure: importing it loads no database, web or vendor library."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_engine_loads_no_database_or_server_code() -> None:
    code = ("import sys, sla_bridge.engine, sla_bridge.simulate\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', "
            "'psycopg', 'fastapi', 'starlette', 'uvicorn', 'zenpy', 'requests'})\n"
            "assert not heavy, heavy\n")
    subprocess.run([sys.executable, "-c", code], check=True)
