"""``sla-bridge classify``: the result as JSON, the customer's severity, and clear errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from click.testing import Result

RunCli = Callable[..., Result]


def test_prints_severity_label_confidence_and_reasons(run_cli: RunCli) -> None:
    result = run_cli("classify", "--policy", "crashplan-proe-premium",
                     "--subject", "Appliance array degraded",
                     "--text", "Monitoring says the RAID on our appliance is degraded; disk 4 "
                               "dropped out. Backups still run.")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["policy"] == "crashplan-proe-premium"
    assert (out["severity"], out["label"]) == ("2", "High")
    assert 0 < out["confidence"] <= 1
    assert out["reasons"][0] == "RAID array degraded: managed-appliance example of Severity 2"
    assert out["classifier"] == "builtin"
    assert "customer" not in out


def test_customer_severity_shows_agreement_and_the_policys_setting(run_cli: RunCli) -> None:
    result = run_cli("classify", "--policy", "ownbackup", "--customer-severity", "p3",
                     "--text", "A bulk update overwrote the Phone field on 40,000 production "
                               "contacts and there is no workaround.")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["severity"] == "High"
    assert out["confidence"] >= 0.7
    assert out["customer"] == {
        "severity": "Low", "label": "Low", "agrees": False, "recategorise": "apply",
        "min_confidence_to_apply": 0.7, "action": "apply",
        "explanation": out["customer"]["explanation"],
    }
    assert out["customer"]["explanation"].startswith("the policy re-categorises: High replaces")


def test_customer_severity_that_agrees(run_cli: RunCli) -> None:
    result = run_cli("classify", "--policy", "code42-enterprise", "--customer-severity", "low",
                     "--text", "How do I move devices between orgs?")
    out = json.loads(result.stdout)
    assert out["customer"]["agrees"] is True
    assert out["customer"]["action"] == "keep"


def test_version_options(run_cli: RunCli) -> None:
    args = ("classify", "--policy", "code42-enterprise", "--text",
            "Restores fail for all of our users!", "--version", "6.5.2")
    calendar = ("--release", "6.5=2017-09-12", "--release", "6.7=2018-04-10")
    unsupported = json.loads(run_cli(*args, *calendar).stdout)
    assert unsupported["severity"] == "4"
    assert unsupported["reasons"][0].endswith("Severity 4 per the version policy")
    # Judged on the command's clock: within 18 months of 6.7's release, 6.5 is supported.
    early = run_cli(*args, *calendar, now=datetime(2019, 1, 1, tzinfo=UTC))
    assert json.loads(early.stdout)["severity"] == "1"
    skipped = json.loads(run_cli(*args).stdout)
    assert skipped["severity"] == "1"
    assert any("was not checked" in r for r in skipped["reasons"])
    majors = run_cli("classify", "--policy", "crashplan-standard-2013", "--text",
                     "Our server is down.", "--version", "4.2", "--latest-version", "6.1")
    assert any("newest majors: 6, 5" in r for r in json.loads(majors.stdout)["reasons"])


def test_unknown_policy_exits_2_naming_the_known_ones(run_cli: RunCli) -> None:
    result = run_cli("classify", "--policy", "nope", "--text", "x")
    assert result.exit_code == 2
    assert "--policy" in result.output
    assert "code42-enterprise" in result.output


def test_unknown_customer_severity_exits_2_naming_the_valid_ones(run_cli: RunCli) -> None:
    result = run_cli("classify", "--policy", "ownbackup", "--text", "x",
                     "--customer-severity", "sev9")
    assert result.exit_code == 2
    assert "--customer-severity" in result.output
    assert "valid severities: High (High), Medium (Medium), Low (Low)" in result.output


def test_bad_version_options_exit_2(run_cli: RunCli) -> None:
    bad_release = run_cli("classify", "--policy", "code42-enterprise", "--text", "x",
                          "--release", "6.5:2017")
    assert bad_release.exit_code == 2
    assert "VERSION=YYYY-MM-DD" in bad_release.output
    bad_latest = run_cli("classify", "--policy", "code42-enterprise", "--text", "x",
                         "--latest-version", "newest")
    assert bad_latest.exit_code == 2
    assert "--latest-version" in bad_latest.output


def test_classify_is_listed_in_help(run_cli: RunCli) -> None:
    assert "classify" in run_cli("--help").stdout


def test_empty_text_is_refused(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("classify", "--policy", "code42-enterprise", "--text", "  ")
    assert result.exit_code == 2
    assert "the ticket text is empty" in result.stderr
