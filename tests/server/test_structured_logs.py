"""configure_logging: text and JSON lines with context fields, secrets masked everywhere."""

from __future__ import annotations

import io
import json
import logging

from sla_bridge.logs import configure_logging
from sla_bridge.settings import load_settings

TOKEN = "tok-3f9e1c77-admin"
DB_PASSWORD = "pg-pass-91b2"


def test_json_lines_carry_context_and_mask_secrets() -> None:
    settings = load_settings(log_format="json", admin_token=TOKEN,
                             database_url=f"postgresql://bridge:{DB_PASSWORD}@db/bridge")
    stream = io.StringIO()
    configure_logging(settings, extra_secrets=["plugin-secret-xyz"], stream=stream)
    log = logging.getLogger("sla_bridge.server")
    log.info("token %s leaked", TOKEN, extra={"platform": "zendesk", "delivery_id": "d-1",
                                              "remote": f"x {DB_PASSWORD}"})
    try:
        raise ValueError("signing with plugin-secret-xyz failed")
    except ValueError:
        log.exception("webhook failed", extra={"platform": "zendesk", "delivery_id": "d-2"})
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["message"] == "token ********** leaked"
    assert (lines[0]["platform"], lines[0]["delivery_id"]) == ("zendesk", "d-1")
    assert lines[0]["remote"] == "x **********"
    assert lines[1]["level"] == "ERROR"
    assert "ValueError: signing with ********** failed" in lines[1]["exception"]
    text = stream.getvalue()
    for secret in (TOKEN, DB_PASSWORD, "plugin-secret-xyz"):
        assert secret not in text


def test_text_lines_append_context_as_key_value() -> None:
    stream = io.StringIO()
    configure_logging(load_settings(log_level="WARNING"), stream=stream)
    log = logging.getLogger("sla_bridge.server")
    log.info("not shown at WARNING")
    log.warning("webhook not stored", extra={"platform": "jira", "delivery_id": "a b"})
    (line,) = stream.getvalue().splitlines()
    assert line.endswith('WARNING sla_bridge.server webhook not stored platform=jira '
                         'delivery_id="a b"')


def test_configuring_again_replaces_the_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(load_settings(), stream=first)
    configure_logging(load_settings(), stream=second)
    logging.getLogger("sla_bridge").info("once")
    assert first.getvalue() == ""
    assert second.getvalue().count("once") == 1
