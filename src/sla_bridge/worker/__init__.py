"""Reconcile workers and timers: fire what is due, reconcile woken tickets, apply actions."""

from ._apply import Applied, Applier
from ._observe import OBSERVED, Observer
from ._pool import (
    DrainReport,
    WorkerPool,
    drain,
    fire_due_timers,
    reconcile_next,
    sweep_when_due,
    worker_name,
)
from ._reconcile import Reconciled, Reconciler

__all__ = [
    "OBSERVED",
    "Applied",
    "Applier",
    "DrainReport",
    "Observer",
    "Reconciled",
    "Reconciler",
    "WorkerPool",
    "drain",
    "fire_due_timers",
    "reconcile_next",
    "sweep_when_due",
    "worker_name",
]
