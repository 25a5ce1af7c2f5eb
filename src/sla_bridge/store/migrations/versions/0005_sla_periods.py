"""sla_periods: every first-response and next-update period once met or breached

Compliance counted each ticket's latest clock per metric, so a ticket with five next-update
periods counted once (or not at all). The table keeps every decided period; it starts with
what the clocks hold (each ticket's latest decided periods).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sla_periods",
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("met_at", sa.DateTime(), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=True),
        sa.Column("plan", sa.String(length=100), nullable=True),
        sa.Column("severity", sa.String(length=50), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "ticket_id", "metric", "started_at",
                                name=op.f("pk_sla_periods")),
    )
    op.create_index("ix_sla_periods_decided_at", "sla_periods", ["decided_at"])
    op.execute("""
        INSERT INTO sla_periods (platform, ticket_id, metric, started_at, target, due_at,
                                 met_at, breached, decided_at, policy_id, plan, severity,
                                 recorded_at)
        SELECT c.platform, c.ticket_id, c.metric, c.started_at, c.target, c.due_at, c.met_at,
               c.breached, COALESCE(c.met_at, c.due_at), t.policy_id, t.plan,
               COALESCE(t.vendor_severity, t.customer_severity), c.updated_at
        FROM sla_clocks c JOIN ticket_states t
          ON t.platform = c.platform AND t.ticket_id = c.ticket_id
        WHERE c.metric IN ('first_response', 'next_update')
          AND (c.met_at IS NOT NULL OR (c.breached AND c.due_at IS NOT NULL))
    """)


def downgrade() -> None:
    op.drop_index("ix_sla_periods_decided_at", table_name="sla_periods")
    op.drop_table("sla_periods")
