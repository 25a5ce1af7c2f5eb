"""``sla-bridge demo --platform salesforce``: the Thanksgiving week on the Salesforce sandbox
org plays and exits 0, telling what the bridge decided and wrote; what it says it wrote is on
the org's cases."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sla_bridge_salesforce.demo import ThanksgivingWeek


@pytest.mark.slow
def test_demo_plays_the_scripted_week_on_salesforce(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLA_BRIDGE_")}
    done = subprocess.run([sys.executable, "-m", "sla_bridge", "demo", "--platform",
                           "salesforce"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Salesforce Service Cloud is the local sandbox org." in out
    # The Gold Severity 2 opened the Wednesday before Thanksgiving.
    assert ("#1002 Acme S2   SLA        first response due Mon 30 Nov 11:00 CST: 1 h on Wed 25 "
            "Nov, Thu 26 Nov skipped (Thanksgiving Day), Fri 27 Nov skipped (Day after "
            "Thanksgiving Day), Sat 28 Nov-Sun 29 Nov skipped (weekend), 3 h on Mon 30 Nov") in out
    # The Silver Severity 1 opened on the holiday waits for Monday, and nobody answers it.
    assert "#1003 Globex S1 wrote      fields vendor_severity = 1" in out
    assert "#1003 Globex S1 SLA        first response due Mon 30 Nov 17:00 CST" in out
    assert ("#1003 Globex S1 BREACH     first response target 1 business day breached at Mon "
            "30 Nov 17:00 CST") in out
    assert "#1003 Globex S1 wrote      public reply: Thank you for contacting support." in out
    # The how-to filed as Severity 1 is re-categorised, and its clock re-targeted.
    assert "#1004 How-to    severity   severity 4 applied (the customer chose severity 1)" in out
    assert "#1004 How-to    wrote      public reply: We have reviewed this ticket and" in out
    assert "#1004 How-to    SLA        first response due Wed 02 Dec 17:00 CST" in out
    # Auto-close with the survey; the e-mail to the closed case is a new case, its child.
    assert "#1001 Initech   wrote      status closed" in out
    assert "#1001 Initech   wrote      tags +sla_survey_requested" in out
    assert "#1001 Initech   wrote      follow-up ticket: Follow-up to ticket" in out
    assert "#1005 follow-up follow-up  Follow-up of ticket" in out
    # The escalation: requested, approved with the severity in the decision field, told.
    assert "#1002 Acme S2   wrote      approval requested from Customer Champion managers" in out
    assert "#1002 Acme S2   wrote      assigned to Senior Customer Champions" in out
    assert "#1002 Acme S2   wrote      fields vendor_severity = 1" in out
    assert ("#1002 Acme S2   wrote      public reply: A support manager has approved your "
            "escalation request") in out
    assert "Nothing left the machine." in out


def test_what_the_demo_says_it_wrote_is_on_the_org(tmp_path: Path) -> None:
    script, out = ThanksgivingWeek(), io.StringIO()
    world = script.build(tmp_path, out)
    try:
        world.start()
        script.play(world, out)
        org = world.sandbox
        by_number = {case["CaseNumber"]: case for case in org.store.find("Case")}
        initech, escalated, howto, follow_up = (
            org.case(by_number[number]["Id"])
            for number in ("00001001", "00001002", "00001004", "00001005"))
        [senior] = org.store.find("Group", Name="Senior Customer Champions")
        assert escalated["OwnerId"] == senior["Id"]
        assert escalated["SLA_Vendor_Severity__c"] == "1"  # the approved severity 1
        assert escalated["SLA_Approval_Requested__c"] is not True
        [notice] = [c for c in escalated["comments"] if c["CreatedById"] == org.bridge_user_id
                    and c["IsPublished"] and "approved your escalation" in c["CommentBody"]]
        assert notice
        assert (initech["Status"], initech["IsClosed"]) == ("Closed", True)
        assert "sla_survey_requested" in initech["SLA_Tags__c"].split()
        assert follow_up["ParentId"] == initech["Id"]
        assert follow_up["ContactId"] == initech["ContactId"]
        assert follow_up["Description"] == "It stalls again since yesterday."
        assert howto["SLA_Vendor_Severity__c"] == "4"  # the how-to
    finally:
        world.close()
