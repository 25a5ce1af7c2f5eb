"""A platform's settings section: its variables, what is missing, and registering only when
complete, with secrets never in a log, an error or a repr."""

from __future__ import annotations

import logging
from typing import ClassVar

import pytest
from platformkit_fakes import SECRET, TOKEN, AcmeDesk, AcmeSettings, settings

from sla_bridge.platformkit import (
    PlatformSettings,
    platform_settings_config,
    register_if_configured,
)
from sla_bridge.platforms import Platform
from sla_bridge.settings import SettingsError

log = logging.getLogger("sla_bridge_acme")


def register() -> list[Platform]:
    found: list[Platform] = []
    register_if_configured(found.append, AcmeSettings.load(), lambda _s: AcmeDesk(), log,
                           setup_hint="see `sla-bridge acme setup`")
    return found


def set_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"SLA_BRIDGE_ACME__{name.upper()}", value)


def test_the_section_reads_its_own_prefixed_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, site="acme", base_url="http://127.0.0.1:9/", timeout_seconds="5",
            lookup_ttl_seconds="0", signature_tolerance_seconds="60", webhook_secret=SECRET)
    monkeypatch.setenv("SLA_BRIDGE_OTHER__SITE", "not ours")
    loaded = AcmeSettings.load()
    assert loaded.site == "acme"
    assert loaded.base_url == "http://127.0.0.1:9"  # trailing slash dropped
    assert (loaded.timeout_seconds, loaded.lookup_ttl_seconds) == (5.0, 0.0)
    assert loaded.signature_tolerance.total_seconds() == 60
    assert loaded.webhook_secret.get_secret_value() == SECRET
    assert AcmeSettings.platform_name() == "acme"
    assert AcmeSettings.variable("api_token") == "SLA_BRIDGE_ACME__API_TOKEN"


def test_the_defaults_are_the_documented_ones() -> None:
    defaults = AcmeSettings(_env_file=None)
    assert defaults.base_url is None
    assert defaults.timeout_seconds == 30
    assert defaults.lookup_ttl_seconds == 300
    assert defaults.signature_tolerance_seconds == 300
    assert defaults.webhook_secret.get_secret_value() == ""


def test_missing_settings_are_named_one_variable_each() -> None:
    empty = AcmeSettings(_env_file=None)
    assert empty.missing() == ["SLA_BRIDGE_ACME__SITE (or SLA_BRIDGE_ACME__BASE_URL)",
                               "SLA_BRIDGE_ACME__EMAIL", "SLA_BRIDGE_ACME__API_TOKEN"]
    assert AcmeSettings(_env_file=None, base_url="http://x.test", email="b@x.test",
                        api_token="t").missing() == []
    assert settings(api_token="").missing() == ["SLA_BRIDGE_ACME__API_TOKEN"]


def test_a_bad_value_names_its_variable_and_not_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, base_url="ftp://example", signature_tolerance_seconds="0")
    with pytest.raises(SettingsError) as caught:
        AcmeSettings.load()
    assert "SLA_BRIDGE_ACME__BASE_URL: Value error, must be an http(s) URL" in str(caught.value)
    assert "SLA_BRIDGE_ACME__SIGNATURE_TOLERANCE_SECONDS" in str(caught.value)


def test_secrets_stay_out_of_reprs_and_summaries() -> None:
    complete = settings()
    for text in (repr(complete), str(complete), str(complete.summary())):
        assert SECRET not in text
        assert TOKEN not in text
    assert complete.summary() == {"site": "acme", "email": "bridge@acme.test",
                                  "api_token": "**********", "webhook_secret": "**********"}
    assert settings(webhook_secret="").summary()["webhook_secret"] == ""
    assert set(complete.secrets()) == {SECRET, TOKEN}


def test_an_incomplete_platform_is_not_registered_and_the_log_says_what_to_set(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    set_env(monkeypatch, site="acme", webhook_secret=SECRET)
    with caplog.at_level(logging.INFO, "sla_bridge_acme"):
        assert register() == []
    assert ("acme: platform not registered; set SLA_BRIDGE_ACME__EMAIL, "
            "SLA_BRIDGE_ACME__API_TOKEN") in caplog.text
    assert SECRET not in caplog.text


def test_a_complete_platform_is_registered(monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    set_env(monkeypatch, site="acme", email="bridge@acme.test", api_token=TOKEN,
            webhook_secret=SECRET)
    with caplog.at_level(logging.DEBUG, "sla_bridge_acme"):
        [platform] = register()
    assert isinstance(platform, Platform)
    assert caplog.text == ""
    assert TOKEN not in caplog.text


def test_without_a_webhook_secret_it_registers_and_warns_that_webhooks_are_refused(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    set_env(monkeypatch, site="acme", email="bridge@acme.test", api_token=TOKEN)
    with caplog.at_level(logging.WARNING, "sla_bridge_acme"):
        assert len(register()) == 1
    assert ("SLA_BRIDGE_ACME__WEBHOOK_SECRET is not set; Acme webhooks are refused until it "
            "is (see `sla-bridge acme setup`)") in caplog.text
    assert TOKEN not in caplog.text


def test_invalid_settings_stop_the_registration_with_the_variable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, timeout_seconds="soon")
    with pytest.raises(SettingsError, match="SLA_BRIDGE_ACME__TIMEOUT_SECONDS"):
        register()


def test_a_section_without_its_prefix_or_label_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="platform_settings_config"):
        class Unprefixed(PlatformSettings):
            platform_label: ClassVar[str] = "X"

    with pytest.raises(TypeError, match="platform_label"):
        class Unlabelled(PlatformSettings):
            model_config = platform_settings_config("unlabelled")


@pytest.mark.parametrize("name", ["Zendesk", "jira-sm", "", "1desk"])
def test_a_platform_name_must_make_a_variable_prefix(name: str) -> None:
    with pytest.raises(ValueError, match="lower-case"):
        platform_settings_config(name)
