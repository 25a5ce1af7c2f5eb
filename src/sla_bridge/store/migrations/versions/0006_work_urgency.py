"""work.urgency: claims take the most urgent work first (sla_bridge.urgency)

Claims took the work that had waited longest, so under a vendor's API limit an auto-close
could spend the budget before a Severity 1 breach warning. The work row keeps the most
urgent class of its wakes (``again_urgency``: of the wakes that came during a lease), each
timer the class its ticket is claimed in when it fires; claims go by (urgency, ready_at).

Timers scheduled before this migration get their class from their kind (a Severity 1
ticket's timers are promoted the next time the ticket is reconciled); waiting work is
routine (3).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work") as batch:
        batch.add_column(sa.Column("urgency", sa.SmallInteger(), nullable=False,
                                   server_default=sa.text("3")))
        batch.add_column(sa.Column("again_urgency", sa.SmallInteger(), nullable=True))
    op.create_index("ix_work_urgency_ready_at", "work", ["urgency", "ready_at"])
    with op.batch_alter_table("timers") as batch:
        batch.add_column(sa.Column("urgency", sa.SmallInteger(), nullable=False,
                                   server_default=sa.text("3")))
    op.execute("""
        UPDATE timers SET urgency = CASE
            WHEN kind LIKE 'first_response:%' THEN 1
            WHEN kind LIKE 'next_update:%' THEN 2
            WHEN kind LIKE 'auto_close:%' THEN 4
            ELSE 3 END
        WHERE status = 'scheduled'
    """)


def downgrade() -> None:
    with op.batch_alter_table("timers") as batch:
        batch.drop_column("urgency")
    op.drop_index("ix_work_urgency_ready_at", table_name="work")
    with op.batch_alter_table("work") as batch:
        batch.drop_column("again_urgency")
        batch.drop_column("urgency")
