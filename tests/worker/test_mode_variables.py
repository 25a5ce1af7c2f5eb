"""A per-platform mode variable is checked when the bridge starts, for every platform
(the testdesk's settings are not platformkit's): one that names no platform (a typo would
leave the platform it meant enforcing) or holds no mode is refused in one line naming it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from sla_bridge.settings import SettingsError, load_settings

RunCli = Callable[..., Result]


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("SLA_BRIDGE_TESTDSK__MODE", "observe",
     "SLA_BRIDGE_TESTDSK__MODE: no platform is named 'testdsk' (platforms: "),
    ("SLA_BRIDGE_TESTDESK__MODE", "dry",
     "SLA_BRIDGE_TESTDESK__MODE: Input should be 'enforce' or 'observe', got 'dry'"),
], ids=["unknown-platform", "bad-value"])
def test_a_bad_mode_variable_stops_the_command_in_one_line(
        testdesk: object, run_cli: RunCli, variable: str, value: str, said: str) -> None:
    result = run_cli("dead-letters", "list", env={variable: value})
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert said in lines[0]
    assert "Traceback" not in result.output


def test_every_bad_variable_is_named_and_blank_ones_are_unset() -> None:
    settings = load_settings(environ={"SLA_BRIDGE_ZENDSK__MODE": "observe",
                                      "SLA_BRIDGE_TESTDESK__MODE": "Observe!",
                                      "SLA_BRIDGE_JIRA__MODE": " ",
                                      "SLA_BRIDGE_ZENDESK__FIELDS__MODE": "x"})
    with pytest.raises(SettingsError) as raised:
        settings.check_modes({"testdesk", "zendesk", "jira"})
    lines = str(raised.value).splitlines()
    assert [line.split(":")[0] for line in lines] == ["SLA_BRIDGE_TESTDESK__MODE",
                                                      "SLA_BRIDGE_ZENDSK__MODE"]
    load_settings(environ={"SLA_BRIDGE_TESTDESK__MODE": "observe"}).check_modes({"testdesk"})
