"""``python -m sla_bridge_jira.sandbox``: run the Jira Service Management sandbox until
interrupted."""

from __future__ import annotations

import argparse
import threading
from typing import TextIO

from sla_bridge.sandbox import DemoPerson, bundled_policy_groups, run_standalone

from . import API_EMAIL, API_TOKEN, Sandbox

#: The people ``--demo-data`` creates, each with an API token (sandbox-only, made up).
DEMO_PEOPLE = (
    DemoPerson("Grace Gold", "grace@gold.test", "grace-token",
               "customer: Gold Corp (gold, usa), its registered admin"),
    DemoPerson("Sam Silver", "sam@silver.test", "sam-token",
               "customer: Silver Ltd (silver, europe), its registered admin"),
    DemoPerson("Avery Agent", "avery@vendor.test", "avery-token", "agent, in Support"),
    DemoPerson("Morgan Manager", "morgan@vendor.test", "morgan-token",
               "agent, in the policies' manager groups: approves escalations"),
)


def seed_demo_data(sandbox: Sandbox) -> list[str]:
    """Two organizations (plan and location as organization properties) with a registered
    admin each, an agent in Support, a manager who approves in the policies' manager groups,
    every group the bundled policies name, a severity select; every person with an API
    token. Returns the lines saying who signs in how."""
    grace, sam, avery, morgan = DEMO_PEOPLE
    grace_user = sandbox.add_customer(grace.name, grace.email, token=grace.token)
    sam_user = sandbox.add_customer(sam.name, sam.email, token=sam.token)
    sandbox.add_organization("Gold Corp", [grace_user["accountId"]], {
        "support_plan": "gold", "support_location": "usa",
        "registered_admins": [grace_user["accountId"]]})
    sandbox.add_organization("Silver Ltd", [sam_user["accountId"]], {
        "support_plan": "silver", "support_location": "europe",
        "registered_admins": [sam_user["accountId"]]})
    agent = sandbox.add_agent(avery.name, avery.email, token=avery.token)
    manager = sandbox.add_agent(morgan.name, morgan.email, token=morgan.token)
    # Support (the agent's), then every group the bundled policies name; the manager is in
    # those that approve escalations.
    groups = {"Support": [agent["accountId"]]}
    for group, uses in bundled_policy_groups().items():
        approves = any(use.endswith("escalation.manager_group") for use in uses)
        groups.setdefault(group, [manager["accountId"]] if approves else [])
    for group, members in groups.items():
        sandbox.add_group(group, members)
    severity = sandbox.add_field("Severity", "select", ["Sev 1", "Sev 2", "Sev 3", "Sev 4"])
    lines = [f"Project {sandbox.project_key} (service desk {sandbox.service_desk_id()}); "
             f"Severity is {severity}; 'Request approval' moves to Waiting for approval, "
             "approved by the Approvers field's users.",
             "People (Basic auth: -u EMAIL:TOKEN; customers use /rest/servicedeskapi):"]
    lines += [f"  {p.email:<20} token {p.token:<13} {p.who}" for p in DEMO_PEOPLE]
    lines.append(f"Groups: {', '.join(groups)}")
    return lines


def main(argv: list[str] | None = None, *, out: TextIO | None = None,
         until: threading.Event | None = None) -> int:
    """Start the sandbox, print how to point the bridge at it, and serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m sla_bridge_jira.sandbox",
                                     description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766, help="0: any free port")
    parser.add_argument("--email", default=API_EMAIL, help="the bridge account's e-mail")
    parser.add_argument("--token", default=API_TOKEN, help="the bridge account's API token")
    parser.add_argument("--webhook-url", default=None,
                        help="register an admin webhook (project = SUP) sending here")
    parser.add_argument("--webhook-secret", default=None,
                        help="the secret of that webhook (and of plugin_env)")
    parser.add_argument("--demo-data", action="store_true",
                        help="create organizations, customers, an agent, a manager, groups "
                        "and a severity field, each person with an API token")
    args = parser.parse_args(argv)
    sandbox = Sandbox(host=args.host, port=args.port, api_email=args.email,
                      api_token=args.token, webhook_secret=args.webhook_secret)
    notes = seed_demo_data(sandbox) if args.demo_data else []
    if args.webhook_url:
        sandbox.register_webhook(args.webhook_url)
        notes.append(f"Webhook: {args.webhook_url} (signed: {bool(args.webhook_secret)})")
    return run_standalone(sandbox, title=Sandbox.title, notes=notes, out=out, until=until)


if __name__ == "__main__":
    raise SystemExit(main())
