"""Every credential is masked wherever the bridge shows settings: `sla-bridge config`, the
logs, the store's errors and reprs; a password in the URL's user part and in its query."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest

from sla_bridge.clock import FixedClock
from sla_bridge.errors import StoreUnavailable
from sla_bridge.logs import configure_logging
from sla_bridge.masking import mask_url
from sla_bridge.settings import load_settings
from sla_bridge.store import Store

USER_PART = "postgresql+psycopg://bridge:pw-in-user-91b2@127.0.0.1:1/bridge"
QUERY_PART = "postgresql+psycopg://bridge@127.0.0.1:1/bridge?password=pw-in-query-7c1&sslmode=off"


@pytest.mark.parametrize(("url", "secret"), [(USER_PART, "pw-in-user-91b2"),
                                             (QUERY_PART, "pw-in-query-7c1")])
def test_config_never_prints_a_database_password(monkeypatch: pytest.MonkeyPatch, run_cli,  # type: ignore[no-untyped-def]
                                                 url: str, secret: str) -> None:
    monkeypatch.setenv("SLA_BRIDGE_DATABASE_URL", url)
    result = run_cli("config")
    assert result.exit_code == 0, result.output
    assert secret not in result.output
    assert "**********" in next(line for line in result.stdout.splitlines()
                                if line.startswith("SLA_BRIDGE_DATABASE_URL="))


def test_a_url_keeps_everything_but_its_credentials() -> None:
    assert mask_url(QUERY_PART) == ("postgresql+psycopg://bridge@127.0.0.1:1/bridge"
                                    "?password=**********&sslmode=off")
    assert mask_url(USER_PART) == "postgresql+psycopg://bridge:**********@127.0.0.1:1/bridge"
    assert mask_url("sqlite:///state.db") == "sqlite:///state.db"
    assert mask_url("https://acme.zendesk.com/?token=abcd1234") == (
        "https://acme.zendesk.com/?token=**********")


def test_the_log_masks_a_query_password() -> None:
    settings = load_settings(database_url=QUERY_PART)
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    logging.getLogger("sla_bridge.server").warning("starting with %s", QUERY_PART)
    assert "pw-in-query-7c1" not in stream.getvalue()


@pytest.mark.parametrize(("url", "secret"), [(USER_PART, "pw-in-user-91b2"),
                                             (QUERY_PART, "pw-in-query-7c1")])
def test_store_errors_and_reprs_hide_the_password(url: str, secret: str) -> None:
    store = Store(url, FixedClock(datetime(2026, 12, 1, tzinfo=UTC)))
    assert secret not in repr(store)
    with pytest.raises(StoreUnavailable) as caught:
        store.ping()
    assert secret not in str(caught.value)
    assert "**********" in str(caught.value)
