"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:24:45.229082
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "action_ledger",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_action_ledger")),
    )
    with op.batch_alter_table("action_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_ledger_platform_ticket_id"),
            ["platform", "ticket_id"],
            unique=False,
        )

    op.create_table(
        "dead_letters",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dead_letters_status_created_at"), ["status", "created_at"], unique=False
        )

    op.create_table(
        "decisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decisions_platform_ticket_id_at"),
            ["platform", "ticket_id", "at"],
            unique=False,
        )

    op.create_table(
        "inbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("by_bridge", sa.Boolean(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("platform", "delivery_id", name=op.f("uq_inbox_platform_delivery_id")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_platform_ticket_id_processed_at"),
            ["platform", "ticket_id", "processed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_inbox_processed_at_received_at"),
            ["processed_at", "received_at"],
            unique=False,
        )

    op.create_table(
        "sla_clocks",
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=50), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("schedule", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("used_seconds", sa.Float(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("met_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "ticket_id", "metric", name=op.f("pk_sla_clocks")),
    )
    op.create_table(
        "ticket_states",
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=True),
        sa.Column("plan", sa.String(length=100), nullable=True),
        sa.Column("customer_severity", sa.String(length=50), nullable=True),
        sa.Column("vendor_severity", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "ticket_id", name=op.f("pk_ticket_states")),
    )
    op.create_table(
        "timers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("fired_at", sa.DateTime(), nullable=True),
        sa.Column("fired_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timers_platform_ticket_id_status"),
            ["platform", "ticket_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_timers_status_due_at"), ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            "uq_timers_scheduled_kind",
            ["platform", "ticket_id", "kind"],
            unique=True,
            sqlite_where=sa.text("status = 'scheduled'"),
            postgresql_where=sa.text("status = 'scheduled'"),
        )

    op.create_table(
        "work",
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("ticket_id", sa.String(length=200), nullable=False),
        sa.Column("ready_at", sa.DateTime(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "ticket_id", name=op.f("pk_work")),
    )
    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_ready_at"), ["ready_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("work", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_ready_at"))

    op.drop_table("work")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_timers_scheduled_kind",
            sqlite_where=sa.text("status = 'scheduled'"),
            postgresql_where=sa.text("status = 'scheduled'"),
        )
        batch_op.drop_index(batch_op.f("ix_timers_status_due_at"))
        batch_op.drop_index(batch_op.f("ix_timers_platform_ticket_id_status"))

    op.drop_table("timers")
    op.drop_table("ticket_states")
    op.drop_table("sla_clocks")
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_processed_at_received_at"))
        batch_op.drop_index(batch_op.f("ix_inbox_platform_ticket_id_processed_at"))

    op.drop_table("inbox")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_platform_ticket_id_at"))

    op.drop_table("decisions")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letters_status_created_at"))

    op.drop_table("dead_letters")
    with op.batch_alter_table("action_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_ledger_platform_ticket_id"))

    op.drop_table("action_ledger")
