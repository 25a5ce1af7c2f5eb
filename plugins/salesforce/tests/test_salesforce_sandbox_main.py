"""``python -m sla_bridge_salesforce.sandbox`` runs standalone: it prints the export lines
the plugin needs (URL, org id, token, CA file), serves the demo data over HTTPS to
simple-salesforce, takes a customer's reply through its control routes, and stops on
SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests
from simple_salesforce.api import Salesforce


def test_standalone_run_with_demo_data() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sla_bridge_salesforce.sandbox", "--port", "0",
         "--demo-data"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner.startswith("Salesforce sandbox on https://127.0.0.1:")
        env: dict[str, str] = {}
        for line in iter(process.stdout.readline, ""):
            if not line.startswith("  export "):
                break
            name, _, value = line.removeprefix("  export ").strip().partition("=")
            env[name] = value
        assert set(env) == {"SLA_BRIDGE_SALESFORCE__INSTANCE_URL",
                            "SLA_BRIDGE_SALESFORCE__ORGANIZATION_ID",
                            "SLA_BRIDGE_SALESFORCE__ACCESS_TOKEN",
                            "SLA_BRIDGE_SALESFORCE__CA_BUNDLE",
                            "SLA_BRIDGE_SALESFORCE__API_VERSION"}
        session = requests.Session()
        session.verify = env["SLA_BRIDGE_SALESFORCE__CA_BUNDLE"]
        session.trust_env = False
        sf = Salesforce(instance_url=env["SLA_BRIDGE_SALESFORCE__INSTANCE_URL"],
                        session_id=env["SLA_BRIDGE_SALESFORCE__ACCESS_TOKEN"],
                        session=session, version=env["SLA_BRIDGE_SALESFORCE__API_VERSION"])
        plans = sf.query("SELECT Name, SLA_Support_Plan__c FROM Account ORDER BY Name")
        assert [(r["Name"], r["SLA_Support_Plan__c"]) for r in plans["records"]] == [
            ("Gold Corp", "gold"), ("Silver Ltd", "silver")]
        queues = sf.query("SELECT DeveloperName FROM Group WHERE Type = 'Queue'")
        assert [r["DeveloperName"] for r in queues["records"]] == ["Tier2"]
        assert sf.restful("process/approvals/")["approvals"]["Case"][0]["name"] == \
            "Case_Escalation"
        # Driven from this process through the sandbox's control routes.
        grace = sf.query("SELECT Id FROM Contact WHERE Email = 'grace@gold.test'")
        case_id = sf.Case.create({"Subject": "from outside",
                                  "ContactId": grace["records"][0]["Id"]})["id"]
        base = env["SLA_BRIDGE_SALESFORCE__INSTANCE_URL"]
        replied = session.post(f"{base}/_sandbox/cases/{case_id}/reply",
                               json={"text": "any news?"}, timeout=5)
        assert replied.status_code == 201
        emails = sf.query(f"SELECT Incoming, TextBody FROM EmailMessage WHERE ParentId = "
                          f"'{case_id}'")
        assert [(r["Incoming"], r["TextBody"]) for r in emails["records"]] == [
            (True, "any news?")]
        listed = session.get(f"{base}/_sandbox/outbound-messages", timeout=5).json()
        assert listed == {"messages": []}  # no Outbound Message configured without --outbound-url
        session.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
