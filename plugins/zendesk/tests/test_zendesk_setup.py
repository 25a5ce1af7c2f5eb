"""``sla-bridge zendesk setup``: creates what the bridge needs; a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from zendesk_testing import WEBHOOK_SECRET

from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.sandbox import Sandbox

BRIDGE = "https://bridge.example.test"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def setup(*args: str) -> Result:
    result = CliRunner().invoke(zendesk_group, ["setup", "--bridge-url", BRIDGE, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def writes(sandbox: Sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sandbox.request_log()
            if r["method"] in WRITES and r["path"].startswith("/api/")]


def test_setup_creates_the_webhook_triggers_fields_and_macros(configured: Sandbox) -> None:
    result = setup()
    assert result.exit_code == 0, result.output
    state = configured.state
    [hook] = state.webhooks.values()
    assert hook["endpoint"] == f"{BRIDGE}/webhooks/zendesk"
    assert (hook["http_method"], hook["request_format"], hook["status"]) == (
        "POST", "json", "active")
    assert hook["subscriptions"] == ["conditional_ticket_events"]
    triggers = {t["title"]: t for t in state.triggers.values()}
    assert set(triggers) == {"sla-bridge: ticket created", "sla-bridge: ticket updated"}
    action = triggers["sla-bridge: ticket updated"]["actions"][0]
    assert action["field"] == "notification_webhook"
    assert action["value"][0] == hook["id"]
    assert json.loads(action["value"][1])["ticket_id"] == "{{ticket.id}}"
    titles = {f["title"] for f in state.ticket_fields.values()}
    assert {"SLA first response due", "SLA next update due",
            "SLA escalation decision reason"} <= titles
    macros = {m["title"]: m for m in state.macros.values()}
    assert macros["sla-bridge: approve escalation"]["actions"][0] == {
        "field": "current_tags", "value": "sla_escalation_approved"}
    assert "sla-bridge: decline escalation" in macros
    assert "signing secret" in result.output
    assert "change(s) made" in result.output


def test_running_setup_twice_changes_nothing_the_second_time(configured: Sandbox) -> None:
    for group in ("Senior Customer Champions", "Customer Champion managers"):
        configured.add_group(group)  # the default policy's (test_zendesk_setup_groups.py)
    assert setup().exit_code == 0
    before = json.dumps([configured.state.webhooks, configured.state.triggers,
                         configured.state.macros, configured.state.ticket_fields],
                        sort_keys=True, default=str)
    configured.clear_request_log()
    second = setup()
    assert second.exit_code == 0, second.output
    assert writes(configured) == []
    assert "Nothing to change." in second.output
    lines = [x for x in second.output.splitlines() if x.startswith("  ")]
    assert lines
    assert all(x.split()[0] == "unchanged" for x in lines), second.output
    after = json.dumps([configured.state.webhooks, configured.state.triggers,
                        configured.state.macros, configured.state.ticket_fields],
                       sort_keys=True, default=str)
    assert after == before


def test_dry_run_prints_the_plan_and_writes_nothing(configured: Sandbox) -> None:
    result = setup("--dry-run")
    assert result.exit_code == 0, result.output
    assert writes(configured) == []
    assert not configured.state.webhooks
    assert not configured.state.triggers
    assert "(dry run)" in result.output
    assert "create     webhook 'sla-bridge'" in result.output
    assert "create     trigger 'sla-bridge: ticket created'" in result.output
    assert '"ticket_id": "{{ticket.id}}"' in result.output
    assert "nothing was changed" in result.output


def test_setup_repairs_what_an_admin_changed(configured: Sandbox) -> None:
    setup()
    trigger = next(t for t in configured.state.triggers.values()
                   if t["title"].endswith("updated"))
    trigger["active"] = False
    next(iter(configured.state.webhooks.values()))["endpoint"] = "https://old.example/hook"
    configured.clear_request_log()
    result = setup()
    assert "update     webhook" in result.output
    assert "update     trigger 'sla-bridge: ticket updated'" in result.output
    assert trigger["id"] in configured.state.triggers
    assert configured.state.triggers[trigger["id"]]["active"] is True
    assert len(configured.state.triggers) == 2
    assert sorted(writes(configured)) == [f"PATCH /api/v2/webhooks/{trigger_hook(configured)}",
                                          f"PUT /api/v2/triggers/{trigger['id']}"]


def trigger_hook(sandbox: Sandbox) -> str:
    return next(iter(sandbox.state.webhooks))


def test_switching_to_event_subscriptions_retires_the_triggers(configured: Sandbox) -> None:
    setup()
    result = setup("--mode", "events")
    assert "deactivate trigger 'sla-bridge: ticket created'" in result.output
    assert all(not t["active"] for t in configured.state.triggers.values())
    [hook] = configured.state.webhooks.values()
    assert "zen:event-type:ticket.status_changed" in hook["subscriptions"]
    configured.clear_request_log()
    assert "Nothing to change." in setup("--mode", "events").output
    assert writes(configured) == []


def test_the_signing_secret_goes_to_an_env_file(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    with Sandbox() as fresh:  # Zendesk makes up the secret
        for name, value in fresh.plugin_env().items():
            monkeypatch.setenv(name, value)
        first = setup()
        assert "set SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET" in first.output
        secret = next(iter(fresh.state.webhook_secrets.values()))
        assert secret not in first.output
        env_file = tmp_path / "bridge.env"
        env_file.write_text("OTHER=1\n")
        assert "wrote      signing secret" in setup("--env-file", str(env_file)).output
        assert env_file.read_text() == f"OTHER=1\nSLA_BRIDGE_ZENDESK__WEBHOOK_SECRET={secret}\n"
        monkeypatch.setenv("SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET", secret)
        assert "matches the webhook's" in setup().output
        shown = setup("--show-secret")
        assert secret not in shown.output  # already configured: nothing to show


def test_the_secret_is_printed_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as fresh:
        for name, value in fresh.plugin_env().items():
            monkeypatch.setenv(name, value)
        shown = setup("--show-secret")
        secret = next(iter(fresh.state.webhook_secrets.values()))
        assert f"export SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET={secret}" in shown.output


def test_setup_needs_the_account_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(zendesk_group, ["setup", "--bridge-url", BRIDGE])
    assert result.exit_code == 2
    assert "SLA_BRIDGE_ZENDESK__EMAIL" in result.output
    assert "SLA_BRIDGE_ZENDESK__API_TOKEN" in result.output


def test_setup_reports_a_zendesk_failure(configured: Sandbox) -> None:
    configured.fail_next(1, status=500)
    result = setup()
    assert result.exit_code == 1
    assert "Zendesk answered 500" in result.output


def test_the_trigger_body_command_prints_the_json_to_paste() -> None:
    result = CliRunner().invoke(zendesk_group, ["trigger-body"])
    body = json.loads(result.output)
    assert body["ticket_id"] == "{{ticket.id}}"
    assert body["updater_email"] == "{{current_user.email}}"


def test_check_shows_the_api_user_and_the_mapping(configured: Sandbox) -> None:
    for group in ("Senior Customer Champions", "Customer Champion managers"):
        configured.add_group(group)  # the default policies name them
    setup()
    result = CliRunner().invoke(zendesk_group, ["check"])
    assert result.exit_code == 0, result.output
    assert f"ok         api user '{configured.api_email}': id {configured.api_user['id']}" in (
        result.output)
    assert ("ok         field 'sla_first_response_due': field:SLA first response due (id "
            in result.output)
    assert result.output.endswith("All good.\n")
    assert configured.api_token not in result.output
    assert WEBHOOK_SECRET not in result.output


def test_the_escalation_macros_set_the_decision_the_bridge_reads(configured: Sandbox) -> None:
    from zendesk_testing import settings_for

    from sla_bridge.clock import SystemClock
    from sla_bridge_zendesk.platform import ZendeskPlatform

    setup()
    customer = configured.add_user("Grace", "grace@gold.test", tags=["support_admin"])
    manager = configured.add_agent("Morgan", "morgan@vendor.test")
    ticket = configured.open_ticket(customer["id"], "Outage", "Please escalate",
                                    tags=["sla_escalation_requested", "sla_escalation_declined"])
    reason = configured.field_id("SLA escalation decision reason")
    configured.agent_update(ticket["id"], manager["id"], custom_fields=[
        {"id": reason, "value": "Confirmed outage"}])
    configured.apply_macro(ticket["id"], configured.macro_id(
        "sla-bridge: approve escalation and severity"), manager["id"])
    found = ZendeskPlatform(settings_for(configured), SystemClock()).fetch_ticket(
        str(ticket["id"]))
    assert {"sla_escalation_approved", "sla_escalation_severity_accepted"} <= found.tags
    assert "sla_escalation_declined" not in found.tags
    assert found.fields["escalation_decision_reason"] == "Confirmed outage"
