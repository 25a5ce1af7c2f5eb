"""Built-in plugin: the holiday rule kinds fixed, nth_weekday, last_weekday, relative, dates."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from sla_bridge.hookspecs import hookimpl
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS


@hookimpl(tryfirst=True)
def sla_bridge_register_holiday_rules(register: Callable[[str, type[BaseModel]], None]) -> None:
    """Register the built-in rule kinds (first, so plugins can replace any of them)."""
    for kind, spec in BUILTIN_HOLIDAY_KINDS.items():
        register(kind, spec)
