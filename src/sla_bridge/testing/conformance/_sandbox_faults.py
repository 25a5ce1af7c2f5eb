"""The fault half of a driver whose platform sandbox is built on the kit
(:class:`sla_bridge.sandbox.HelpdeskSandbox`): the suite's faults as the sandbox's fault
injection, webhook loss and duplication, and the faults read back from its request log."""

from __future__ import annotations

from typing import Any, ClassVar

from sla_bridge.sandbox import HelpdeskSandbox

from ._driver import Fault


class SandboxFaults:
    """Mix into a :class:`~sla_bridge.testing.conformance.HarnessDriver` whose ``sandbox`` is
    a kit sandbox. ``write_match`` selects the requests that are the bridge's writes (for
    faults on writes only, e.g. ``{"method": "PUT"}``); ``timeout`` is the platform client's
    timeout in seconds (a ``timeout`` fault answers well after it)."""

    write_match: ClassVar[dict[str, Any]] = {"method": "PUT"}
    timeout: float = 30.0

    @property
    def sandbox(self) -> HelpdeskSandbox:
        """The platform's sandbox (after ``begin``)."""
        raise NotImplementedError

    def inject(self, fault: Fault) -> None:
        """The sandbox's fault injection, on the writes or on every request."""
        match = dict(self.write_match) if fault.writes_only else {}
        sandbox, count = self.sandbox, fault.count
        if fault.kind == "rate_limited":
            sandbox.rate_limit_next(count, retry_after=fault.retry_after, **match)
        elif fault.kind == "server_error":
            sandbox.fail_next(count, status=fault.status, **match)
        elif fault.kind in ("slow", "timeout"):
            # Too late: the client gives up; the sandbox, still sleeping, then finds the
            # client gone and does nothing.
            delay = fault.delay if fault.kind == "slow" else 2.5 * self.timeout
            sandbox.slow_next(count, delay=delay, **match)
        else:
            sandbox.drop_next(count, after_processing=fault.kind == "drop_after", **match)

    def clear_faults(self) -> None:
        """Forget the faults not used yet."""
        self.sandbox.clear_faults()

    def drop_webhooks(self, count: int) -> None:
        """Lose the next webhooks."""
        self.sandbox.drop_webhooks(count)

    def duplicate_webhooks(self, count: int) -> None:
        """Send the next webhooks twice."""
        self.sandbox.duplicate_webhooks(count)

    def faults_hit(self) -> list[str]:
        """The faults the request log shows on the bridge's requests."""
        return [str(r["fault"]) for r in self.sandbox.request_log() if r["fault"]]
