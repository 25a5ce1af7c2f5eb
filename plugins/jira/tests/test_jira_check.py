"""``sla-bridge jira check`` passes once setup wired the site, and names each problem (and
what to do) before; setup and check end with one line naming the setting when the site
cannot be reached or refuses the credentials."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner, Result

from sla_bridge_jira.cli import jira_group
from sla_bridge_jira.sandbox import API_TOKEN, Sandbox

BRIDGE = "https://bridge.example.test"


@pytest.fixture
def configured(configured: Sandbox) -> Sandbox:
    """The configured sandbox (conftest's), with the groups code42-enterprise names."""
    for group in ("Senior Customer Champions", "Customer Champion managers"):
        configured.add_group(group)
    return configured


def run(*args: str) -> Result:
    result = CliRunner().invoke(jira_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def problems(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("PROBLEM")]


def test_check_names_what_is_missing_before_setup(configured: Sandbox) -> None:
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 1, result.output
    found = problems(result.output)
    assert any(p.startswith("PROBLEM    webhook 'sla-bridge': none calls the bridge: run "
                            "`sla-bridge jira setup") for p in found), result.output
    assert any(p.startswith("PROBLEM    field 'SLA first response due': missing (read as "
                            "sla_first_response_due): run `sla-bridge jira setup`")
               for p in found), result.output
    assert "problem(s)" in result.output


def test_check_passes_after_setup(configured: Sandbox) -> None:
    assert run("setup", "--bridge-url", BRIDGE).exit_code == 0
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 0, result.output
    assert problems(result.output) == []
    lines = result.output
    assert "ok         site " in lines
    assert f"accountId {configured.bridge['accountId']}" in lines
    assert "ok         project 'SUP': service project" in lines
    assert f"ok         webhook 'sla-bridge': {BRIDGE}/webhooks/jira" in lines
    assert "All good." in lines
    assert API_TOKEN not in lines


def test_check_sees_a_webhook_calling_another_url(configured: Sandbox) -> None:
    run("setup", "--bridge-url", "https://old-bridge.example.test")
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 1
    [webhook] = [p for p in problems(result.output) if " webhook " in p]
    assert (f"calls https://old-bridge.example.test/webhooks/jira, not {BRIDGE}/webhooks/jira"
            in webhook)


def test_check_sees_a_secret_that_no_longer_matches(configured: Sandbox,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__WEBHOOK_SECRET", "first")
    run("setup", "--bridge-url", BRIDGE)
    monkeypatch.setenv("SLA_BRIDGE_JIRA__WEBHOOK_SECRET", "second-secret-value")
    result = run("check")
    [webhook] = [p for p in problems(result.output) if " webhook " in p]
    assert ("is signed with another secret than SLA_BRIDGE_JIRA__WEBHOOK_SECRET: the bridge "
            "refuses its deliveries (401)") in webhook
    assert "second-secret-value" not in result.output


def test_a_missing_group_and_approval_status_are_reported(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.plugin_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "code42-enterprise")
    monkeypatch.setenv("SLA_BRIDGE_JIRA__APPROVAL_STATUS", "Manager approval")
    sandbox.add_group("Senior Customer Champions")
    result = run("setup", "--bridge-url", BRIDGE, "--dry-run")
    assert result.exit_code == 0, result.output
    notes = [x.strip() for x in result.output.splitlines() if x.strip().startswith("note")]
    assert any(n.startswith("note       group 'Customer Champion managers': missing: create "
                            "it in admin.atlassian.com > Directory > Groups") for n in notes)
    assert any(n.startswith("note       approval status 'Manager approval': missing from "
                            "SUP's workflow (it has Waiting for support,") for n in notes)
    assert any(n.startswith("note       approvers of 'Customer Champion managers': "
                            "SLA_BRIDGE_JIRA__APPROVERS lists no accountIds") for n in notes)
    assert "unchanged  group 'Senior Customer Champions': exists" in result.output
    checked = run("check")
    assert checked.exit_code == 1
    assert any("approval status 'Manager approval': missing" in p
               for p in problems(checked.output))


def test_the_approval_status_of_the_workflow_is_found(configured: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__APPROVAL_STATUS", "waiting for approval")
    approvers = {"Customer Champion managers": [configured.bridge["accountId"]]}
    monkeypatch.setenv("SLA_BRIDGE_JIRA__APPROVERS", json.dumps(approvers))
    result = run("setup", "--bridge-url", BRIDGE, "--dry-run")
    assert "unchanged  approval status 'waiting for approval': in SUP's workflow" in (
        result.output)
    assert "unchanged  approvers field 'Approvers': customfield_10003" in result.output
    assert "approvers of" not in result.output


@pytest.mark.parametrize("command", [["setup", "--bridge-url", BRIDGE], ["check"]])
def test_a_wrong_token_is_one_line_naming_the_settings(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__API_TOKEN", "not-the-token")
    result = run(*command)
    assert result.exit_code == 2, result.output
    [line] = [x for x in result.output.splitlines() if "sla-bridge jira" in x]
    assert "Jira refused the credentials (401)" in line
    assert "SLA_BRIDGE_JIRA__EMAIL" in line
    assert "SLA_BRIDGE_JIRA__API_TOKEN" in line
    assert "not-the-token" not in result.output
    assert "Traceback" not in result.output
    assert configured.engine.webhooks == {}


@pytest.mark.parametrize("command", [["setup", "--bridge-url", BRIDGE], ["check"]])
def test_an_unreachable_site_is_one_line_naming_the_base_url(
        monkeypatch: pytest.MonkeyPatch, command: list[str]) -> None:
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("SLA_BRIDGE_JIRA__BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("SLA_BRIDGE_JIRA__EMAIL", "bridge@acme.test")
    monkeypatch.setenv("SLA_BRIDGE_JIRA__API_TOKEN", "token-value")
    result = run(*command)
    assert result.exit_code == 2, result.output
    [line] = [x for x in result.output.splitlines() if "sla-bridge jira" in x]
    assert f"cannot reach http://127.0.0.1:{port}" in line
    assert line.endswith("check SLA_BRIDGE_JIRA__BASE_URL")
    assert "token-value" not in result.output


def test_missing_settings_are_named() -> None:
    result = run("setup", "--bridge-url", BRIDGE)
    assert result.exit_code == 2
    for variable in ("SLA_BRIDGE_JIRA__BASE_URL", "SLA_BRIDGE_JIRA__EMAIL",
                     "SLA_BRIDGE_JIRA__API_TOKEN"):
        assert variable in result.output


def test_a_failure_of_jira_mid_way_ends_setup_with_its_words(configured: Sandbox) -> None:
    configured.fail_next(1, status=500, path=r"/rest/webhooks/")
    result = run("setup", "--bridge-url", BRIDGE)
    assert result.exit_code == 1
    assert "sla-bridge jira setup failed: setup: Jira answered 500" in result.output


def test_projects_that_are_missing_or_not_service_projects_are_named(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    configured.add_project("DEV", "Development", [], service_desk=False)
    monkeypatch.setenv("SLA_BRIDGE_JIRA__PROJECTS", "SUP,DEV,OPS")
    run("setup", "--bridge-url", BRIDGE)
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 1, result.output
    found = problems(result.output)
    assert ("PROBLEM    project 'DEV': is a software project, not a Jira Service Management "
            "service project") in "\n".join(found)
    assert any(p.startswith("PROBLEM    project 'OPS': missing: the site has no project OPS")
               and "SLA_BRIDGE_JIRA__PROJECTS" in p for p in found)
    [hook] = configured.engine.webhooks.values()
    assert hook.jql == "project in (SUP, DEV, OPS)"


def test_setup_with_an_account_that_is_no_administrator_says_what_to_do(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    configured.add_agent("Ada Agent", "ada@vendor.test", token="ada-token")
    monkeypatch.setenv("SLA_BRIDGE_JIRA__EMAIL", "ada@vendor.test")
    monkeypatch.setenv("SLA_BRIDGE_JIRA__API_TOKEN", "ada-token")
    result = run("setup", "--bridge-url", BRIDGE)
    assert result.exit_code == 1, result.output
    assert ("the bridge's account (ada@vendor.test) is not a Jira administrator, and only "
            "administrators manage webhooks and custom fields") in result.output
    checked = run("check")
    [webhook] = [p for p in problems(checked.output) if " webhook " in p]
    assert "cannot be listed: the bridge's account is not a Jira administrator" in webhook


def test_a_status_the_bridge_moves_requests_to_must_be_in_the_workflow(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__STATUS_TARGETS", '{"pending": "Awaiting customer"}')
    run("setup", "--bridge-url", BRIDGE)
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 1, result.output
    [status] = [p for p in problems(result.output) if " status " in p]
    assert status.startswith("PROBLEM    status 'Awaiting customer': missing from SUP's "
                             "workflow (it has Waiting for support,")
    assert "the bridge moves requests there as pending" in status
    assert "SLA_BRIDGE_JIRA__STATUS_TARGETS" in status


def test_without_a_webhook_automation_rules_may_call_the_bridge(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__AUTOMATION_SECRET", "automation-secret-value")
    run("setup", "--bridge-url", BRIDGE, "--mode", "automation")
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 0, result.output
    assert ("ok         webhook 'sla-bridge': none registered: automation rules call the "
            "bridge") in result.output
    assert "automation-secret-value" not in result.output


def test_check_without_the_settings_ends_with_status_2_naming_them() -> None:
    result = run("check")
    assert result.exit_code == 2, result.output
    for variable in ("SLA_BRIDGE_JIRA__BASE_URL", "SLA_BRIDGE_JIRA__EMAIL",
                     "SLA_BRIDGE_JIRA__API_TOKEN"):
        assert variable in result.output
    assert "Traceback" not in result.output


def test_a_signed_webhook_without_the_secret_fails_the_check(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__WEBHOOK_SECRET", "the-webhooks-secret")
    assert run("setup", "--bridge-url", BRIDGE).exit_code == 0
    monkeypatch.delenv("SLA_BRIDGE_JIRA__WEBHOOK_SECRET")
    result = run("check", "--bridge-url", BRIDGE)
    assert result.exit_code == 1, result.output
    [webhook] = [p for p in problems(result.output) if " webhook " in p]
    assert ("is signed, but SLA_BRIDGE_JIRA__WEBHOOK_SECRET is unset: the bridge refuses its "
            "deliveries (401)") in webhook
