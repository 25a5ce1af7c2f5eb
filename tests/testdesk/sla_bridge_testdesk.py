"""The testdesk platform plugin under its old module name (benchmarks/bench_ingest.py's entry
point, and the tests' ``from sla_bridge_testdesk import sign``): the memory platform now lives
in the kit, :mod:`sla_bridge.testing` (module ``sla_bridge.testing._testdesk``)."""

from sla_bridge.testing._testdesk import (
    NAME,
    Testdesk,
    TestdeskDB,
    TestdeskSettings,
    new_ticket,
    sign,
    sla_bridge_register_platforms,
    sla_bridge_register_settings,
)

__all__ = [
    "NAME",
    "Testdesk",
    "TestdeskDB",
    "TestdeskSettings",
    "new_ticket",
    "sign",
    "sla_bridge_register_platforms",
    "sla_bridge_register_settings",
]
