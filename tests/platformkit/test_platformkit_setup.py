"""Setup: objects found by name, compared, created or updated, a dry run that changes nothing,
the report an admin reads, the webhook secret, and the commands' settings and failures."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from platformkit_fakes import SECRET, TOKEN, AcmeSettings, settings
from pydantic import SecretStr

from sla_bridge.clock import SystemClock
from sla_bridge.platformkit import (
    Finding,
    Plan,
    VendorErrors,
    differing,
    exit_on_vendor_error,
    find_named,
    report_webhook_secret,
    run_setup,
    settings_for_command,
    setup_options,
    write_env_variable,
)
from sla_bridge.platforms import VendorError


class Account:
    """A vendor account holding named objects; records every write."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.writes: list[str] = []

    def plan(self, wanted: list[dict[str, Any]]) -> Plan:
        plan = Plan()
        for want in wanted:
            def create(want: dict[str, Any] = want) -> None:
                self.writes.append(f"create {want['name']}")
                self.objects[want["name"]] = dict(want)

            def update(have: Any, differs: Any, want: dict[str, Any] = want) -> None:
                self.writes.append(f"update {have['name']} {list(differs)}")
                self.objects[have["name"]].update(want)

            plan.ensure("rule", want["name"], find_named(list(self.objects.values()),
                                                         want["name"]),
                        differences=lambda have, want=want: differing(have, want),
                        create=create, update=update, detail="notifies the bridge",
                        body='{\n  "ticket": "{{id}}"\n}')
        return plan


WANTED = [{"name": "ticket created", "active": True}, {"name": "ticket updated", "active": True}]


def test_a_first_run_creates_a_second_changes_nothing() -> None:
    account = Account()
    first = account.plan(WANTED)
    assert [s.action for s in first.steps] == ["create", "create"]
    assert first.apply() == 2
    assert account.writes == ["create ticket created", "create ticket updated"]
    assert first.outcome() == "2 change(s) made."
    account.writes.clear()
    second = account.plan(WANTED)
    assert second.apply() == 0
    assert account.writes == []
    assert second.outcome() == "Nothing to change."
    assert all(line.startswith("  unchanged  rule") for line in second.report())


def test_what_an_admin_changed_is_updated_and_named() -> None:
    account = Account()
    account.plan(WANTED).apply()
    account.objects["ticket updated"]["active"] = False
    plan = account.plan(WANTED)
    [update] = plan.changes
    assert update.line() == ("  update     rule 'ticket updated': active differs; notifies the "
                             "bridge")
    plan.apply()
    assert account.writes[-1] == "update ticket updated ['active']"
    assert account.objects["ticket updated"]["active"] is True


def test_a_dry_run_shows_the_plan_and_bodies_and_changes_nothing() -> None:
    account = Account()
    plan = account.plan(WANTED)
    report = plan.report(dry_run=True)
    assert account.writes == []
    assert account.objects == {}
    assert report[:4] == ["  create     rule 'ticket created': notifies the bridge",
                          "             JSON body:", "               {",
                          '                 "ticket": "{{id}}"']
    assert "JSON body:" not in "\n".join(plan.report())
    assert plan.outcome(dry_run=True) == ("2 change(s) would be made; nothing was changed "
                                          "(dry run).")
    assert account.writes == []


def test_notes_and_other_steps_are_reported_without_writing() -> None:
    plan = Plan()
    plan.add("group", "Support managers", "note", "not found; the macros are not restricted")
    assert plan.changes == []
    assert plan.report() == ["  note       group 'Support managers': not found; the macros are "
                             "not restricted"]


def test_a_finding_is_a_check_line_and_a_setup_step() -> None:
    fine = Finding(True, "field", "SLA first response due", "customfield_10050")
    missing = Finding(False, "group", "Support managers", "missing: create it")
    assert [fine.line(), missing.line()] == [
        "  ok         field 'SLA first response due': customfield_10050",
        "  PROBLEM    group 'Support managers': missing: create it"]
    plan = Plan()
    fine.add_to(plan)
    missing.add_to(plan)
    assert plan.changes == []
    assert plan.report() == ["  unchanged  field 'SLA first response due': customfield_10050",
                             "  note       group 'Support managers': missing: create it"]


def test_objects_are_found_by_name_and_compared_by_key() -> None:
    items = [{"title": " SLA due "}, {"title": "Other"}]
    assert find_named(items, "SLA due", key="title") == items[0]
    assert find_named(items, "sla DUE", key="title") is None
    assert find_named(items, "sla DUE", key="title", ignore_case=True) == items[0]
    assert differing({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 3}) == ["b"]
    assert differing({"a": 1}, {"a": 2, "b": 3}, keys=["b"]) == ["b"]


def test_an_env_file_gets_the_variable_with_mode_600_and_keeps_other_lines(
        tmp_path: Path) -> None:
    env = tmp_path / "bridge.env"
    env.write_text("OTHER=1\nSLA_BRIDGE_ACME__WEBHOOK_SECRET=old\n")
    assert write_env_variable(env, "SLA_BRIDGE_ACME__WEBHOOK_SECRET", "new")
    assert env.read_text() == "OTHER=1\nSLA_BRIDGE_ACME__WEBHOOK_SECRET=new\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    assert not write_env_variable(env, "SLA_BRIDGE_ACME__WEBHOOK_SECRET", "new")


def secret_lines(found: str | None, configured: str = "", **options: Any) -> list[str]:
    return report_webhook_secret("SLA_BRIDGE_ACME__WEBHOOK_SECRET", SecretStr(configured),
                                 found, platform_label="Acme", **options)


def test_the_webhook_secret_is_printed_only_when_asked(tmp_path: Path) -> None:
    assert secret_lines(None) == []
    assert secret_lines(SECRET, SECRET) == [
        "  unchanged  signing secret: SLA_BRIDGE_ACME__WEBHOOK_SECRET matches the webhook's"]
    [note] = secret_lines(SECRET)
    assert SECRET not in note
    assert "--env-file" in note
    assert "refuses Acme's webhooks" in note
    assert secret_lines(SECRET, show_secret=True) == [
        f"export SLA_BRIDGE_ACME__WEBHOOK_SECRET={SECRET}"]
    env = tmp_path / ".env"
    [wrote, restart] = secret_lines(SECRET, env_file=env)
    assert wrote.startswith("  wrote      signing secret")
    assert SECRET not in wrote + restart
    # A running serve read its settings when it started: it keeps refusing until restarted.
    assert restart == ("  note       restart `sla-bridge serve` if it is running: it reads "
                       "SLA_BRIDGE_ACME__WEBHOOK_SECRET only when it starts, and refuses "
                       "Acme's webhooks (401) until then")
    assert env.read_text() == f"SLA_BRIDGE_ACME__WEBHOOK_SECRET={SECRET}\n"


@click.command()
def acme_check() -> None:
    settings_for_command(AcmeSettings)
    with exit_on_vendor_error("sla-bridge acme check"):
        raise VendorError("fetch ticket 1: Acme answered 500: down", platform="acme",
                          retryable=True)


def test_a_command_names_the_missing_settings_and_exits_2(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ACME__API_TOKEN", TOKEN)
    result = CliRunner().invoke(acme_check)
    assert result.exit_code == 2
    assert "set SLA_BRIDGE_ACME__SITE (or SLA_BRIDGE_ACME__BASE_URL), SLA_BRIDGE_ACME__EMAIL" in (
        result.output)
    assert TOKEN not in result.output


def test_a_command_names_an_invalid_setting_and_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLA_BRIDGE_ACME__TIMEOUT_SECONDS", "soon")
    result = CliRunner().invoke(acme_check)
    assert result.exit_code == 2
    assert "invalid Acme settings" in result.output
    assert "SLA_BRIDGE_ACME__TIMEOUT_SECONDS" in result.output


def test_a_vendor_failure_ends_the_command_with_status_1(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"SITE": "acme", "EMAIL": "b@acme.test", "API_TOKEN": TOKEN}.items():
        monkeypatch.setenv(f"SLA_BRIDGE_ACME__{name}", value)
    result = CliRunner().invoke(acme_check)
    assert result.exit_code == 1
    assert "sla-bridge acme check failed: fetch ticket 1: Acme answered 500: down" in (
        result.output)


class Remote:
    """A platform whose setup makes one webhook and holds its signing secret."""

    def __init__(self, fail: bool = False) -> None:
        self.account, self.fail, self.secret = Account(), fail, SECRET

    def plan(self) -> Plan:
        if self.fail:
            raise VendorError("list webhooks: Acme answered 500: down", platform="acme",
                              retryable=True)
        return self.account.plan(WANTED[:1])


def setup_command(remote: Remote) -> click.Command:
    @click.command()
    @setup_options(AcmeSettings)
    def setup(bridge_url: str, dry_run: bool, env_file: Path | None, show_secret: bool) -> None:
        run_setup(remote.plan, settings=settings(webhook_secret=""), dry_run=dry_run,
                  errors=VendorErrors("acme", "Acme", SystemClock()), env_file=env_file,
                  show_secret=show_secret, signing_secret=lambda: remote.secret)

    return setup


def test_setup_applies_the_plan_then_reports_the_secret(tmp_path: Path) -> None:
    remote = Remote()
    result = CliRunner().invoke(setup_command(remote), ["--bridge-url", "https://b.test",
                                                        "--env-file", str(tmp_path / ".env")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "  create     rule 'ticket created': notifies the bridge", "1 change(s) made.",
        f"  wrote      signing secret: SLA_BRIDGE_ACME__WEBHOOK_SECRET in {tmp_path / '.env'}",
        "  note       restart `sla-bridge serve` if it is running: it reads "
        "SLA_BRIDGE_ACME__WEBHOOK_SECRET only when it starts, and refuses Acme's webhooks "
        "(401) until then"]
    assert remote.account.writes == ["create ticket created"]
    assert SECRET not in result.output


def test_a_setup_dry_run_writes_nothing_and_reads_no_secret() -> None:
    remote = Remote()
    result = CliRunner().invoke(setup_command(remote), ["--bridge-url", "https://b.test",
                                                        "--dry-run", "--show-secret"])
    assert result.exit_code == 0, result.output
    assert remote.account.writes == []
    assert "JSON body:" in result.output
    assert "nothing was changed (dry run)" in result.output
    assert SECRET not in result.output


def test_setup_refuses_a_bridge_url_that_is_not_http() -> None:
    result = CliRunner().invoke(setup_command(Remote()), ["--bridge-url", "bridge.test"])
    assert result.exit_code == 2
    assert "must be an http(s) URL" in result.output
    assert "--bridge-url" in result.output


def test_setup_says_what_failed_and_exits_1() -> None:
    result = CliRunner().invoke(setup_command(Remote(fail=True)),
                                ["--bridge-url", "https://b.test"])
    assert result.exit_code == 1
    assert "sla-bridge acme setup failed: list webhooks: Acme answered 500: down" in (
        result.output)
