"""Alembic environment: run migrations on the connection the bridge hands over."""

from __future__ import annotations

from alembic import context

from sla_bridge.store._schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `sla-bridge db upgrade`; it supplies the database")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
