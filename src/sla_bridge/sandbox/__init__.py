"""The sandbox kit: what every platform's local helpdesk shares.

A platform's sandbox (``sla_bridge_zendesk.sandbox``, say) keeps only its vendor: its data
and rules, its routes, its error bodies, its webhook formats and signing. Everything else is
here::

    from sla_bridge.sandbox import ErrorReplies, HelpdeskSandbox, RetryRule

    class AcmeDesk(HelpdeskSandbox):
        title = "Acme sandbox"

        def build_app(self):                 # the vendor's API (Starlette routes ...)
            ...

        def webhook_headers(self, delivery):  # the vendor's signature
            ...

    with AcmeDesk(replies=ErrorReplies(...), retry=RetryRule(attempts=5)) as desk:
        desk.fail_next(1, status=503)
        desk.request_log()

The parts: :class:`ThreadedServer` (uvicorn in a thread on port 0, quiet about the
connections dropped on purpose), :class:`FaultPlan` and :class:`RateLimiter` answered in the
vendor's shapes (:class:`ErrorReplies`), :class:`RequestLog`, :class:`SandboxMiddleware`,
the ``/_sandbox/...`` control routes (:func:`control_routes`), :class:`WebhookSender` with
the vendor's :class:`RetryRule`, JSON helpers, a cursor codec, and :func:`run_standalone`
for ``python -m <plugin>.sandbox`` (with :class:`DemoPerson` and
:func:`bundled_policy_groups` for its ``--demo-data``).
"""

from __future__ import annotations

from sla_bridge._net import bind_socket

from ._base import Clock, HelpdeskSandbox, utc_clock
from ._control import CONTROL_PREFIX, control_app, control_routes
from ._cursor import decode_cursor, encode_cursor
from ._demo_data import DemoPerson, bundled_policy_groups
from ._faults import (
    FAULT_KINDS,
    DroppedConnection,
    Fault,
    FaultKind,
    FaultPlan,
    RateLimiter,
    RateWindow,
)
from ._json import ApiError, BodyError, error_response, json_object, json_response, parse_json
from ._log import RequestLog
from ._middleware import SandboxMiddleware, every_path
from ._replies import ErrorReplies, Reply, retry_after
from ._server import ThreadedServer, quiet_config
from ._standalone import Standalone, run_standalone
from ._webhooks import Delivery, RetryRule, WebhookSender, iso_seconds

__all__ = [
    "CONTROL_PREFIX",
    "FAULT_KINDS",
    "ApiError",
    "BodyError",
    "Clock",
    "Delivery",
    "DemoPerson",
    "DroppedConnection",
    "ErrorReplies",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "HelpdeskSandbox",
    "RateLimiter",
    "RateWindow",
    "Reply",
    "RequestLog",
    "RetryRule",
    "SandboxMiddleware",
    "Standalone",
    "ThreadedServer",
    "WebhookSender",
    "bind_socket",
    "bundled_policy_groups",
    "control_app",
    "control_routes",
    "decode_cursor",
    "encode_cursor",
    "error_response",
    "every_path",
    "iso_seconds",
    "json_object",
    "json_response",
    "parse_json",
    "quiet_config",
    "retry_after",
    "run_standalone",
    "utc_clock",
]
