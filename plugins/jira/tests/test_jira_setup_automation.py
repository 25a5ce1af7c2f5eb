"""``sla-bridge jira setup --mode automation`` and ``automation-rule``: the rule to paste,
whose web request the bridge accepts, and the automation secret kept in .env."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sla_bridge.platforms import Unauthorized, WebhookRequest
from sla_bridge.testing import VirtualClock, WebhookReceiver
from sla_bridge_jira.cli import jira_group
from sla_bridge_jira.platform import JiraPlatform
from sla_bridge_jira.sandbox import Sandbox
from sla_bridge_jira.settings import JiraSettings

BRIDGE = "https://bridge.example.test"
VARIABLE = "SLA_BRIDGE_JIRA__AUTOMATION_SECRET"


@pytest.fixture
def policy() -> str:
    """The ownbackup policy, which names no group."""
    return "ownbackup"


def run(*args: str) -> Result:
    result = CliRunner().invoke(jira_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def printed_body(output: str) -> str:
    """The JSON body of the printed rule (its indented block from ``{`` to ``}``)."""
    lines = output.splitlines()
    start = next(i for i, x in enumerate(lines) if x.strip() == "{")
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "}")
    return "\n".join(x.strip() for x in lines[start:end + 1])


def env_value(path: Path, name: str) -> str:
    [line] = [x for x in path.read_text().splitlines() if x.startswith(f"{name}=")]
    return line.split("=", 1)[1]


def test_the_printed_rule_sends_what_the_bridge_accepts(
        configured: Sandbox, tmp_path: Path, clock: VirtualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("setup", "--bridge-url", BRIDGE, "--mode", "automation")
    assert result.exit_code == 0, result.output
    secret = env_value(tmp_path / ".env", VARIABLE)
    assert secret not in result.output
    assert f"Web request URL:  {BRIDGE}/webhooks/jira" in result.output
    assert f"X-Sla-Bridge-Secret = <the value of {VARIABLE}>" in result.output
    assert f"wrote      automation secret: {VARIABLE} in .env" in result.output
    assert configured.engine.webhooks == {}  # no admin webhook in this mode
    # The admin creates the rule as printed; Jira renders its smart values and calls the
    # bridge (here a receiver standing in for it).
    with WebhookReceiver(clock) as bridge:
        configured.add_automation(bridge.url, printed_body(result.output),
                                  headers={"X-Sla-Bridge-Secret": secret})
        customer = configured.add_customer("Grace", "grace@gold.test")
        key = configured.open_request(customer["accountId"], "Restore fails")
        request = bridge.wait_for(1)[0]
    monkeypatch.setenv(VARIABLE, secret)
    platform = JiraPlatform(JiraSettings.load(), clock)
    [event] = platform.parse_webhook(request)
    assert event.ref.ticket_id == key
    forged = WebhookRequest(headers={**request.headers, "x-sla-bridge-secret": "guess"},
                            body=request.body, received_at=request.received_at)
    with pytest.raises(Unauthorized):
        platform.parse_webhook(forged)


def test_switching_to_automation_deletes_the_webhook(configured: Sandbox) -> None:
    assert run("setup", "--bridge-url", BRIDGE).exit_code == 0
    [hook_id] = configured.engine.webhooks
    result = run("setup", "--bridge-url", BRIDGE, "--mode", "automation")
    assert f"delete     webhook 'sla-bridge': automation rules call the bridge instead (id " \
           f"{hook_id})" in result.output
    assert configured.engine.webhooks == {}
    again = run("setup", "--bridge-url", BRIDGE, "--mode", "automation")
    assert "Nothing to change." in again.output  # the secret is in .env now


def test_the_rule_shows_the_secret_only_when_asked(configured: Sandbox,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, "the-automation-secret")
    hidden = run("automation-rule", "--bridge-url", BRIDGE)
    assert hidden.exit_code == 0, hidden.output
    assert "the-automation-secret" not in hidden.output
    shown = run("automation-rule", "--bridge-url", BRIDGE, "--show-secret")
    assert "X-Sla-Bridge-Secret = the-automation-secret" in shown.output
    body = json.loads(printed_body(shown.output))
    assert body["issue_key"] == "{{issue.key}}"


def test_the_rule_says_when_the_secret_is_unset(configured: Sandbox) -> None:
    result = run("automation-rule", "--bridge-url", BRIDGE)
    assert f"{VARIABLE} is unset: the bridge refuses these requests (401)" in result.output


def test_a_made_up_automation_secret_is_printed_only_when_asked(configured: Sandbox,
                                                                tmp_path: Path) -> None:
    result = run("setup", "--bridge-url", BRIDGE, "--mode", "automation", "--show-secret")
    [export] = [x for x in result.output.splitlines() if x.startswith(f"export {VARIABLE}=")]
    secret = export.split("=", 1)[1]
    assert f"X-Sla-Bridge-Secret = {secret}" in result.output
    assert not (tmp_path / ".env").exists()
