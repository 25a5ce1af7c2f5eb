"""``sla-bridge demo``: the README's main job plays its week and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_plays_the_scripted_week(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "demo", "--platform", "zendesk"],
                          env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    # The Gold Severity 2 opened the Wednesday before Thanksgiving.
    assert ("first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 Nov, Thu 26 Nov skipped "
            "(Thanksgiving Day), Fri 27 Nov skipped (Day after Thanksgiving Day), Sat 28 "
            "Nov-Sun 29 Nov skipped (weekend), 3 h on Mon 30 Nov") in out
    # The Silver Severity 1 opened on the holiday waits for Monday, and nobody answers it.
    assert "#3 Globex S1    SLA        first response due Mon 30 Nov 17:00 CST" in out
    assert ("#3 Globex S1    BREACH     first response target 1 business day breached at Mon "
            "30 Nov 17:00 CST") in out
    # The missing-information request, the re-categorisation and its re-targeted clock.
    assert "#3 Globex S1    wrote      public reply: Thank you for contacting support." in out
    assert ("#4 Acme how-to  severity   severity 4 applied (the customer chose severity 1)"
            in out)
    assert "#4 Acme how-to  wrote      public reply: We have reviewed this ticket and" in out
    assert "#4 Acme how-to  SLA        first response due Wed 02 Dec 17:00 CST" in out
    # Auto-close with the survey, and the reply to the closed ticket as a follow-up.
    assert "#1 Initech      wrote      status closed" in out
    assert "#1 Initech      wrote      tags +sla_survey_requested" in out
    assert "#5 follow-up    follow-up  Follow-up of ticket 1" in out
    # The escalation: requested, approved with the severity, communicated.
    assert "#2 Acme S2      wrote      approval requested from Customer Champion managers" in out
    assert "#2 Acme S2      wrote      fields vendor_severity = 1" in out
    assert ("#2 Acme S2      wrote      public reply: A support manager has approved your "
            "escalation request") in out
    assert "Nothing left the machine." in out
