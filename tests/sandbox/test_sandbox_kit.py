"""The sandbox kit, through a small made-up helpdesk ("Acme") served by a real uvicorn and
called over real HTTP: faults and the rate limit in the vendor's shapes, the request log,
the control routes, webhooks sent by the vendor's retry rule, and the standalone runner."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import ssl
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from sla_bridge.clock import FixedClock
from sla_bridge.sandbox import (
    ApiError,
    BodyError,
    Delivery,
    ErrorReplies,
    Fault,
    HelpdeskSandbox,
    RateWindow,
    Reply,
    RetryRule,
    ThreadedServer,
    decode_cursor,
    encode_cursor,
    error_response,
    json_object,
    json_response,
    quiet_config,
    run_standalone,
    utc_clock,
)

# Acme answers errors as {"errorMessages": [...]}, refuses a spent limit with 403 (as some
# desks do) and counts the budget in its own headers.
ACME_REPLIES = ErrorReplies(
    over_limit=lambda window: Reply(403, [{"errorCode": "REQUEST_LIMIT_EXCEEDED"}],
                                    {"X-Acme-Retry": str(round(window.reset))}),
    injected=lambda fault: Reply(fault.status, {"errorMessages": [f"injected {fault.status}"]},
                                 {"X-Acme-Fault": fault.kind}),
    limit_headers=lambda window: {"X-Acme-Remaining": str(window.remaining)},
)
ACME_RETRY = RetryRule(attempts=2, retry_status=lambda status: status == 503,
                       backoff=lambda attempt: 0.01)


class Acme(HelpdeskSandbox):
    """Things at /rest/things; each new thing is announced by a signed webhook."""

    title = "Acme sandbox"

    def __init__(self, **options: Any) -> None:
        options.setdefault("replies", ACME_REPLIES)
        options.setdefault("retry", ACME_RETRY)
        super().__init__(is_api=lambda path: path.startswith("/rest/"),
                         canonical_path=lambda path: path.removesuffix("/"), **options)
        self.things: dict[int, dict[str, Any]] = {}
        self.hook_url = ""

    def build_app(self) -> ASGIApp:
        async def create(request: Request) -> Response:
            try:
                data = await json_object(request, "thing")
            except BodyError as exc:
                return json_response({"errorMessages": [str(exc)]}, 400)
            thing = {"id": len(self.things) + 1, **data}
            self.things[thing["id"]] = thing
            if self.hook_url:
                self.sender.send(webhook_id="hook-1", endpoint=self.hook_url,
                                 body=f'{{"thing": {thing["id"]}}}'.encode(),
                                 event_type="thing_created")
            return json_response({"thing": thing}, 201)

        async def show(request: Request) -> Response:
            thing = self.things.get(int(request.path_params["id"]))
            if thing is None:
                return error_response(ApiError(404, {"errorMessages": ["no such thing"]}),
                                      {"X-Acme": "1"})
            return json_response({"thing": thing})

        return Starlette(routes=[Route("/rest/things", create, methods=["POST"]),
                                 Route("/rest/things/{id:int}", show, methods=["GET"]),
                                 Route("/health", show_health, methods=["GET"])])

    def extra_control_routes(self) -> list[BaseRoute]:
        async def count(request: Request) -> Response:
            return json_response({"things": len(self.things)})

        return [Route("/_sandbox/things", count)]

    def webhook_headers(self, delivery: Delivery) -> Mapping[str, str]:
        digest = hashlib.sha256(b"secret" + delivery.body).hexdigest()
        return {"Content-Type": "application/json", "X-Acme-Signature": digest,
                "X-Acme-Delivery": delivery.id}

    def plugin_env(self) -> dict[str, str]:
        return {"SLA_BRIDGE_ACME__URL": self.base_url}


async def show_health(request: Request) -> Response:
    return json_response({"ok": True})


class Receiver:
    """A webhook endpoint on a ThreadedServer: records each request, answers ``statuses``
    in turn (then 200), with ``headers``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.headers: dict[str, str] = {}

        async def hook(request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            return Response(status_code=self.statuses.pop(0) if self.statuses else 200,
                            headers=self.headers)

        self.server = ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])]),
                                     name="receiver")
        self.url = self.server.start() + "/hook"


@pytest.fixture
def acme() -> Iterator[Acme]:
    with Acme() as running:
        yield running


@pytest.fixture
def client(acme: Acme) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=acme.base_url, timeout=5) as session:
        yield session


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.stop()


# -- serving -----------------------------------------------------------------------------


def test_it_serves_on_a_free_port_until_stopped() -> None:
    acme = Acme()
    url = acme.start()
    assert url == acme.base_url
    assert acme.port != 0
    assert acme.start() == url  # starting twice is harmless
    assert httpx.get(f"{url}/health").json() == {"ok": True}
    acme.stop()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=2)


def test_a_port_in_use_is_an_os_error(acme: Acme) -> None:
    with pytest.raises(OSError, match="in use"):
        Acme(port=acme.port).start()


def test_a_server_that_cannot_start_says_so() -> None:
    @contextlib.asynccontextmanager
    async def refuse(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    app = Starlette(lifespan=refuse)
    server = ThreadedServer(uvicorn.Config(app, lifespan="on", log_level="critical"),
                            name="doomed", start_timeout=5)
    with pytest.raises(RuntimeError, match="doomed did not start"):
        server.start()
    assert not server.running


def test_a_ready_uvicorn_config_is_served_as_configured() -> None:
    started: list[bool] = []

    @contextlib.asynccontextmanager
    async def mark(app: Starlette) -> AsyncIterator[None]:
        started.append(True)
        yield

    config = uvicorn.Config(Starlette(lifespan=mark), lifespan="on", log_level="warning")
    with ThreadedServer(config, name="configured") as server:
        assert server.running
        assert started == [True]
    assert not server.running


# -- faults and the rate limit -----------------------------------------------------------


def test_an_injected_status_is_answered_in_the_vendors_shape(acme: Acme,
                                                             client: httpx.Client) -> None:
    acme.fail_next(2, status=503, method="POST", path=r"/things$")
    first = client.post("/rest/things", json={"thing": {"name": "a"}})
    assert (first.status_code, first.json()) == (503, {"errorMessages": ["injected 503"]})
    assert first.headers["x-acme-fault"] == "status"
    assert client.get("/rest/things/1").status_code == 404  # GET: not matched
    assert client.post("/rest/things", json={"thing": {"name": "a"}}).status_code == 503
    assert client.post("/rest/things", json={"thing": {"name": "a"}}).status_code == 201
    assert list(acme.things) == [1]  # the refused requests did nothing
    assert [e["fault"] for e in acme.request_log()] == ["503", None, "503", None]


def test_slow_and_dropped_answers(acme: Acme, client: httpx.Client) -> None:
    acme.slow_next(1, delay=0.3)
    started = time.monotonic()
    assert client.post("/rest/things", json={"thing": {}}).status_code == 201
    assert time.monotonic() - started >= 0.3
    acme.drop_next(1)
    with pytest.raises(httpx.TransportError):
        client.post("/rest/things", json={"thing": {}})
    assert len(acme.things) == 1  # dropped before taking effect
    acme.drop_next(1, after_processing=True)
    with pytest.raises(httpx.TransportError):
        client.post("/rest/things", json={"thing": {}})
    assert len(acme.things) == 2  # done, but the answer was lost
    assert [e["fault"] for e in acme.request_log()] == ["slow", "drop_before", "drop_after"]


def test_a_slow_answer_the_client_gave_up_on_does_nothing(acme: Acme) -> None:
    acme.slow_next(1, delay=0.6)
    with pytest.raises(httpx.TimeoutException):
        httpx.post(f"{acme.base_url}/rest/things", json={"thing": {}}, timeout=0.2)
    time.sleep(0.8)
    assert acme.things == {}


def test_dropped_connections_are_not_logged_as_errors(
        acme: Acme, client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    acme.drop_next(2)
    with caplog.at_level(logging.ERROR):
        for _ in range(2):
            with pytest.raises(httpx.TransportError):
                client.get("/rest/things/1")
        time.sleep(0.1)
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]


def test_the_rate_limit_is_answered_in_the_vendors_shape() -> None:
    with Acme(rate_limit=2) as limited:
        answers = [httpx.get(f"{limited.base_url}/rest/things/1") for _ in range(3)]
        assert [a.status_code for a in answers] == [404, 404, 403]
        assert [a.headers["x-acme-remaining"] for a in answers] == ["1", "0", "0"]
        assert answers[2].json() == [{"errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        assert 1 <= int(answers[2].headers["x-acme-retry"]) <= 60
        # Only the vendor's API is limited.
        assert httpx.get(f"{limited.base_url}/health").status_code == 200


def test_an_unknown_fault_kind_is_refused(acme: Acme) -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        acme.faults.add(Fault("explode"))  # type: ignore[arg-type]


# -- the request log ---------------------------------------------------------------------


def test_the_log_records_each_request_and_optionally_each_answer(
        acme: Acme, client: httpx.Client) -> None:
    client.post("/rest/things/?trace=1", json={"thing": {"name": "a"}})
    client.get("/rest/things/1", headers={"content-type": "text/plain"})
    [created, shown] = acme.request_log()
    assert {k: created[k] for k in ("method", "path", "query", "body", "status")} == {
        "method": "POST", "path": "/rest/things", "query": "trace=1",
        "body": {"thing": {"name": "a"}}, "status": 201}
    assert shown["body"] is None
    assert "response" not in shown
    assert created["at"] <= shown["at"]
    acme.clear_request_log()
    acme.keep_responses()
    client.get("/rest/things/1")
    client.post("/rest/things", content=b"not json")
    [again, bad] = acme.request_log()
    assert again["response"] == {"thing": {"id": 1, "name": "a"}}
    assert (bad["body"], bad["status"], bad["response"]) == (
        None, 400, {"errorMessages": ["the body is not JSON"]})


# -- the control routes ------------------------------------------------------------------


def test_the_control_routes_drive_the_sandbox_from_another_process(
        acme: Acme, client: httpx.Client) -> None:
    added = client.post("/_sandbox/faults", json={"kind": "status", "status": 502,
                                                  "count": 2, "path": "/things"})
    assert added.status_code == 201
    assert added.json()["pending"] == 2
    assert client.post("/_sandbox/faults", json={"kind": "explode"}).status_code == 400
    assert client.post("/_sandbox/faults", json={"colour": "red"}).status_code == 400
    assert client.post("/_sandbox/faults", content=b"[").status_code == 400
    assert client.get("/rest/things/1").status_code == 502
    assert client.delete("/_sandbox/faults").json() == {"pending": 0}
    assert client.get("/rest/things/1").status_code == 404
    assert client.get("/_sandbox/things").json() == {"things": 0}  # the vendor's own route
    assert client.get("/_sandbox/nothing").status_code == 404
    paths = [r["path"] for r in client.get("/_sandbox/requests").json()["requests"]]
    assert paths[-3:] == ["/_sandbox/things", "/_sandbox/nothing", "/_sandbox/requests"]
    assert client.delete("/_sandbox/requests").status_code == 204
    assert acme.request_log() == []
    assert client.get("/_sandbox/deliveries").json() == {"deliveries": []}


# -- webhooks ----------------------------------------------------------------------------


def test_webhooks_are_signed_and_retried_by_the_vendors_rule(
        acme: Acme, client: httpx.Client, receiver: Receiver) -> None:
    acme.hook_url = receiver.url
    receiver.statuses = [503, 503, 500]
    client.post("/rest/things", json={"thing": {"name": "a"}})  # 503, 503: given up
    client.post("/rest/things", json={"thing": {"name": "b"}})  # 500: not retried
    assert acme.flush()
    first, second = acme.deliveries
    assert [a["response_code"] for a in first.attempts] == [503, 503]
    assert first.status == "server error"
    assert [a["response_code"] for a in second.attempts] == [500]
    headers, body = receiver.received[0]
    assert body == b'{"thing": 1}'
    assert headers["x-acme-signature"] == hashlib.sha256(b"secret" + body).hexdigest()
    assert headers["x-acme-delivery"] == first.id
    listed = client.get("/_sandbox/deliveries").json()["deliveries"]
    assert [(d["event_type"], d["status"], len(d["attempts"])) for d in listed] == [
        ("thing_created", "server error", 2), ("thing_created", "server error", 1)]


def test_webhooks_can_be_lost_or_sent_twice(acme: Acme, client: httpx.Client,
                                            receiver: Receiver) -> None:
    acme.hook_url = receiver.url
    acme.drop_webhooks(1)
    acme.duplicate_webhooks(1)
    for name in ("lost", "twice", "once"):
        client.post("/rest/things", json={"thing": {"name": name}})
    assert acme.flush()
    assert [body for _, body in receiver.received] == [b'{"thing": 2}', b'{"thing": 2}',
                                                       b'{"thing": 3}']
    assert [d.status for d in acme.deliveries] == ["dropped", "success", "success"]
    assert [d.json() for d in acme.deliveries] == [{"thing": 1}, {"thing": 2}, {"thing": 3}]


def test_an_endpoint_that_does_not_answer_is_retried(acme: Acme) -> None:
    acme.sender.send(webhook_id="h", endpoint="http://127.0.0.1:9/nothing", body=b"{}",
                     event_type="x")
    assert acme.flush()
    [delivery] = acme.deliveries
    assert [a["status"] for a in delivery.attempts] == ["failed", "failed"]
    assert delivery.attempts[0]["error_message"]


def test_the_retry_rule_and_the_clock() -> None:
    rule = RetryRule()
    assert (rule.again(None), rule.again(503), rule.again(429), rule.again(409)) == (
        True, True, True, False)
    assert not RetryRule(retry_unanswered=False).again(None)
    fixed = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    with Acme(clock=FixedClock(fixed)) as acme:
        acme.sender.send(webhook_id="h", endpoint="http://127.0.0.1:9/", body=b"{}",
                         event_type="x")
        assert acme.deliveries[0].created_at == "2026-11-30T15:00:00Z"


def test_a_retry_rule_can_read_the_answers_headers_and_sets_the_timeout(
        receiver: Receiver) -> None:
    def short_wait(status: int, headers: Mapping[str, str]) -> bool:
        return status == 503 and int(headers.get("retry-after", "99")) < 10

    rule = RetryRule(retry_answer=short_wait, timeout=2.5)
    assert (rule.again(503, {"Retry-After": "5"}), rule.again(503, {}),
            rule.again(503, {"retry-after": "30"}), rule.again(500, {"Retry-After": "1"})) == (
        True, False, False, False)
    with Acme(retry=rule) as vendor:
        assert vendor.sender.timeout == 2.5
        vendor.hook_url = receiver.url
        receiver.statuses = [503, 503]
        receiver.headers = {"Retry-After": "5"}
        httpx.post(f"{vendor.base_url}/rest/things", json={"thing": {"name": "a"}})
        assert vendor.flush()
        [delivery] = vendor.deliveries
        assert [(a["response_code"], a["response_headers"]["retry-after"])
                for a in delivery.attempts] == [(503, "5"), (503, "5"), (200, "5")]


def test_utc_clock_reads_clocks_and_callables() -> None:
    instant = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert utc_clock(FixedClock(instant))() == instant
    assert utc_clock(lambda: instant)() == instant
    assert utc_clock()().tzinfo is not None
    with pytest.raises(TypeError):
        utc_clock(42)


# -- the rest of the kit -----------------------------------------------------------------


def test_the_cursor_codec_round_trips_and_refuses_made_up_cursors() -> None:
    assert [decode_cursor(encode_cursor(n)) for n in (0, 7, 100_000)] == [0, 7, 100_000]
    assert encode_cursor(3) != "3"
    for bad in ("", "b3", "!!!", encode_cursor(3)[:-1] + "~"):
        with pytest.raises(ValueError, match="not a cursor"):
            decode_cursor(bad)


def test_run_standalone_prints_the_settings_and_serves_until_told_to_stop() -> None:
    acme, out, stop = Acme(), io.StringIO(), threading.Event()
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(
        run_standalone(acme, title="Acme sandbox", out=out, until=stop)))
    runner.start()
    deadline = time.monotonic() + 10
    while "export" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"Acme sandbox on {acme.base_url} (Ctrl-C to stop). Point the bridge at it:"
    assert lines[1] == f"  export SLA_BRIDGE_ACME__URL={acme.base_url}"
    assert httpx.get(f"{acme.base_url}/health").status_code == 200
    stop.set()
    runner.join(10)
    assert codes == [0]
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{acme.base_url}/health", timeout=2)


def test_the_default_replies_are_plain() -> None:
    plain = ErrorReplies()
    window = RateWindow(allowed=False, limit=10, remaining=0, reset=12.2)
    assert plain.over_limit(window) == Reply(429, {"error": "rate limit exceeded"},
                                             {"Retry-After": "13"})
    assert plain.injected(Fault("status", status=503, retry_after=2.5)).headers == {
        "Retry-After": "3"}
    assert plain.injected(Fault("status", status=500)).headers == {}
    assert plain.limit_headers(window) == {}


class SecureAcme(Acme):
    """Acme over HTTPS (as Salesforce is), with a certificate from a throw-away CA."""

    scheme = "https"

    def __init__(self, folder: Path, **options: Any) -> None:
        super().__init__(**options)
        trustme = pytest.importorskip("trustme", reason="trustme makes the test CA")
        authority = trustme.CA()
        certificate = authority.issue_cert(self.host)
        self.ca_file = folder / "ca.pem"
        authority.cert_pem.write_to_path(str(self.ca_file))
        self._key, self._chain = folder / "key.pem", folder / "chain.pem"
        certificate.private_key_pem.write_to_path(str(self._key))
        certificate.private_key_and_cert_chain_pem.write_to_path(str(self._chain))

    def server_config(self) -> Any:
        return quiet_config(self.app, ssl_keyfile=str(self._key), ssl_certfile=str(self._chain))


def test_a_sandbox_serves_https_with_its_own_ca(tmp_path: Path) -> None:
    with SecureAcme(tmp_path) as acme:
        assert acme.base_url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(acme.ca_file))
        with httpx.Client(base_url=acme.base_url, verify=trusted) as trusting:
            created = trusting.post("/rest/things", json={"thing": {"name": "tls"}})
            assert created.status_code == 201
        # A client that does not trust the sandbox's CA is refused at the handshake.
        with httpx.Client(base_url=acme.base_url) as stranger, pytest.raises(httpx.ConnectError):
            stranger.get("/rest/things/1")
