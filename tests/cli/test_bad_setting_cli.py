"""A bad value in any kind of setting (a number, a flag, a choice, a URL, a duration, a path, a
list), the core's or a platform plugin's, ends the command with status 2 and one message
naming the variable: never a traceback. Run as the console script runs (``main``), so the
start-up's own settings handling is what is tested."""

from __future__ import annotations

import pytest

from sla_bridge.cli import main

LONG = "x" * 300  # longer than a file name may be

CASES = [
    # (variable, value, command, words the message has)
    ("SLA_BRIDGE_WORKER__TIMER_BATCH", "many", ["config"], "valid integer"),
    ("SLA_BRIDGE_SERVER__STORE_TIMEOUT_SECONDS", "1e400", ["config"], "less than or equal"),
    ("SLA_BRIDGE_SERVER__RUN_MIGRATIONS", "maybe", ["config"], "valid boolean"),
    ("SLA_BRIDGE_MODE", "loud", ["config"], "'enforce' or 'observe'"),
    ("SLA_BRIDGE_POLICIES", "no-such-policy", ["run-due", "--as-of", "2026-11-01T00:00:00Z",
                                               "--dry-run"], "no policy of that name"),
    ("SLA_BRIDGE_POLICIES", "no-such-policy", ["serve", "--port", "0"], "no policy of that name"),
    ("SLA_BRIDGE_ZENDESK__TIMEOUT_SECONDS", "soon", ["zendesk", "check"], "valid number"),
    ("SLA_BRIDGE_ZENDESK__BASE_URL", "zendesk.example", ["zendesk", "check"], "http(s) URL"),
    ("SLA_BRIDGE_ZENDESK__RESYNC_EVERY", "99999999999999999999", ["config"],
     "too long a duration"),
    ("SLA_BRIDGE_ZENDESK__RESYNC_EVERY", "often", ["zendesk", "check"], "is not a duration"),
    ("SLA_BRIDGE_JIRA__PROJECTS", "1", ["jira", "check"], "project keys are letters"),
    ("SLA_BRIDGE_SALESFORCE__COMPLETE_MILESTONES", "maybe", ["salesforce", "check"],
     "valid boolean"),
    ("SLA_BRIDGE_SALESFORCE__CA_BUNDLE", LONG, ["salesforce", "check"],
     "not a readable file: File name too long"),
    ("SLA_BRIDGE_SALESFORCE__API_VERSION", "latest", ["config"], "REST API version"),
]


@pytest.mark.parametrize(("variable", "value", "command", "words"), CASES,
                         ids=[f"{c[0]}-{c[2][0]}" for c in CASES])
def test_a_bad_value_exits_2_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str,
        value: str, command: list[str], words: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as ended:
        main(command)
    output = capsys.readouterr()
    assert ended.value.code == 2, output
    assert variable in output.err
    assert words in output.err
    assert "Traceback" not in output.err + output.out
