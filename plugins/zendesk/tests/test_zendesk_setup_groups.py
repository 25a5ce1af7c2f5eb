"""``zendesk setup`` and ``check`` say which groups the loaded policies name that the account
lacks (Zendesk refuses a ticket update naming a group it does not have); the sandbox's
``--demo-data`` has every group the bundled policies name."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.sandbox import Sandbox
from sla_bridge_zendesk.sandbox.__main__ import seed_demo_data

BRIDGE = "https://bridge.example.test"
BUNDLED = sorted(path.stem for path in bundled_policy_dir().glob("*.toml"))


def run(*args: str) -> Result:
    result = CliRunner().invoke(zendesk_group, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def group_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if " group " in line]


@pytest.fixture
def code42(configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The configured sandbox, the bridge enforcing the code42-enterprise policy."""
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "code42-enterprise")
    return configured


@pytest.mark.parametrize("dry_run", [False, True])
def test_setup_names_each_missing_group_and_what_to_do(code42: Sandbox, dry_run: bool) -> None:
    result = run("setup", "--bridge-url", BRIDGE, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.output
    lines = group_lines(result.output)
    assert len(lines) == 2, result.output
    senior, managers = lines
    assert senior.startswith("note       group 'Senior Customer Champions': missing: create "
                             "the group 'Senior Customer Champions' in Admin Center > People "
                             "> Team > Groups")
    assert "approved escalations are assigned to it" in senior
    assert "code42-enterprise: escalation.escalation_group" in senior
    assert managers.startswith("note       group 'Customer Champion managers': missing")
    assert "asked to approve escalations" in managers
    # Setup does not make groups up: who belongs in them is the admin's choice.
    assert code42.state.groups == {}


def test_setup_finds_the_groups_an_admin_created(code42: Sandbox) -> None:
    code42.add_group("senior customer champions")  # Zendesk's names match in any case
    code42.add_group("Customer Champion managers")
    result = run("setup", "--bridge-url", BRIDGE)
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in group_lines(result.output)] == ["unchanged"] * 2
    assert "missing" not in result.output


def test_a_policy_without_escalations_names_no_group(configured: Sandbox,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "ownbackup")
    result = run("setup", "--bridge-url", BRIDGE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert group_lines(result.output) == []


def test_a_policy_that_does_not_load_is_named(configured: Sandbox,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", "no-such-policy")
    result = run("setup", "--bridge-url", BRIDGE, "--dry-run")
    assert result.exit_code == 2
    assert "SLA_BRIDGE_POLICIES" in result.output
    assert "no-such-policy" in result.output


def test_check_shows_each_group_with_its_id_or_what_to_create(code42: Sandbox) -> None:
    senior = code42.add_group("Senior Customer Champions")
    run("setup", "--bridge-url", BRIDGE)
    result = run("check")
    assert result.exit_code == 1, result.output
    lines = [line.strip() for line in result.output.splitlines() if " group '" in line]
    assert lines[0] == f"ok         group 'Senior Customer Champions': id {senior['id']}"
    assert lines[1].startswith("PROBLEM    group 'Customer Champion managers': missing: create "
                               "the group 'Customer Champion managers' in Admin Center")
    assert result.output.endswith("1 problem(s): see the PROBLEM lines for what to do.\n")
    code42.add_group("Customer Champion managers")
    assert run("check").exit_code == 0


def test_the_demo_data_has_every_group_the_bundled_policies_name(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = seed_demo_data(configured)
    monkeypatch.setenv("SLA_BRIDGE_POLICIES", ",".join(BUNDLED))
    result = run("setup", "--bridge-url", BRIDGE, "--dry-run")
    assert result.exit_code == 0, result.output
    groups = group_lines(result.output)
    assert {"'Senior Customer Champions'", "'Customer Champion managers'",
            "'Customer Champions'"} <= {line.split(":")[0].split(" group ")[1]
                                        for line in groups}
    assert all(line.startswith("unchanged") for line in groups), result.output
    assert any(line.startswith("Groups: Support, ") for line in lines)
