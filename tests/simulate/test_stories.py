"""Every example story under config/stories/ plays through the real command and settles, and
shows what it is about: the writes and due instants its policy prescribes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from simulate_helpers import STORIES, Simulate, at, clock, writes

from sla_bridge.default_plugins.policies import bundled_policy_dir
from sla_bridge.policy import BUILTIN_HOLIDAY_KINDS, Policy, PolicyLibrary

LIBRARY = PolicyLibrary([bundled_policy_dir()], BUILTIN_HOLIDAY_KINDS)


def policy(name: str) -> Policy:
    return LIBRARY.load(name)


def due(policy_name: str, plan: str, severity: str, start: str, location: str | None = None,
        metric: str = "first_response") -> str:
    """What ``sla-bridge due`` says: the policy's target added to ``start``."""
    target = policy(policy_name).target(plan, severity, metric, location)  # type: ignore[arg-type]
    return target.calendar.add(datetime.fromisoformat(start), target.duration).isoformat()


def test_there_is_one_story_per_bundled_policy() -> None:
    assert sorted(p.stem for p in STORIES.glob("*.json")) == sorted(LIBRARY.available())


@pytest.mark.parametrize("story", sorted(p.name for p in STORIES.glob("*.json")))
def test_every_story_settles_under_its_own_policy(simulate: Simulate, story: str) -> None:
    result = simulate(STORIES / story)
    assert result["settled"] is True
    assert result["repeating"] == []
    assert result["policy"] == story.removesuffix(".json")
    assert result["about"]


def test_code42_gold_sev2_before_thanksgiving_is_warned_met_escalated_and_approved(
        simulate: Simulate) -> None:
    result = simulate(STORIES / "code42-enterprise.json")
    # Wed 16:00 + 4 business hours: 1 h Wednesday, Thanksgiving, the day after and the weekend
    # skipped, 3 h on Monday.
    expected = due("code42-enterprise", "gold", "2", "2026-11-25T16:00:00-06:00", "usa")
    assert expected == "2026-11-30T11:00:00-06:00"
    assert ("fields", {"sla_first_response_due": expected}) in at(result,
                                                                   "2026-11-25T16:00:00-06:00")
    # The warning at 75 % (3 of the 4 hours): Monday 10:00, an internal note and a tag.
    warning_at = "2026-11-30T10:00:00-06:00"
    warning = at(result, warning_at)
    assert [kind for kind, _ in warning] == ["comment", "tags"]
    assert warning[0][1].startswith("SLA warning: the first response (4 business hours")
    assert warning[1][1] == ["sla_warning"]
    assert [w["public"] for w in writes(result, "comment") if w["at"] == warning_at] == [False]
    first = clock(result, "first_response")
    assert (first["met_at"], first["breached"]) == ("2026-11-30T10:30:00-06:00", False)
    # The customer asks to escalate with a reason and a severity: straight to the managers.
    [approval] = writes(result, "approval")
    assert (approval["at"], approval["group"]) == (
        "2026-11-30T11:00:00-06:00", policy("code42-enterprise").escalation.manager_group)
    assert "Expected severity: 1 (now 2)" in approval["body"]
    approved = at(result, "2026-11-30T11:30:00-06:00")
    assert ("fields", {"vendor_severity": "1"}) in approved
    assert [w["group"] for w in writes(result, "assign")] == ["Senior Customer Champions"]
    [told] = [w for w in writes(result, "comment") if w["at"] == "2026-11-30T11:30:00-06:00"]
    assert told["public"]
    assert told["body"].startswith("A support manager has approved your escalation request")
    assert result["final"]["vendor_severity"] == "1"


def test_small_business_auto_solves_closes_with_survey_and_follows_up(
        simulate: Simulate) -> None:
    result = simulate(STORIES / "crashplan-small-business.json")
    small = policy("crashplan-small-business")
    pending_at = datetime.fromisoformat("2026-12-01T11:00:00-06:00")
    solved_at = small.after(pending_at, small.auto_close.pending_to_solved_after, None)
    assert solved_at.isoformat() == "2026-12-05T11:00:00-06:00"  # 4 calendar days
    solving = at(result, solved_at.isoformat())
    assert solving[-1] == ("status", "solved")
    assert solving[0][1].startswith("We have not heard back from you for 4 days")
    closed_at = small.after(solved_at, small.auto_close.solved_to_closed_after, None)
    assert closed_at.isoformat() == "2026-12-07T11:00:00-06:00"  # 2 calendar days
    assert at(result, closed_at.isoformat()) == [("tags", ["sla_survey_requested"]),
                                                 ("status", "closed")]
    assert result["final"]["status"] == "closed"

    # The reply to the closed ticket: a follow-up carrying the plan, with its own clocks.
    [created] = writes(result, "follow_up")
    assert (created["at"], created["follow_up"]) == ("2026-12-08T09:00:00-06:00", "101")
    assert created["fields"]["plan"] == "small-business"
    [follow_up] = result["follow_ups"]
    assert (follow_up["ticket"], follow_up["follow_up_of"]) == ("101", "100")
    assert follow_up["settled"] is True
    notes = [w["body"] for w in writes(follow_up, "comment") if not w["public"]]
    assert "Follow-up of ticket 100: a reply to a closed ticket. Its SLA clocks start now." in notes
    first = clock(follow_up, "first_response")
    assert first["due"] == due("crashplan-small-business", "small-business", "Normal",
                               "2026-12-08T09:00:00-06:00") == "2026-12-09T09:00:00-06:00"
    # The agent's reply addressed to "follow_up:1" meets it.
    assert first["met_at"] == "2026-12-08T10:00:00-06:00"
    assert follow_up["final"]["assignee"] == "avery"


def test_standard_2013_reopen_goes_back_to_the_agent_who_set_it_pending(
        simulate: Simulate) -> None:
    result = simulate(STORIES / "crashplan-standard-2013.json")
    # Saturday 10:00 + 1 business day of 12 US hours: Sat 10-17 (7 h), Sun 09-14 (5 h).
    assert clock(result, "first_response")["due"] == due(
        "crashplan-standard-2013", "standard", "2", "2026-12-05T10:00:00-06:00", "us"
    ) == "2026-12-06T14:00:00-06:00"
    reply = at(result, "2026-12-08T10:00:00-06:00")
    assert reply[:2] == [("status", "open"), ("assign", "casey")]
    assert result["final"]["assignee"] == "casey"  # not drew, who took over the shift


def test_proe_premium_sev1_at_3_am_sunday_runs_round_the_clock(simulate: Simulate) -> None:
    result = simulate(STORIES / "crashplan-proe-premium.json")
    first = clock(result, "first_response")
    assert first["due"] == due("crashplan-proe-premium", "premium", "1",
                               "2026-12-06T03:00:00-06:00", "us") == "2026-12-06T04:00:00-06:00"
    assert [kind for kind, _ in at(result, "2026-12-06T03:45:00-06:00")] == ["comment", "tags"]
    breach = at(result, "2026-12-06T04:00:00-06:00")
    assert breach[0][1].startswith("SLA breach: the first response (1 calendar hour")
    assert breach[1] == ("tags", ["sla_breached"])
    assert (first["met_at"], first["breached"]) == ("2026-12-06T05:00:00-06:00", True)
    # The update cadence of 1 business day runs on the round-the-clock hours: 24 h.
    assert clock(result, "next_update")["due"] == "2026-12-07T05:00:00-06:00"


def test_ownbackup_premier_updates_every_two_calendar_hours_paused_while_pending(
        simulate: Simulate) -> None:
    result = simulate(STORIES / "ownbackup.json")
    fields = [w["fields"] for w in writes(result, "fields")]
    assert fields == [{"sla_first_response_due": "2026-11-25T17:00:00-05:00"},  # 1 hour
                      {"sla_next_update_due": "2026-11-25T18:30:00-05:00"},  # 16:30 + 2 h
                      # pending 18:10-21:00 does not count: 2 h from the reply at 21:00
                      {"sla_next_update_due": "2026-11-25T23:00:00-05:00"}]
    assert fields[1]["sla_next_update_due"] == due(
        "ownbackup", "premier", "High", "2026-11-25T16:30:00-05:00", metric="next_update")
    assert ("status", "open") in at(result, "2026-11-25T21:00:00-05:00")  # re-opened
    warnings = [w["at"] for w in writes(result, "comment") if "SLA warning" in w["body"]]
    assert warnings == ["2026-11-25T18:00:00-05:00", "2026-11-25T22:30:00-05:00"]
    updates = clock(result, "next_update")
    assert (updates["due"], updates["breached"]) == ("2026-11-25T23:00:00-05:00", True)
    assert clock(result, "first_response")["met_at"] == "2026-11-25T16:30:00-05:00"


def test_the_default_output_is_a_timeline_in_the_customers_zone(run_cli: Any) -> None:
    result = run_cli("simulate", str(STORIES / "code42-enterprise.json"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Mon 30 Nov 2026 10:00 CST   the bridge's timers: first_response:warning" in lines
    assert "  #100  fields     sla_first_response_due = 2026-11-30T11:00:00-06:00" in lines
    assert lines[-1].startswith("Settled:")
