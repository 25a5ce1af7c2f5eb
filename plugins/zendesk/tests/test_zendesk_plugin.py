"""The plugin's hooks, its settings, and secrets that never reach a log or a repr."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from zendesk_testing import WEBHOOK_SECRET, Account, ref

from sla_bridge.actions import AddComment, SetFields
from sla_bridge.cli import build_cli
from sla_bridge.clock import SystemClock
from sla_bridge.platforms import Platform
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import SettingsError, load_section, load_settings
from sla_bridge_zendesk import plugin
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.settings import ENV_PREFIX, ZendeskSettings, parse_sources


def registered() -> list[Platform]:
    found: list[Platform] = []
    plugin.sla_bridge_register_platforms(register=found.append, clock=SystemClock(),
                                         settings=load_settings())
    return found


def test_the_entry_point_plugin_is_loaded_by_the_bridge() -> None:
    host = PluginHost.from_settings(load_settings())
    [info] = [i for i in host.plugins() if i.name == "zendesk"]
    assert info.distribution == "sla-bridge-zendesk"
    assert set(info.hooks) == {"sla_bridge_register_commands", "sla_bridge_register_platforms",
                               "sla_bridge_register_settings", "sla_bridge_register_demos",
                               "sla_bridge_register_webhook_signers"}
    assert host.settings_sections()["zendesk"] is ZendeskSettings
    assert "zendesk" in build_cli(host).commands
    assert "zendesk" in host.demos()  # other installed platforms may bring demos too


def test_nothing_is_registered_without_account_and_credentials(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, "sla_bridge_zendesk"):
        assert registered() == []
    assert "SLA_BRIDGE_ZENDESK__SUBDOMAIN" in caplog.text
    assert "SLA_BRIDGE_ZENDESK__API_TOKEN" in caplog.text


def test_the_platform_is_registered_when_configured(monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__SUBDOMAIN", "acme")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__EMAIL", "bridge@acme.test")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__API_TOKEN", "tok")
    with caplog.at_level(logging.WARNING, "sla_bridge_zendesk"):
        [zendesk] = registered()
    assert isinstance(zendesk, ZendeskPlatform)
    assert isinstance(zendesk, Platform)
    assert zendesk.name == "zendesk"
    assert "WEBHOOK_SECRET is not set" in caplog.text


def test_the_platform_is_found_through_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__EMAIL", "bridge@acme.test")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__API_TOKEN", "tok")
    settings = load_settings()
    host = PluginHost.from_settings(settings)
    assert isinstance(host.platforms(SystemClock(), settings)["zendesk"], ZendeskPlatform)


def test_settings_read_the_environment_with_nested_field_mapping(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__SUBDOMAIN", "acme.zendesk.com")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__FIELDS__PLAN", "field:360001, org:plan")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__FIELDS__SLA_RESOLUTION_DUE", "field:360009")
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__PRIORITY_MAP", '{"P1": "urgent"}')
    settings = load_section(ZendeskSettings, ENV_PREFIX)
    assert settings.subdomain == "acme"
    assert [str(s) for s in settings.fields.sources("plan")] == ["field:360001", "org:plan"]
    assert [str(s) for s in settings.fields.sources("sla_resolution_due")] == ["field:360009"]
    assert [str(s) for s in settings.fields.sources("sla_other_due")] == [
        "field:SLA other due"]
    assert settings.priority_map == {"p1": "urgent"}
    assert settings.priorities["p1"] == "urgent"
    assert settings.priorities["2"] == "high"  # the built-in entries stay


def test_the_documented_defaults() -> None:
    fields = ZendeskSettings(_env_file=None).fields
    assert fields.plan == "org:support_plan"
    assert fields.location == "org:support_location"
    assert fields.customer_severity == fields.vendor_severity == "priority"
    assert fields.sla_first_response_due == "field:SLA first response due"


@pytest.mark.parametrize(("variable", "value"), [
    ("SLA_BRIDGE_ZENDESK__FIELDS__PLAN", "spreadsheet:B2"),
    ("SLA_BRIDGE_ZENDESK__PRIORITY_MAP", '{"1": "asap"}'),
    ("SLA_BRIDGE_ZENDESK__BASE_URL", "ftp://example"),
    ("SLA_BRIDGE_ZENDESK__SUBDOMAIN", "acme/evil"),
])
def test_bad_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str,
                                        value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_section(ZendeskSettings, ENV_PREFIX)
    assert variable.rsplit("__", 1)[0] in str(caught.value)


def test_sources_parse() -> None:
    assert [(s.kind, s.arg) for s in parse_sources("priority, tag:plan_ ,none")] == [
        ("priority", ""), ("tag", "plan_"), ("none", "")]
    with pytest.raises(ValueError, match="not a source"):
        parse_sources("field")


def test_secrets_stay_out_of_reprs_and_summaries(settings: ZendeskSettings,
                                                 platform: ZendeskPlatform) -> None:
    token = settings.api_token.get_secret_value()
    for text in (repr(settings), str(settings), repr(platform), repr(platform.client),
                 str(settings.summary()), repr(platform.verifier)):
        assert token not in text
        assert WEBHOOK_SECRET not in text


def test_secrets_stay_out_of_the_logs_even_at_debug(
        sandbox: Sandbox, account: Account, platform: ZendeskPlatform,
        caplog: pytest.LogCaptureFixture) -> None:
    ticket = sandbox.open_ticket(account.customer["id"], "S", "B")
    sandbox.rate_limit_next(1)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(Exception, match="rate limit"):
            platform.fetch_ticket(str(ticket["id"]))
        import time
        time.sleep(1.1)
        platform.fetch_ticket(str(ticket["id"]))
        platform.apply(AddComment(ref=ref(ticket), key="n", body="note"))
        platform.apply(SetFields(ref=ref(ticket), key="f", fields={"sla_zzz_due": "x"}))
    assert caplog.records  # zenpy and urllib3 did log
    text = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert sandbox.api_token not in text
    assert WEBHOOK_SECRET not in text


def test_the_sandbox_command_is_there() -> None:
    from sla_bridge_zendesk.cli import zendesk_group

    result = CliRunner().invoke(zendesk_group, ["sandbox", "--help"])
    assert result.exit_code == 0, result.output
    assert "--demo-data" in result.output
