"""``sla-bridge zendesk check`` exits 1 naming each problem and what to do (the webhook, its
signing secret, a mapped field the account lacks), 0 once setup wired the account, and 2
when a setting is missing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.sandbox import Sandbox

BRIDGE = "https://bridge.example.test"
SECRET_VARIABLE = "SLA_BRIDGE_ZENDESK__WEBHOOK_SECRET"
#: The groups the default policies name (test_zendesk_setup_groups.py checks their lines).
GROUPS = ("Senior Customer Champions", "Customer Champion managers")


@pytest.fixture
def configured(configured: Sandbox) -> Sandbox:
    """The configured sandbox (conftest's), with the groups the default policies name."""
    for group in GROUPS:
        configured.add_group(group)
    return configured


def run(*args: str) -> Result:
    result = CliRunner().invoke(zendesk_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def problems(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("PROBLEM")]


def test_before_setup_check_names_the_webhook_and_each_field_to_create(
        configured: Sandbox) -> None:
    result = run("check")
    assert result.exit_code == 1, result.output
    found = problems(result.output)
    assert found[0].startswith("PROBLEM    webhook 'sla-bridge': missing: Zendesk sends the "
                               "bridge nothing; run `sla-bridge zendesk setup --bridge-url")
    assert ("PROBLEM    field 'sla_first_response_due': field:SLA first response due (MISSING): "
            "no ticket field is titled 'SLA first response due'; run `sla-bridge zendesk setup"
            in "\n".join(found))
    assert result.output.splitlines()[-1] == (
        f"{len(found)} problem(s): see the PROBLEM lines for what to do.")

    assert run("setup", "--bridge-url", BRIDGE).exit_code == 0
    passed = run("check")
    assert passed.exit_code == 0, passed.output
    assert problems(passed.output) == []
    assert (f"ok         webhook 'sla-bridge': {BRIDGE}/webhooks/zendesk (id "
            in passed.output)
    assert f"signed with {SECRET_VARIABLE}" in passed.output


def test_an_unset_or_other_signing_secret_fails_the_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as fresh:  # Zendesk makes up the webhook's secret
        for name, value in fresh.plugin_env().items():
            monkeypatch.setenv(name, value)
        for group in GROUPS:
            fresh.add_group(group)
        assert run("setup", "--bridge-url", BRIDGE).exit_code == 0
        unset = run("check")
        assert unset.exit_code == 1, unset.output
        assert problems(unset.output) == [
            f"PROBLEM    signing secret '{SECRET_VARIABLE}': unset: the bridge refuses every "
            "webhook (401); run `sla-bridge zendesk setup --bridge-url <the bridge's URL> "
            "--env-file .env` to write the webhook's secret"]

        monkeypatch.setenv(SECRET_VARIABLE, "not-the-webhooks-secret")
        other = run("check")
        assert other.exit_code == 1
        [line] = problems(other.output)
        assert "differs from the webhook's: the bridge refuses its deliveries (401)" in line
        assert "not-the-webhooks-secret" not in other.output

        secret = next(iter(fresh.state.webhook_secrets.values()))
        monkeypatch.setenv(SECRET_VARIABLE, secret)
        same = run("check")
        assert same.exit_code == 0, same.output
        assert secret not in same.output


def test_a_field_mapped_by_an_id_the_account_lacks_names_the_variable(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    run("setup", "--bridge-url", BRIDGE)
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__FIELDS__SLA_NEXT_UPDATE_DUE", "field:999999")
    result = run("check")
    assert result.exit_code == 1, result.output
    assert problems(result.output) == [
        "PROBLEM    field 'sla_next_update_due': field:999999 (MISSING): no ticket field has "
        "the id 999999; map another in SLA_BRIDGE_ZENDESK__FIELDS__SLA_NEXT_UPDATE_DUE"]


def test_missing_settings_end_the_check_with_status_2_naming_them() -> None:
    result = run("check")
    assert result.exit_code == 2, result.output
    for variable in ("SLA_BRIDGE_ZENDESK__SUBDOMAIN", "SLA_BRIDGE_ZENDESK__EMAIL",
                     "SLA_BRIDGE_ZENDESK__API_TOKEN"):
        assert variable in result.output
    assert "Traceback" not in result.output


def test_a_failure_of_zendesk_ends_the_check_with_status_1_and_its_words(
        configured: Sandbox) -> None:
    configured.fail_next(1, status=500)
    result = run("check")
    assert result.exit_code == 1
    assert ("sla-bridge zendesk check failed: look up the API user: Zendesk answered 500"
            in result.output)
