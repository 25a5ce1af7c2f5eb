"""The plugin's settings: the exact variable names, errors that name the variable, and a
platform registered only when the site and the credentials are set."""

from __future__ import annotations

import logging

import pytest

from sla_bridge.clock import SystemClock
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import SettingsError, load_settings
from sla_bridge.tickets import Status
from sla_bridge_jira.settings import JiraSettings, Source

SITE = {"SLA_BRIDGE_JIRA__BASE_URL": "https://acme.atlassian.net",
        "SLA_BRIDGE_JIRA__EMAIL": "sla-bridge@acme.com",
        "SLA_BRIDGE_JIRA__API_TOKEN": "token-value-1234"}


def section(**environ: str) -> JiraSettings:
    return load_settings(environ=environ).section(JiraSettings)


def test_the_settings_read_every_documented_variable() -> None:
    settings = section(**SITE, SLA_BRIDGE_JIRA__WEBHOOK_SECRET="hook-secret",
                       SLA_BRIDGE_JIRA__AUTOMATION_SECRET="rule-secret",
                       SLA_BRIDGE_JIRA__PROJECTS="sup, help",
                       SLA_BRIDGE_JIRA__FIELDS__PLAN="field:Support plan",
                       SLA_BRIDGE_JIRA__STATUS_MAP='{"Waiting for Vendor": "hold"}',
                       SLA_BRIDGE_JIRA__APPROVAL_STATUS="Waiting for approval")
    assert settings.base_url == "https://acme.atlassian.net"
    assert settings.api_token.get_secret_value() == "token-value-1234"
    assert settings.automation_secret.get_secret_value() == "rule-secret"
    assert settings.projects == ["SUP", "HELP"]
    assert settings.fields.sources("plan") == (Source("field", "Support plan"),)
    assert settings.statuses["waiting for vendor"] == Status.HOLD
    assert settings.statuses["waiting for customer"] == Status.PENDING
    assert settings.watches("SUP")
    assert not settings.watches("OPS")


def test_secrets_never_show_in_the_summary_or_the_repr() -> None:
    settings = section(**SITE, SLA_BRIDGE_JIRA__WEBHOOK_SECRET="hook-secret",
                       SLA_BRIDGE_JIRA__AUTOMATION_SECRET="rule-secret")
    shown = f"{settings.summary()} {settings!r}"
    for secret in ("token-value-1234", "hook-secret", "rule-secret"):
        assert secret not in shown
    assert set(settings.secrets()) >= {"token-value-1234", "hook-secret", "rule-secret"}


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("SLA_BRIDGE_JIRA__BASE_URL", "acme.atlassian.net", "http"),
    ("SLA_BRIDGE_JIRA__EMAIL", "sla-bridge", "e-mail"),
    ("SLA_BRIDGE_JIRA__PROJECTS", "SUP,s-1", "project keys"),
    ("SLA_BRIDGE_JIRA__STATUS_MAP", '{"Waiting for customer": "waiting"}', "pending"),
    ("SLA_BRIDGE_JIRA__FIELDS__PLAN", "customfield_10050", "not a source"),
    ("SLA_BRIDGE_JIRA__SIGNATURE_TOLERANCE_SECONDS", "5", "greater than or equal"),
    ("SLA_BRIDGE_JIRA__FOLLOW_UP_REQUEST_TYPE", "Get IT help", "not its name"),
])
def test_a_bad_value_is_an_error_naming_its_variable(variable: str, value: str,
                                                     says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        section(**{**SITE, variable: value})
    assert variable in str(raised.value)
    assert says in str(raised.value)


def test_without_the_site_or_credentials_nothing_is_registered_and_the_log_says_what_is_missing(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sla_bridge_jira")
    settings = load_settings(environ={"SLA_BRIDGE_JIRA__BASE_URL": SITE[
        "SLA_BRIDGE_JIRA__BASE_URL"]})
    host = PluginHost.from_settings(settings)
    assert "jira" not in host.platforms(SystemClock(), settings)
    assert "SLA_BRIDGE_JIRA__EMAIL" in caplog.text
    assert "SLA_BRIDGE_JIRA__API_TOKEN" in caplog.text


def test_with_the_site_and_credentials_the_platform_registers_and_warns_without_a_secret(
        caplog: pytest.LogCaptureFixture) -> None:
    settings = load_settings(environ=SITE)
    platforms = PluginHost.from_settings(settings).platforms(SystemClock(), settings)
    assert platforms["jira"].name == "jira"
    assert "SLA_BRIDGE_JIRA__WEBHOOK_SECRET is not set" in caplog.text
