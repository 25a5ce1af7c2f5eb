"""The sandbox's HTTPS: a throw-away certificate authority made by trustme, and a server
certificate for the loopback names, written to a private temporary folder.

simple-salesforce only speaks HTTPS (it builds ``https://{instance}/services/data/...``), so
the sandbox serves TLS as Salesforce does; clients trust :attr:`SandboxTls.ca_file`
(``SLA_BRIDGE_SALESFORCE__CA_BUNDLE``, or ``requests.Session.verify``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import trustme
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SandboxTls:
    """A CA and a server certificate for ``127.0.0.1``, ``::1`` and ``localhost``, as
    files (removed by :meth:`cleanup`)."""

    def __init__(self, names: tuple[str, ...] = ("127.0.0.1", "::1", "localhost")) -> None:
        self.authority = trustme.CA(organization_name="sla-bridge Salesforce sandbox")
        certificate = self.authority.issue_cert(*names)
        self.folder = Path(tempfile.mkdtemp(prefix="sla-bridge-salesforce-tls-"))
        self.ca_file = self.folder / "sandbox-ca.pem"
        self.cert_file = self.folder / "server-chain.pem"
        self.key_file = self.folder / "server-key.pem"
        self.authority.cert_pem.write_to_path(str(self.ca_file))
        certificate.private_key_and_cert_chain_pem.write_to_path(str(self.cert_file))
        certificate.private_key_pem.write_to_path(str(self.key_file))

    def cleanup(self) -> None:
        """Remove the files."""
        shutil.rmtree(self.folder, ignore_errors=True)


class CloseAfterEachAnswer:
    """Answers every request with ``Connection: close``.

    A TLS connection idle at shutdown keeps the server waiting for the client's
    ``close_notify``, which an idle HTTP client never sends, so the sandbox would stop only
    after a long timeout; connections closed after each answer leave none idle.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
