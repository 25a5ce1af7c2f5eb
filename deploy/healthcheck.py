"""Probe a running bridge: exit 0 when ``GET <path>`` answers 200, else 1 with the reason.

The container image's HEALTHCHECK runs it (``python /opt/sla-bridge/healthcheck.py /healthz``;
``/readyz`` for readiness). Standard library only: the slim image has no curl, and starting
the whole ``sla-bridge`` command every few seconds would cost a second of CPU each time. It
reads the address ``sla-bridge serve`` listens on from the same variables
(``SLA_BRIDGE_SERVER__HOST``, ``SLA_BRIDGE_SERVER__PORT``); a wildcard address is probed on
the loopback interface.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


def probe_url(path: str, environ: Mapping[str, str] = os.environ) -> str:
    """The URL of ``path`` on the bridge the environment describes."""
    host = environ.get("SLA_BRIDGE_SERVER__HOST", "127.0.0.1").strip()
    port = environ.get("SLA_BRIDGE_SERVER__PORT", "8080").strip() or "8080"
    if host in WILDCARDS:
        host = "::1" if host.strip("[]") == "::" else "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{path}"


def main(argv: list[str]) -> int:
    """Probe ``argv[1]`` (default ``/healthz``); return the exit status."""
    path = argv[1] if len(argv) > 1 else "/healthz"
    url = probe_url(path)
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            status = response.status
    except urllib.error.HTTPError as exc:  # /readyz answers 503 with the failing checks
        detail = exc.read(2000).decode("utf-8", "replace")
        print(f"{url}: {exc.code} {detail}", file=sys.stderr)
        return 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: no answer ({getattr(exc, 'reason', exc)})", file=sys.stderr)
        return 1
    if status != 200:
        print(f"{url}: {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
