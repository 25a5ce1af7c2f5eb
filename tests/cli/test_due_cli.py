"""``sla-bridge due``: the admin's "when is this due, and why?"."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from click.testing import Result

RunCli = Callable[..., Result]
DUE = ("due", "--policy", "code42-enterprise")


def test_last_line_is_the_due_instant_in_the_customers_zone(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2",
                     "--opened", "2026-11-25T22:00:00Z")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2026-11-30T11:00:00-06:00\n"


def test_europe_location_answers_in_western_european_time(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "silver", "--severity", "Medium", "--location", "Europe",
                     "--opened", "2026-11-25T16:00:00+00:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "2026-11-30T16:00:00+00:00"


def test_explain_prints_the_walk_before_the_instant(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2", "--explain",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("policy code42-enterprise, plan gold, severity 2, first response: "
                        "4 business hours on 'contact-hours'")
    assert "counted  Wed 25 Nov 2026  16:00-17:00  (1 h)" in lines
    assert "skipped  Thu 26 Nov 2026  Thanksgiving Day" in lines
    assert "skipped  Fri 27 Nov 2026  Day after Thanksgiving Day" in lines
    assert "skipped  Sat 28 Nov 2026  weekend" in lines
    assert "counted  Mon 30 Nov 2026  08:00-11:00  (3 h)" in lines
    assert lines[-1] == "2026-11-30T11:00:00-06:00"


def test_explain_shows_business_days_in_hours(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "silver", "--severity", "4", "--explain",
                     "--opened", "2026-11-23T08:00:00-06:00")
    assert result.exit_code == 0, result.output
    assert "3 business days on 'contact-hours' (27 business hours)" in result.stdout
    assert result.stdout.splitlines()[-1] == "2026-11-25T17:00:00-06:00"


def test_unknown_plan_names_the_valid_plans(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "platinum", "--severity", "1",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 2
    assert "no plan 'platinum'; valid plans: silver, gold" in result.stderr


def test_unknown_severity_names_the_valid_severities(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "5",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 2
    assert "valid severities: 1 (Critical), 2 (High), 3 (Medium), 4 (Low)" in result.stderr


def test_unknown_location_names_the_valid_locations(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2", "--location", "mars",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 2
    assert "no location 'mars'; valid locations: usa, europe, asia, other" in result.stderr


def test_opened_without_offset_is_refused(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2", "--opened", "2026-11-25T16:00")
    assert result.exit_code == 2
    assert "has no UTC offset" in result.stderr
    assert "2026-11-25T16:00:00-06:00" in result.stderr


def test_opened_that_is_not_a_date_is_refused(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2", "--opened", "next tuesday")
    assert result.exit_code == 2
    assert "is not an ISO 8601 date and time" in result.stderr


def test_unknown_policy_lists_available_ones(run_cli: RunCli) -> None:
    result = run_cli("due", "--policy", "code43", "--severity", "1",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 2
    assert "no policy of that name; available: " in result.stderr
    assert "code42-enterprise" in result.stderr


def test_next_update_without_a_target_says_which_metrics_exist(run_cli: RunCli) -> None:
    result = run_cli(*DUE, "--plan", "gold", "--severity", "2", "--metric", "next_update",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.exit_code == 2
    assert "sets no next_update target for severity 2; metrics it sets: first_response" in (
        result.stderr)


def test_console_script_version_and_help() -> None:
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "--version"],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith("sla-bridge, version ")
    for command in ("due", "policy", "plugins", "config"):
        helped = subprocess.run([sys.executable, "-m", "sla_bridge", command, "--help"],
                                capture_output=True, text=True, check=True)
        assert "Usage: sla-bridge " + command in helped.stdout


def test_a_country_answers_for_the_location_that_covers_it(run_cli: RunCli) -> None:
    # Germany (or DE) is in Europe: Western European hours, Mon 08:00-17:00 Lisbon time.
    for name in ("Germany", "de"):
        result = run_cli(*DUE, "--plan", "silver", "--severity", "3", "--location", name,
                         "--opened", "2026-11-25T16:00:00+00:00")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == "2026-11-30T16:00:00+00:00"
    # Japan is in Asia, read in Western European time too; Brazil is "Other": US Central.
    result = run_cli(*DUE, "--plan", "silver", "--severity", "3", "--location", "Brazil",
                     "--opened", "2026-11-25T16:00:00-06:00")
    assert result.stdout.splitlines()[-1] == "2026-11-30T16:00:00-06:00"
