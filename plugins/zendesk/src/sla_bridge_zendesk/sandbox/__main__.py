"""``python -m sla_bridge_zendesk.sandbox``: run the Zendesk sandbox until interrupted."""

from __future__ import annotations

import argparse

from sla_bridge.sandbox import DemoPerson, bundled_policy_groups, run_standalone

from . import API_EMAIL, API_TOKEN, Sandbox

#: The people ``--demo-data`` creates, each with an API token (sandbox-only, made up).
DEMO_PEOPLE = (
    DemoPerson("Grace Gold", "grace@gold.test", "grace-token",
               "customer: Gold Corp (gold, usa), its registered admin"),
    DemoPerson("Sam Silver", "sam@silver.test", "sam-token",
               "customer: Silver Ltd (silver, europe), its registered admin"),
    DemoPerson("Avery Agent", "avery@vendor.test", "avery-token", "agent, in Support"),
)


def seed_demo_data(sandbox: Sandbox) -> list[str]:
    """An organization per plan with a registered admin each, an agent, the groups the
    bundled policies name (and "Support"); every person with an API token. Returns the
    lines saying who signs in how."""
    gold = sandbox.add_organization("Gold Corp", {"support_plan": "gold",
                                                  "support_location": "usa"})
    silver = sandbox.add_organization("Silver Ltd", {"support_plan": "silver",
                                                     "support_location": "europe"})
    grace, sam, avery = DEMO_PEOPLE
    groups = ["Support", *(g for g in bundled_policy_groups() if g != "Support")]
    for group in groups:
        sandbox.add_group(group)
    sandbox.add_user(grace.name, grace.email, gold["id"], tags=["support_admin"],
                     token=grace.token)
    sandbox.add_user(sam.name, sam.email, silver["id"], tags=["support_admin"],
                     token=sam.token)
    sandbox.add_agent(avery.name, avery.email, token=avery.token, groups=["Support"])
    lines = ["People (API token auth: -u EMAIL/token:TOKEN; customers use the Requests API):"]
    lines += [f"  {p.email:<20} token {p.token:<12} {p.who}" for p in DEMO_PEOPLE]
    lines.append(f"Groups: {', '.join(groups)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Start the sandbox, print how to point the bridge at it, and serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m sla_bridge_zendesk.sandbox",
                                     description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0: any free port")
    parser.add_argument("--email", default=API_EMAIL, help="the API user's e-mail")
    parser.add_argument("--token", default=API_TOKEN, help="the API user's token")
    parser.add_argument("--webhook-secret", default=None,
                        help="signing secret given to webhooks created through the API")
    parser.add_argument("--demo-data", action="store_true",
                        help="create an organization per plan, customers and an agent, "
                        "each with an API token")
    args = parser.parse_args(argv)
    sandbox = Sandbox(host=args.host, port=args.port, api_email=args.email,
                      api_token=args.token, webhook_secret=args.webhook_secret)
    notes = seed_demo_data(sandbox) if args.demo_data else []
    return run_standalone(sandbox, title=Sandbox.title, notes=notes)


if __name__ == "__main__":
    raise SystemExit(main())
