"""indexes for pruning old audit entries and finished timers

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decisions_at", "decisions", ["at"])
    op.create_index("ix_timers_status_fired_at", "timers", ["status", "fired_at"])


def downgrade() -> None:
    op.drop_index("ix_timers_status_fired_at", table_name="timers")
    op.drop_index("ix_decisions_at", table_name="decisions")
