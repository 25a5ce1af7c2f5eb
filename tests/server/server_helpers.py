"""Helpers for the HTTP tests: a bridge served by a real uvicorn in a thread, signed
testdesk webhooks, PostgreSQL URLs and a TCP proxy that can "stop" PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import httpx
from sqlalchemy import text

from sla_bridge.runtime import Runtime
from sla_bridge.sandbox import ThreadedServer
from sla_bridge.server import create_app, uvicorn_config


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class Bridge:
    """A bridge app served by a real uvicorn in a background thread, and a client for it."""

    def __init__(self, runtime: Runtime, run_workers: bool = False) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.metrics = runtime.metrics
        self.secret = os.environ.get("SLA_BRIDGE_TESTDESK__SECRET", "")
        # The bridge's own uvicorn configuration, served by the kit's threaded server.
        config = uvicorn_config(create_app(runtime, run_workers=run_workers),
                                host="127.0.0.1", port=0)
        self.server = ThreadedServer(config, name="sla-bridge-under-test")
        self.url = self.server.start()
        self.port = self.server.port
        self.client = httpx.Client(base_url=self.url, timeout=10)

    def stop(self) -> None:
        """Shut uvicorn down gracefully (lifespan shutdown included) and close the store."""
        self.client.close()
        self.server.stop(15)
        self.runtime.close()

    def webhook(self, ticket_id: str = "T-1", delivery: str | None = None, *,
                body: bytes | None = None, secret: str | None = None,
                headers: dict[str, str] | None = None, platform: str = "testdesk",
                **fields: Any) -> httpx.Response:
        """POST a testdesk webhook, signed with the installed secret unless told otherwise."""
        if body is None:
            body = json.dumps({"ticket_id": ticket_id, "event": "updated", **fields}).encode()
        sent = {"content-type": "application/json",
                "x-testdesk-delivery": delivery or uuid.uuid4().hex}
        signing = self.secret if secret is None else secret
        if signing:
            from sla_bridge_testdesk import sign

            sent["x-testdesk-signature"] = sign(signing, body)
        sent.update(headers or {})
        return self.client.post(f"/webhooks/{platform}", content=body, headers=sent)

    def inbox(self) -> list[tuple[str, str]]:
        """Every inbox row (processed or not) as (delivery id, ticket id)."""
        with self.store.transaction() as conn:
            rows = conn.execute(text("SELECT delivery_id, ticket_id FROM inbox ORDER BY id"))
            return [(r[0], r[1]) for r in rows]

    def metric(self, name: str, **labels: str) -> float:
        """The current value of a sample in the runtime's registry (0 when absent)."""
        value = self.metrics.registry.get_sample_value(name, labels or None)
        return 0.0 if value is None else value



def through_proxy(url: str, port: int) -> str:
    """The same PostgreSQL URL, reached through a proxy listening on ``port``."""
    return url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{port}/", 1)


class TcpProxy:
    """An asyncio TCP proxy from a loopback port to PostgreSQL that can be stopped (which
    also cuts the connections through it) and started again on the same port."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        # While silent, nothing is forwarded and nothing is closed: a network partition
        # that drops packets, as opposed to stop(), which resets the connections.
        self.silent = threading.Event()

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def start(self) -> None:
        """Listen (on the same port as before, after the first time)."""
        self._call(self._start())

    def stop(self) -> None:
        """Stop listening and close every connection through the proxy."""
        self._call(self._stop())

    def close(self) -> None:
        """Stop, then end the proxy's thread."""
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port,
                                                  reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    while self.silent.is_set():
                        await asyncio.sleep(0.05)
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.difference_update((writer, up_writer))


StartBridge = Callable[..., Bridge]


class ServeProcess:
    """``python -m sla_bridge serve`` in a subprocess, its stderr collected line by line."""

    def __init__(self, env: dict[str, str], *args: str, cwd: str | None = None,
                 preexec_fn: Callable[[], Any] | None = None) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-m", "sla_bridge", "serve", "--port", "0", *args],
            env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=preexec_fn)  # e.g. a resource limit for the bridge's process only
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            self.port = wait_for(self._listening_port, timeout=30, what="the bridge to listen")
            self.url = f"http://127.0.0.1:{self.port}"
            wait_for(self._ready, timeout=30, what="the bridge to answer /healthz")
        except BaseException:
            self.process.kill()
            self._close()
            raise

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _listening_port(self) -> int | None:
        if self.process.poll() is not None:
            raise AssertionError("the bridge exited:\n" + "\n".join(self.lines))
        for line in self.lines:
            if "listening on http://" in line:
                return int(line.split("listening on http://", 1)[1].split(":")[1].split()[0]
                           .rstrip('",'))
        return None

    def _ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def terminate(self, timeout: float = 20) -> int:
        """Send SIGTERM and return the exit status once the process ended."""
        self.process.terminate()
        status = self.process.wait(timeout)
        self._close()
        return status

    def close(self) -> None:
        """Release the pipes of a process that has ended (e.g. was killed)."""
        self._close()

    def _close(self) -> None:
        self.process.wait(10)
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def output(self) -> str:
        """Everything the process wrote so far."""
        return "\n".join(self.lines)
