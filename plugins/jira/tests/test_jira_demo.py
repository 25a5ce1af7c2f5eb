"""``sla-bridge demo --platform jira``: the Thanksgiving week on the JSM sandbox plays and
exits 0, telling what the bridge decided and wrote."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sla_bridge_jira.demo import ThanksgivingWeek


@pytest.mark.slow
def test_demo_plays_the_scripted_week_on_jsm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "demo", "--platform", "jira"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Jira Service Management is the local sandbox." in out
    # The Gold Severity 2 (priority High) raised the Wednesday before Thanksgiving.
    assert ("#SUP-2 Acme S2  SLA        first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 "
            "Nov, Thu 26 Nov skipped (Thanksgiving Day), Fri 27 Nov skipped (Day after "
            "Thanksgiving Day), Sat 28 Nov-Sun 29 Nov skipped (weekend), 3 h on Mon 30 Nov") in out
    # The Silver "Highest" raised on the holiday is Severity 1: it waits for Monday, unanswered.
    assert "#SUP-3 Globex   wrote      fields vendor_severity = 1" in out
    assert "#SUP-3 Globex   SLA        first response due Mon 30 Nov 17:00 CST" in out
    assert ("#SUP-3 Globex   BREACH     first response target 1 business day breached at Mon "
            "30 Nov 17:00 CST") in out
    assert "#SUP-3 Globex   wrote      public reply: Thank you for contacting support." in out
    # The how-to raised as Highest is re-categorised, and its clock re-targeted.
    assert "#SUP-4 How-to   severity   severity 4 applied (the customer chose severity 1)" in out
    assert "#SUP-4 How-to   wrote      public reply: We have reviewed this ticket and" in out
    assert "#SUP-4 How-to   SLA        first response due Wed 02 Dec 17:00 CST" in out
    # Auto-close with the survey; the e-mailed reply to the closed request is a new request.
    assert "#SUP-1 Initech  wrote      status closed" in out
    assert "#SUP-1 Initech  wrote      tags +sla_survey_requested" in out
    assert ("#SUP-1 Initech  wrote      follow-up ticket: Follow-up to ticket SUP-1: Backups "
            "stopped on the office Mac") in out
    assert "#SUP-5 followup follow-up  Follow-up of ticket SUP-1" in out
    # The escalation: the JSM approval requested, approved with the severity, communicated.
    assert "#SUP-2 Acme S2  wrote      approval requested from Customer Champion managers" in out
    assert "#SUP-2 Acme S2  wrote      assigned to Senior Customer Champions" in out
    assert "#SUP-2 Acme S2  wrote      fields vendor_severity = 1" in out
    assert ("#SUP-2 Acme S2  wrote      public reply: A support manager has approved your "
            "escalation request") in out
    assert "Nothing left the machine." in out


def test_what_the_demo_says_it_wrote_is_on_the_jsm_site(tmp_path: Path) -> None:
    script, out = ThanksgivingWeek(), io.StringIO()
    world = script.build(tmp_path, out)
    try:
        world.start()
        script.play(world, out)
        site = world.sandbox
        escalated = site.issue("SUP-2")["fields"]
        assert escalated["priority"]["name"] == "Highest"  # the approved severity 1
        assert escalated[site.field_id("Support team")]["name"] == "Senior Customer Champions"
        assert [a["finalDecision"] for a in site.approvals("SUP-2")] == ["approved"]
        assert site.status("SUP-1") == "Closed"
        assert "sla_survey_requested" in site.issue("SUP-1")["fields"]["labels"]
        [link] = site.issue("SUP-5")["fields"]["issuelinks"]
        assert (link["type"]["name"], link["outwardIssue"]["key"]) == ("Relates", "SUP-1")
        assert site.issue("SUP-4")["fields"]["priority"]["name"] == "Low"  # the how-to
    finally:
        world.close()
