"""The bridge's tables. Changes go through a new Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC everywhere."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Id = BigInteger().with_variant(Integer(), "sqlite")
PLATFORM = 50
TICKET = 200

inbox = Table(
    "inbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM), nullable=False),
    Column("delivery_id", String(200), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("by_bridge", Boolean, nullable=False, default=False),
    Column("payload", JSON, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("processed_at", UTCDateTime, nullable=True),
    UniqueConstraint("platform", "delivery_id"),
    Index(None, "platform", "ticket_id", "processed_at"),
    Index(None, "processed_at", "received_at"),
)

work = Table(
    "work",
    metadata,
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("ready_at", UTCDateTime, nullable=False),
    Column("generation", Integer, nullable=False, default=1),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    # The most urgent class (sla_bridge.urgency) of the wakes not reconciled yet; claims go
    # by (urgency, ready_at). A wake while the ticket is leased goes to again_urgency, the
    # class of the run after the lease.
    Column("urgency", SmallInteger, nullable=False, default=3, server_default=text("3")),
    Column("again_urgency", SmallInteger, nullable=True),
    PrimaryKeyConstraint("platform", "ticket_id"),
    Index(None, "ready_at"),
    Index(None, "urgency", "ready_at"),
)

timers = Table(
    "timers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),  # scheduled | fired | cancelled
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("fired_at", UTCDateTime, nullable=True),
    Column("fired_by", String(100), nullable=True),
    # The class its ticket's work is claimed in when it fires (TimerSpec.urgency).
    Column("urgency", SmallInteger, nullable=False, default=3, server_default=text("3")),
    Index(None, "status", "due_at"),
    Index(None, "platform", "ticket_id", "status"),
    Index("ix_timers_status_fired_at", "status", "fired_at"),
    Index(
        "uq_timers_scheduled_kind",
        "platform",
        "ticket_id",
        "kind",
        unique=True,
        sqlite_where=Column("status") == "scheduled",
        postgresql_where=Column("status") == "scheduled",
    ),
)

ticket_states = Table(
    "ticket_states",
    metadata,
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("policy_id", String(100), nullable=True),
    Column("plan", String(100), nullable=True),
    Column("customer_severity", String(50), nullable=True),
    Column("vendor_severity", String(50), nullable=True),
    Column("status", String(20), nullable=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "ticket_id"),
)

sla_clocks = Table(
    "sla_clocks",
    metadata,
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("metric", String(50), nullable=False),
    Column("target", String(100), nullable=False),
    Column("schedule", String(100), nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("used_seconds", Float, nullable=False, default=0.0),
    Column("paused", Boolean, nullable=False, default=False),
    Column("warned", Boolean, nullable=False, default=False),
    Column("breached", Boolean, nullable=False, default=False),
    Column("met_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "ticket_id", "metric"),
)

action_ledger = Table(
    "action_ledger",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("action", Text, nullable=False),
    Column("status", String(16), nullable=False),  # applied | skipped | dead
    Column("result", String(200), nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "platform", "ticket_id"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False),
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("action", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | replayed | discarded
    Column("created_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Index(None, "status", "created_at"),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(100), nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Index(None, "platform", "ticket_id", "at"),
    Index("ix_decisions_at", "at"),
)

# One row per probe name, rewritten by every readiness check: a committed write proves the
# database takes writes (a rolled-back one never reaches the disk).
heartbeat = Table(
    "heartbeat",
    metadata,
    Column("name", String(50), nullable=False),
    Column("beat_at", UTCDateTime, nullable=False),
    Column("beat_by", String(100), nullable=False),
    PrimaryKeyConstraint("name"),
)

# One row per periodic sweep (a platform looking for changes its webhooks missed): when the
# latest began and by whom (claimed by one replica at a time), and how far the last got.
sweeps = Table(
    "sweeps",
    metadata,
    Column("name", String(100), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("started_by", String(100), nullable=False),
    Column("swept_until", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("name"),
)

# Every first-response and next-update period once it is decided (met, or breached), kept
# after the ticket's clock moved on to the next period: what compliance counts. One row per
# period (its start), so looking at a ticket again rewrites the row instead of adding one.
sla_periods = Table(
    "sla_periods",
    metadata,
    Column("platform", String(PLATFORM), nullable=False),
    Column("ticket_id", String(TICKET), nullable=False),
    Column("metric", String(50), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("target", String(100), nullable=False),
    Column("due_at", UTCDateTime, nullable=True),
    Column("met_at", UTCDateTime, nullable=True),
    Column("breached", Boolean, nullable=False),
    # met_at, else (breached and not met yet) due_at: the instant the period counts at.
    Column("decided_at", UTCDateTime, nullable=False),
    # What the ticket was when the period was first decided (a later change of severity
    # does not move a period already counted).
    Column("policy_id", String(100), nullable=True),
    Column("plan", String(100), nullable=True),
    Column("severity", String(50), nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("platform", "ticket_id", "metric", "started_at"),
    Index("ix_sla_periods_decided_at", "decided_at"),
)
