"""The platform kit for tests: the same harness, memory platform and fixtures for every
helpdesk plugin.

* :class:`BridgeHarness`: the real bridge in-process under uvicorn on a platform's sandbox
  (a :class:`PlatformSandbox`), a :class:`VirtualClock`, timers fired in order, webhooks
  delivered, the bridge's decisions read back; its retries sleep through a
  :class:`RecordingSleep` (recorded, spent on the virtual clock's monotonic timer).
* The memory platform: the ``testdesk`` plugin (:class:`Testdesk`, its shared file
  :class:`TestdeskDB`), installed for a test through a real entry point
  (:class:`InstalledTestdesk`), and its helpdesk side (:class:`MemoryHelpdesk`).
* :class:`WebhookReceiver`: an endpoint that records what a sandbox's webhook sender sends.
* :class:`WebhookSigner`: how a platform's webhooks are made valid, for the hostile-input
  suite; each platform plugin registers one (hook ``sla_bridge_register_webhook_signers``),
  :func:`webhook_signers` finds them, :class:`TestdeskSigner` is the memory platform's.
* The in-memory life (no bridge process, no platform) is :mod:`sla_bridge.simulate`,
  re-exported here: :class:`Desk`, :class:`TicketLife`, :func:`play_story` ...
* :func:`run_demo` and :class:`DemoScript`: the frame of ``sla-bridge demo``.
* The pytest plugin (installed with the package, entry point ``pytest11``): the fixtures
  ``clean_environment``, ``fast_retries``, ``testdesk``, ``make_harness``,
  ``memory_driver``, ``webhook_receiver`` and ``webhook_signer`` (a test taking it runs once
  per installed platform), and the ``slow`` marker; :func:`isolated_environment` makes a
  plugin's conftest an autouse fixture keeping its ``SLA_BRIDGE_<NAME>__*`` variables out.
* :mod:`sla_bridge.testing.conformance`: the workflow stories written once against a
  :class:`~sla_bridge.testing.conformance.HelpdeskDriver`, for every platform to run.
* :class:`OpenApiChecker` (with :func:`log_problems`, :func:`trim_document`): a platform's
  requests and its sandbox's answers checked against the vendor's OpenAPI document; loaded
  on first use, as it needs ``jsonschema`` (a test extra); a plugin's vendored trimmed
  copies are made by :func:`write_trimmed_specs` (:func:`trim_spec_file`) and read by
  :func:`vendored_document` (:func:`trim_script` loads its ``specs/trim_specs.py``).

Nothing here imports pytest except the plugin and the conformance suite, and nothing needs
a test extra until the OpenAPI checker is used, so the demo runs on a bare installation. The
names are imported on first use: loading the pytest plugin (which imports this package)
costs nothing until a test uses the kit.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sla_bridge.simulate import (
        Desk,
        NotSettled,
        Round,
        StoryResult,
        TicketLife,
        Write,
        load_story,
        parse_story,
        play_story,
    )

    from ._demo import DemoScript, run_demo
    from ._fixtures import isolated_environment
    from ._harness import FAST_RETRIES, BridgeHarness, PlatformSandbox
    from ._install import TESTDESK_ENTRY_POINT, InstalledTestdesk, write_entry_point
    from ._memory_desk import MemoryDelivery, MemoryHelpdesk, MemoryOrganization, MemoryPerson
    from ._openapi import OpenApiChecker, Operation, log_problems, trim_document
    from ._receiver import WebhookReceiver
    from ._serving import RecordingSleep, VirtualClock
    from ._signers import TestdeskSigner, WebhookSigner, webhook_signers
    from ._specs import trim_script, trim_spec_file, vendored_document, write_trimmed_specs
    from ._testdesk import NAME as TESTDESK
    from ._testdesk import Testdesk, TestdeskDB, TestdeskSettings, new_ticket, sign
    from ._timeline import Timeline, describe_decision

# Where each public name lives; imported on first use (see the module's docstring).
_EXPORTS = {
    "DemoScript": "._demo",
    "run_demo": "._demo",
    "isolated_environment": "._fixtures",
    "FAST_RETRIES": "._harness",
    "BridgeHarness": "._harness",
    "PlatformSandbox": "._harness",
    "TESTDESK_ENTRY_POINT": "._install",
    "InstalledTestdesk": "._install",
    "write_entry_point": "._install",
    "MemoryDelivery": "._memory_desk",
    "MemoryHelpdesk": "._memory_desk",
    "MemoryOrganization": "._memory_desk",
    "MemoryPerson": "._memory_desk",
    "OpenApiChecker": "._openapi",
    "Operation": "._openapi",
    "log_problems": "._openapi",
    "trim_document": "._openapi",
    "WebhookReceiver": "._receiver",
    "RecordingSleep": "._serving",
    "VirtualClock": "._serving",
    "TestdeskSigner": "._signers",
    "WebhookSigner": "._signers",
    "webhook_signers": "._signers",
    "trim_script": "._specs",
    "trim_spec_file": "._specs",
    "vendored_document": "._specs",
    "write_trimmed_specs": "._specs",
    "Testdesk": "._testdesk",
    "TestdeskDB": "._testdesk",
    "TestdeskSettings": "._testdesk",
    "new_ticket": "._testdesk",
    "sign": "._testdesk",
    "Timeline": "._timeline",
    "describe_decision": "._timeline",
    "Desk": "sla_bridge.simulate",
    "NotSettled": "sla_bridge.simulate",
    "Round": "sla_bridge.simulate",
    "StoryResult": "sla_bridge.simulate",
    "TicketLife": "sla_bridge.simulate",
    "Write": "sla_bridge.simulate",
    "load_story": "sla_bridge.simulate",
    "parse_story": "sla_bridge.simulate",
    "play_story": "sla_bridge.simulate",
}
_RENAMED = {"TESTDESK": ("._testdesk", "NAME")}


if not TYPE_CHECKING:
    def __getattr__(name: str) -> Any:
        """Import a public name on first use."""
        module, attribute = _RENAMED.get(name) or (_EXPORTS.get(name), name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), attribute)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names."""
    return sorted(__all__)


__all__ = [
    "FAST_RETRIES",
    "TESTDESK",
    "TESTDESK_ENTRY_POINT",
    "BridgeHarness",
    "DemoScript",
    "Desk",
    "InstalledTestdesk",
    "MemoryDelivery",
    "MemoryHelpdesk",
    "MemoryOrganization",
    "MemoryPerson",
    "NotSettled",
    "OpenApiChecker",
    "Operation",
    "PlatformSandbox",
    "RecordingSleep",
    "Round",
    "StoryResult",
    "Testdesk",
    "TestdeskDB",
    "TestdeskSettings",
    "TestdeskSigner",
    "TicketLife",
    "Timeline",
    "VirtualClock",
    "WebhookReceiver",
    "WebhookSigner",
    "Write",
    "describe_decision",
    "isolated_environment",
    "load_story",
    "log_problems",
    "new_ticket",
    "parse_story",
    "play_story",
    "run_demo",
    "sign",
    "trim_document",
    "trim_script",
    "trim_spec_file",
    "vendored_document",
    "webhook_signers",
    "write_entry_point",
    "write_trimmed_specs",
]
