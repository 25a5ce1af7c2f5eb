"""The plugin's settings: the exact variable names, errors that name the variable, credential
sets that say which part is missing, and a platform registered only when usable."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from salesforce_testing import ORG_ID, settings_of

from sla_bridge.clock import SystemClock
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import SettingsError, load_settings
from sla_bridge.tickets import Status
from sla_bridge_salesforce.settings import DEFAULT_API_VERSION, Source

P = "SLA_BRIDGE_SALESFORCE__"
ORG = {f"{P}INSTANCE_URL": "https://acme.my.salesforce.com", f"{P}ORGANIZATION_ID": ORG_ID}


def test_the_settings_read_every_documented_variable() -> None:
    settings = settings_of({
        **ORG, f"{P}ACCESS_TOKEN": "token-value-1234", f"{P}API_VERSION": "v62.0",
        f"{P}FLOW_SECRET": "flow-secret", f"{P}FIELDS__PLAN": "case:Plan__c, entitlement:Name",
        f"{P}PENDING_STATUSES": "Waiting on Customer, Awaiting Info",
        f"{P}STATUS_MAP": '{"On Hold": "hold"}', f"{P}APPROVAL_PROCESS": "Case_Escalation",
        f"{P}COMPLETE_MILESTONES": "true"})
    assert settings.instance_url == "https://acme.my.salesforce.com"
    assert settings.credential_mode() == "access token"
    assert settings.api_version == "62.0"
    assert settings.flow_secret.get_secret_value() == "flow-secret"
    assert settings.fields.sources("plan") == (Source("case", "Plan__c"),
                                               Source("entitlement", "Name"))
    assert settings.statuses["awaiting info"] == Status.PENDING
    assert settings.statuses["on hold"] == Status.HOLD
    assert settings.targets[Status.PENDING] == "Waiting on Customer"
    assert settings.approval_process == "Case_Escalation"
    assert settings.complete_milestones
    assert settings.missing() == []


def test_defaults_pin_an_api_version_and_keep_milestones_off() -> None:
    settings = settings_of({**ORG, f"{P}ACCESS_TOKEN": "t"})
    assert settings.api_version == DEFAULT_API_VERSION
    assert not settings.complete_milestones
    assert settings.approval_process == ""


@pytest.mark.parametrize("configured", [ORG_ID, ORG_ID[:15]])
def test_the_org_id_matches_by_its_first_15_characters_case_sensitively(configured: str,
                                                                        ) -> None:
    settings = settings_of({**ORG, f"{P}ORGANIZATION_ID": configured, f"{P}ACCESS_TOKEN": "t"})
    assert settings.same_org(ORG_ID)
    assert settings.same_org(ORG_ID[:15])
    assert not settings.same_org(ORG_ID[:14] + ORG_ID[14].swapcase() + ORG_ID[15:])
    assert not settings.same_org("00D000000000001AAA")


def test_secrets_never_show_in_the_summary_or_the_repr() -> None:
    settings = settings_of({**ORG, f"{P}USERNAME": "bridge@acme.com",
                            f"{P}PASSWORD": "pass-value-1234", f"{P}SECURITY_TOKEN": "sectok-987",
                            f"{P}ACCESS_TOKEN": "token-value-1234", f"{P}FLOW_SECRET": "flow-s3",
                            f"{P}ENDPOINT_SECRET": "path-s3"})
    shown = f"{settings.summary()} {settings!r}"
    for secret in ("pass-value-1234", "sectok-987", "token-value-1234", "flow-s3", "path-s3"):
        assert secret not in shown
    assert set(settings.secrets()) >= {"pass-value-1234", "sectok-987", "token-value-1234",
                                       "flow-s3", "path-s3"}


@pytest.mark.parametrize(("variable", "value", "says"), [
    (f"{P}INSTANCE_URL", "http://acme.my.salesforce.com", "https://"),
    (f"{P}INSTANCE_URL", "acme.my.salesforce.com", "https://"),
    (f"{P}ORGANIZATION_ID", "00D5g000004XyZ", "00D followed by"),
    (f"{P}ORGANIZATION_ID", "0015g000004XyZaEAK", "00D followed by"),
    (f"{P}API_VERSION", "latest", "REST API version"),
    (f"{P}BRIDGE_USER_ID", "0015g00000Brdg3AAC", "user id"),
    (f"{P}CA_BUNDLE", "/nonexistent/ca.pem", "not a readable file"),
    (f"{P}STATUS_MAP", '{"Closed": "closed"}', "IsClosed"),
    (f"{P}STATUS_MAP", '{"Working": "waiting"}', "pending"),
    (f"{P}FIELDS__PLAN", "Support_Plan__c", "not a source"),
    (f"{P}FOLLOW_UP_KEY_FIELD", "Bridge Key", "API name"),
    (f"{P}REGISTERED_ADMIN_FIELD", "Contact.Admin__c", "API name"),
])
def test_a_bad_value_is_an_error_naming_its_variable(variable: str, value: str,
                                                     says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_of({**ORG, f"{P}ACCESS_TOKEN": "t", variable: value})
    assert variable in str(raised.value)
    assert says in str(raised.value)


@pytest.mark.parametrize(("given", "lacking", "mode"), [
    ({"USERNAME": "b@acme.com", "PASSWORD": "pw"}, ["SECURITY_TOKEN"], "password"),
    ({"PASSWORD": "pw"}, ["USERNAME", "SECURITY_TOKEN"], "password"),
    ({"CLIENT_ID": "3MVG9abc"}, ["PRIVATE_KEY_FILE", "USERNAME"], "JWT bearer"),
])
def test_a_half_filled_credential_set_says_which_part_is_missing(
        given: dict[str, str], lacking: list[str], mode: str) -> None:
    settings = settings_of({**ORG, **{P + k: v for k, v in given.items()}})
    assert settings.credential_mode() is None
    [problem] = settings.missing()
    assert all(P + name in problem for name in lacking)
    assert f"the {mode} credentials are incomplete" in problem


def test_without_credentials_the_three_sets_are_named() -> None:
    [problem] = settings_of(ORG).missing()
    assert f"{P}ACCESS_TOKEN" in problem
    assert f"{P}USERNAME+{P}PASSWORD+{P}SECURITY_TOKEN" in problem
    assert f"{P}CLIENT_ID+{P}PRIVATE_KEY_FILE+{P}USERNAME" in problem


@pytest.mark.parametrize("empty", ["", "  "])
def test_a_file_variable_set_but_empty_is_unset(empty: str) -> None:
    settings = settings_of({**ORG, f"{P}ACCESS_TOKEN": "t", f"{P}CA_BUNDLE": empty,
                            f"{P}PRIVATE_KEY_FILE": empty})
    assert (settings.ca_bundle, settings.private_key_file) == (None, None)
    assert settings.missing() == []


def test_the_registered_admin_checkbox_defaults_and_can_be_turned_off() -> None:
    assert settings_of({**ORG, f"{P}ACCESS_TOKEN": "t"}).registered_admin_field == (
        "SLA_Registered_Admin__c")
    assert settings_of({**ORG, f"{P}ACCESS_TOKEN": "t",
                        f"{P}REGISTERED_ADMIN_FIELD": ""}).registered_admin_field == ""


def test_jwt_credentials_are_complete_with_a_key_file(tmp_path: Path) -> None:
    key = tmp_path / "bridge.key"
    key.write_text("-----BEGIN PRIVATE KEY-----\n")
    settings = settings_of({**ORG, f"{P}CLIENT_ID": "3MVG9abc", f"{P}USERNAME": "b@acme.com",
                            f"{P}PRIVATE_KEY_FILE": str(key)})
    assert settings.credential_mode() == "JWT bearer"
    assert settings.missing() == []


def _registered(environ: dict[str, str]) -> list[str]:
    settings = load_settings(environ=environ)
    return list(PluginHost.from_settings(settings).platforms(SystemClock(), settings))


def test_the_platform_registers_only_with_instance_org_id_and_credentials(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sla_bridge_salesforce")
    assert "salesforce" not in _registered({**ORG, f"{P}USERNAME": "b@acme.com",
                                            f"{P}PASSWORD": "pw-value-55"})
    assert f"{P}SECURITY_TOKEN" in caplog.text
    assert "pw-value-55" not in caplog.text
    caplog.clear()
    assert "salesforce" not in _registered({f"{P}ACCESS_TOKEN": "token-value-1234"})
    assert f"{P}INSTANCE_URL" in caplog.text
    assert f"{P}ORGANIZATION_ID" in caplog.text
    assert "salesforce" in _registered({**ORG, f"{P}ACCESS_TOKEN": "token-value-1234"})
    assert f"{P}FLOW_SECRET is not set" in caplog.text
