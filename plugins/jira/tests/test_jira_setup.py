"""``sla-bridge jira setup``: registers the signed webhook and creates the mapping's fields;
a second run changes nothing; a dry run changes nothing at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from jira_spec_check import problems_in_log

from sla_bridge.cli import build_cli
from sla_bridge.plugin import PluginHost
from sla_bridge.settings import load_settings
from sla_bridge.testing import VirtualClock, WebhookReceiver
from sla_bridge_jira.cli import jira_group
from sla_bridge_jira.inbound import WEBHOOK_EVENTS
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.settings import JiraSettings

BRIDGE = "https://bridge.example.test"
WRITES = {"POST", "PUT", "DELETE"}
SECRET = "SLA_BRIDGE_JIRA__WEBHOOK_SECRET"
# The custom fields the default mapping names, and the type setup gives each.
MAPPED = {"SLA first response due": "datetime", "SLA next update due": "datetime",
          "SLA escalation reason": "string", "SLA escalation severity": "string",
          "SLA escalation contact": "string", "SLA escalation decision reason": "string"}


def run(*args: str) -> Result:
    result = CliRunner().invoke(jira_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def setup(*args: str) -> Result:
    return run("setup", "--bridge-url", BRIDGE, *args)


def writes(sandbox: Sandbox) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in sandbox.request_log()
            if r["method"] in WRITES]


def hooks(sandbox: Sandbox) -> list[Any]:
    return list(sandbox.engine.webhooks.values())


def custom_fields(sandbox: Sandbox) -> dict[str, str]:
    """Each custom field's name and schema type, as GET /rest/api/2/field lists them."""
    answer = requests.get(f"{sandbox.base_url}/rest/api/2/field", timeout=10,
                          auth=(sandbox.api_email, sandbox.api_token))
    return {f["name"]: f["schema"]["type"] for f in answer.json() if f["custom"]}


def env_secret(path: Path) -> str:
    [line] = [x for x in path.read_text().splitlines() if x.startswith(f"{SECRET}=")]
    return line.split("=", 1)[1]


def test_setup_registers_the_signed_webhook_and_creates_the_fields(
        configured: Sandbox, tmp_path: Path) -> None:
    result = setup()
    assert result.exit_code == 0, result.output
    [hook] = hooks(configured)
    assert (hook.name, hook.url) == ("sla-bridge", f"{BRIDGE}/webhooks/jira")
    assert sorted(hook.events) == sorted(WEBHOOK_EVENTS)
    assert hook.jql == "project = SUP"
    # The secret Jira signs with is the one setup made up and wrote to .env.
    secret = env_secret(tmp_path / ".env")
    assert hook.secret == secret
    assert secret not in result.output
    assert f"wrote      signing secret: {SECRET} in .env" in result.output
    assert {n: t for n, t in custom_fields(configured).items() if n in MAPPED} == MAPPED
    assert "create     field 'SLA first response due': datetime" in result.output


def test_the_bridge_accepts_the_deliveries_of_the_webhook_setup_registered(
        configured: Sandbox, clock: VirtualClock) -> None:
    with WebhookReceiver(clock) as bridge:  # stands in for the bridge's server
        result = run("setup", "--bridge-url", bridge.url)
        assert result.exit_code == 0, result.output
        customer = configured.add_customer("Grace", "grace@gold.test")
        key = configured.open_request(customer["accountId"], "Restore fails")
        request = bridge.wait_for(1)[0]
    # The bridge reads the secret setup wrote to .env, as `sla-bridge serve` would.
    platform = JiraPlatform(JiraSettings.load(), clock)
    [event] = platform.parse_webhook(request)
    assert (event.ref.ticket_id, event.event_type) == (key, "ticket.created")


def test_running_setup_twice_changes_nothing_the_second_time(configured: Sandbox) -> None:
    for group in ("Senior Customer Champions", "Customer Champion managers"):
        configured.add_group(group)  # the code42-enterprise policy's
    assert setup().exit_code == 0
    configured.clear_request_log()
    second = setup()  # the secret is now read from .env
    assert second.exit_code == 0, second.output
    assert writes(configured) == []
    assert "Nothing to change." in second.output
    steps = [x for x in second.output.splitlines() if x.startswith("  ")]
    assert steps
    assert all(x.split()[0] == "unchanged" for x in steps), second.output
    assert f"{SECRET} matches the webhook's" in second.output
    assert len(hooks(configured)) == 1


def test_dry_run_prints_the_plan_and_changes_nothing(configured: Sandbox,
                                                     tmp_path: Path) -> None:
    fields_before = custom_fields(configured)
    result = setup("--dry-run")
    assert result.exit_code == 0, result.output
    assert writes(configured) == []
    assert hooks(configured) == []
    assert custom_fields(configured) == fields_before
    assert not (tmp_path / ".env").exists()
    assert "(dry run)" in result.output
    assert "create     webhook 'sla-bridge': https://bridge.example.test/webhooks/jira" in (
        result.output)
    assert '"issue-related-events-section": "project = SUP"' in result.output
    assert "create     field 'SLA escalation reason': text" in result.output
    assert "nothing was changed" in result.output


def test_a_configured_secret_is_the_one_registered(configured: Sandbox, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET, "It's a Secret to Everybody")
    result = setup()
    assert result.exit_code == 0, result.output
    [hook] = hooks(configured)
    assert hook.secret == "It's a Secret to Everybody"
    assert f"{SECRET} matches the webhook's" in result.output
    assert not (tmp_path / ".env").exists()
    assert "Secret to Everybody" not in result.output


def test_a_changed_secret_or_url_replaces_the_webhook(configured: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET, "first secret")
    setup()
    [old] = hooks(configured)
    monkeypatch.setenv(SECRET, "second secret")
    result = run("setup", "--bridge-url", "https://new-bridge.example.test")
    assert result.exit_code == 0, result.output
    assert "update     webhook 'sla-bridge': url, secret (not the one in " in result.output
    assert f"the old one (id {old.id}) deleted" in result.output
    [new] = hooks(configured)
    assert new.id != old.id
    assert (new.url, new.secret) == ("https://new-bridge.example.test/webhooks/jira",
                                     "second secret")


def test_a_webhook_registered_without_setup_is_replaced_once(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET, "the bridge's secret")
    configured.register_webhook(f"{BRIDGE}/webhooks/jira", secret="some other secret")
    first = setup()
    assert "secret (not the one in SLA_BRIDGE_JIRA__WEBHOOK_SECRET)" in first.output
    [hook] = hooks(configured)
    assert hook.secret == "the bridge's secret"
    configured.clear_request_log()
    assert "Nothing to change." in setup().output
    assert writes(configured) == []


def test_another_webhook_calling_the_bridge_is_named(configured: Sandbox) -> None:
    configured.register_webhook(f"{BRIDGE}/webhooks/jira", secret="x", name="Ops webhook")
    result = setup()
    notes = [x for x in result.output.splitlines() if "also calls the bridge" in x]
    assert len(notes) == 1, result.output
    assert notes[0].startswith("  note       webhook 'Ops webhook': also calls the bridge")
    assert "delete it in Jira settings > System > WebHooks" in notes[0]


def test_fields_that_exist_are_kept_and_named_with_their_id(configured: Sandbox) -> None:
    existing = configured.add_field("SLA first response due", "datetime")
    result = setup()
    assert (f"unchanged  field 'SLA first response due': {existing} (datetime), read as "
            "sla_first_response_due") in result.output
    assert list(custom_fields(configured)).count("SLA first response due") == 1


def test_a_field_mapped_by_an_id_the_site_lacks_is_reported(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__FIELDS__ESCALATION_REASON", "field:customfield_19999")
    result = setup()
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "customfield_19999" in x]
    assert line.startswith("  note       field 'customfield_19999': missing: no field has "
                           "this id (read as escalation_reason)")
    assert "SLA_BRIDGE_JIRA__FIELDS__ESCALATION_REASON" in line


def test_the_group_field_is_created_as_a_group_picker(configured: Sandbox,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_JIRA__FIELDS__GROUP", "field:Support team")
    setup()
    answer = requests.get(f"{configured.base_url}/rest/api/2/field", timeout=10,
                          auth=(configured.api_email, configured.api_token)).json()
    [team] = [f for f in answer if f["name"] == "Support team"]
    assert team["schema"]["custom"] == (
        "com.atlassian.jira.plugin.system.customfieldtypes:grouppicker")


def test_setup_runs_as_a_command_of_sla_bridge(configured: Sandbox) -> None:
    settings = load_settings()
    cli = build_cli(PluginHost.from_settings(settings))
    result = CliRunner().invoke(cli, ["jira", "setup", "--bridge-url", BRIDGE, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "create     webhook 'sla-bridge'" in result.output


def test_what_setup_sends_and_reads_follows_atlassians_documents(configured: Sandbox) -> None:
    configured.keep_responses()
    assert setup().exit_code == 0
    run("check", "--bridge-url", BRIDGE)  # its reads too
    assert "POST /rest/api/2/field" in writes(configured)
    assert problems_in_log(configured.request_log()) == []


def test_setup_repairs_what_an_admin_changed(configured: Sandbox) -> None:
    setup()
    [hook] = hooks(configured)
    # As an admin would in Jira settings > System > WebHooks.
    hook.events.remove("jira:issue_deleted")
    hook.enabled = False
    configured.clear_request_log()
    result = setup()
    assert "update     webhook 'sla-bridge': events, enabled differ" in result.output
    # The new webhook first, then the old one goes: no change falls in between.
    assert writes(configured) == ["POST /rest/webhooks/1.0/webhook",
                                  f"DELETE /rest/webhooks/1.0/webhook/{hook.id}"]
    [new] = hooks(configured)
    assert new.enabled
    assert "jira:issue_deleted" in new.events
