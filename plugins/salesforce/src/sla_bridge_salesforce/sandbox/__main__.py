"""``python -m sla_bridge_salesforce.sandbox``: run the Salesforce sandbox until interrupted."""

from __future__ import annotations

import argparse

from sla_bridge.sandbox import run_standalone

from . import BRIDGE_PASSWORD, BRIDGE_SECURITY_TOKEN, BRIDGE_USERNAME, Sandbox

#: The bridge's access token in a standalone run (sandbox-only, made up), so that the
#: ``export`` lines stay valid from one run to the next.
STANDALONE_TOKEN = "00Dsandbox.standalone-access-token"


def seed_demo_data(sandbox: Sandbox) -> list[str]:
    """An account per plan with a contact each, an agent who approves escalations, a
    Tier 2 queue and an escalation approval process; returns the lines saying who is who."""
    gold = sandbox.add_account("Gold Corp", SLA_Support_Plan__c="gold",
                               SLA_Support_Location__c="usa")
    silver = sandbox.add_account("Silver Ltd", SLA_Support_Plan__c="silver",
                                 SLA_Support_Location__c="europe")
    grace = sandbox.add_contact("Grace Gold", "grace@gold.test", gold["Id"])
    sam = sandbox.add_contact("Sam Silver", "sam@silver.test", silver["Id"])
    avery = sandbox.add_agent("Avery Agent", "avery@vendor.test")
    tier2 = sandbox.add_queue("Tier 2", "Tier2")
    sandbox.add_approval_process("Case_Escalation", [avery["Id"]],
                                 on_approve={"OwnerId": tier2["Id"]})
    return [
        "Demo data:",
        f"  Gold Corp   {gold['Id']}  contact Grace Gold {grace['Id']}",
        f"  Silver Ltd  {silver['Id']}  contact Sam Silver {sam['Id']}",
        f"  agent and approver Avery Agent {avery['Id']}; queue Tier 2 {tier2['Id']}",
        "  approval process Case_Escalation (approval moves the case to Tier 2)"]


def main(argv: list[str] | None = None) -> int:
    """Start the sandbox, print how to point the bridge at it, and serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m sla_bridge_salesforce.sandbox",
                                     description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443, help="0: any free port")
    parser.add_argument("--token", default=STANDALONE_TOKEN,
                        help="the bridge user's access token")
    parser.add_argument("--outbound-url", default=None,
                        help="send a Case Outbound Message to this URL (the bridge's "
                        "/webhooks/salesforce) on every change")
    parser.add_argument("--flow-url", default=None,
                        help="send a Flow HTTP callout to this URL on every Case change")
    parser.add_argument("--flow-secret", default="sandbox-flow-secret",
                        help="the X-Sla-Bridge-Secret the Flow callout carries")
    parser.add_argument("--demo-data", action="store_true",
                        help="create an account per plan, contacts, an agent, a queue and an "
                        "approval process")
    args = parser.parse_args(argv)
    sandbox = Sandbox(host=args.host, port=args.port, access_token=args.token)
    notes = seed_demo_data(sandbox) if args.demo_data else []
    if args.outbound_url:
        sandbox.add_outbound_message(args.outbound_url)
        notes.append(f"Outbound Messages on Case changes go to {args.outbound_url}")
    if args.flow_url:
        sandbox.add_flow_callout(args.flow_url, args.flow_secret)
        notes.append(f"Flow callouts on Case changes go to {args.flow_url}")
    notes += [f"CA file (trust it): {sandbox.ca_file}",
              f"Organization id: {sandbox.organization_id}",
              f"Bridge user {sandbox.bridge_user_id}: access token {sandbox.access_token}; "
              f"login {BRIDGE_USERNAME} / {BRIDGE_PASSWORD} + security token "
              f"{BRIDGE_SECURITY_TOKEN}"]
    try:
        return run_standalone(sandbox, title=Sandbox.title, notes=notes)
    finally:
        sandbox.close()


if __name__ == "__main__":
    raise SystemExit(main())
