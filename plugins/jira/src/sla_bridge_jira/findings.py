"""What ``sla-bridge jira check`` (and setup, for what it does not change) found about one
thing on the site: fine, or a problem with what to do about it."""

from __future__ import annotations

from dataclasses import dataclass

from sla_bridge.platformkit import Plan

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One thing looked at (``kind`` and ``name``), whether it is fine, and the details or
    what to do."""

    ok: bool
    kind: str
    name: str
    detail: str

    def line(self) -> str:
        """``check``'s line: ``  ok       field 'SLA first response due': customfield_...``."""
        return f"  {'ok' if self.ok else 'PROBLEM':<10} {self.kind} {self.name!r}: {self.detail}"

    def add_to(self, plan: Plan) -> None:
        """As a step of setup's plan: ``unchanged`` when fine, else a ``note``."""
        plan.add(self.kind, self.name, "unchanged" if self.ok else "note", self.detail)
