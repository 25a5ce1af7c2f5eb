"""The HTTP side of the runtime: webhooks in, admin API and operations endpoints.

``create_app(runtime)`` returns the FastAPI application; ``sla-bridge serve`` runs it under
uvicorn (one process, or ``--workers N`` processes each built by
:func:`app_from_environment`).

- ``POST /webhooks/{platform}``: verified and parsed by the platform plugin, committed to
  the durable inbox, then acknowledged (404 unknown platform, 413 too large, 401 bad
  signature, 400 malformed, 503 database unavailable).
- ``GET /v1/tickets/{platform}/{ticket_id}``, ``GET /v1/timers``: the admin API, behind
  ``SLA_BRIDGE_ADMIN_TOKEN``.
- ``GET /healthz``, ``GET /readyz``, ``GET /metrics``; OpenAPI at ``/docs`` and
  ``/openapi.json``.
"""

from ._app import (
    BARE_ENDPOINT_ENV,
    app_from_environment,
    create_app,
    freeze_startup_objects,
    plugin_secrets,
)
from ._errors import ErrorBody
from ._ingest import Accepted, Ingestor
from ._models import (
    ClockView,
    DecisionView,
    Health,
    LedgerView,
    Readiness,
    TicketView,
    TimerList,
    TimerView,
)
from ._run import FACTORY, ListenError, bind, serve, uvicorn_config

__all__ = [
    "BARE_ENDPOINT_ENV",
    "FACTORY",
    "Accepted",
    "ClockView",
    "DecisionView",
    "ErrorBody",
    "Health",
    "Ingestor",
    "LedgerView",
    "ListenError",
    "Readiness",
    "TicketView",
    "TimerList",
    "TimerView",
    "app_from_environment",
    "bind",
    "create_app",
    "freeze_startup_objects",
    "plugin_secrets",
    "serve",
    "uvicorn_config",
]
