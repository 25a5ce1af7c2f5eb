"""``sla-bridge policy list|check|show``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from sla_bridge.default_plugins.policies import bundled_policy_dir

RunCli = Callable[..., Result]
BUNDLED = ["code42-enterprise", "crashplan-proe-premium", "crashplan-small-business",
           "crashplan-standard-2013", "ownbackup"]


def test_show_renders_targets_hours_locations_and_holidays(run_cli: RunCli) -> None:
    result = run_cli("policy", "show", "code42-enterprise", "--year", "2026")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "silver first response" in out
    assert "gold first response" in out
    row = next(line for line in out.splitlines() if line.startswith("1 Critical"))
    assert "1 business day on contact-hours (9 h)" in row
    assert "1 calendar hour" in row
    assert "Mon-Fri  08:00-17:00" in out
    assert "customer's location" in out
    holidays = [line.split(None, 2) for line in out.splitlines() if line.startswith("2026-")]
    assert ["2026-11-26", "Thursday", "Thanksgiving Day"] in holidays
    assert ["2026-07-04", "Saturday", "Independence Day"] in holidays
    assert ["2026-02-16", "Monday", "Presidents' Day"] in holidays
    assert len(holidays) == 10


def test_show_defaults_to_the_clocks_year(run_cli: RunCli) -> None:
    result = run_cli("policy", "show", "code42-enterprise")
    assert "Holidays 'us' in 2026" in result.stdout


def test_check_accepts_a_bundled_policy_by_path(run_cli: RunCli) -> None:
    path = bundled_policy_dir() / "code42-enterprise.toml"
    result = run_cli("policy", "check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: code42-enterprise")


def test_check_reports_file_key_path_and_reason(run_cli: RunCli, tmp_path: Path) -> None:
    text = (bundled_policy_dir() / "code42-enterprise.toml").read_text()
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('"2" = "4 business hours"', '"2" = "4 hrs"')
                      .replace("weekend_shift = false", "weekend_shift = false\ncolour = 1"))
    result = run_cli("policy", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}: plans.gold.first_response.2: '4 hrs' is not a target duration" in (
        result.stderr)
    assert f"{broken}: holidays.us.colour: unknown key" in result.stderr


def test_check_reports_toml_syntax_errors_with_the_line(run_cli: RunCli,
                                                         tmp_path: Path) -> None:
    broken = tmp_path / "syntax.toml"
    broken.write_text('id = "x"\ntitle = \n')
    result = run_cli("policy", "check", str(broken))
    assert result.exit_code == 1
    assert "not valid TOML" in result.stderr
    assert "line 2" in result.stderr


def test_list_shows_every_bundled_policy(run_cli: RunCli) -> None:
    result = run_cli("policy", "list")
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.stdout.splitlines()[2:]]
    assert names == BUNDLED


def test_every_bundled_policy_loads_and_renders(run_cli: RunCli) -> None:
    for name in BUNDLED:
        checked = run_cli("policy", "check", name)
        assert checked.exit_code == 0, checked.output
        shown = run_cli("policy", "show", name, "--year", "2027")
        assert shown.exit_code == 0, shown.output
        assert shown.stdout.startswith(f"{name}: ")
        assert "Targets" in shown.stdout


def test_unknown_policy_argument_is_named_as_the_argument(run_cli: RunCli) -> None:
    result = run_cli("policy", "show", "nope")
    assert result.exit_code == 2
    assert "Invalid value for POLICY: nope: no policy of that name" in result.stderr


def test_show_targets_for_a_location_with_its_own_hours(run_cli: RunCli) -> None:
    us = run_cli("policy", "show", "crashplan-standard-2013")
    au = run_cli("policy", "show", "crashplan-standard-2013", "--location", "au")
    assert "Targets (customer location: us)" in us.stdout
    assert "1 business day on us-hours (12 h)" in us.stdout
    assert "Targets (customer location: au)" in au.stdout
    assert "1 business day on au-hours (10 h)" in au.stdout
    wrong = run_cli("policy", "show", "crashplan-standard-2013", "--location", "mars")
    assert wrong.exit_code == 2
    assert "valid locations: us, au" in wrong.stderr
