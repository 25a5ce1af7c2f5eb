"""Reconcile workers and the timer loop (being written; see _pool.py)."""

from ._pool import WorkerPool

__all__ = ["WorkerPool"]
