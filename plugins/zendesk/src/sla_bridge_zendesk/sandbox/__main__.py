"""``python -m sla_bridge_zendesk.sandbox``: run the Zendesk sandbox until interrupted."""

from __future__ import annotations

import argparse

from sla_bridge.sandbox import run_standalone

from . import API_EMAIL, API_TOKEN, Sandbox


def seed_demo_data(sandbox: Sandbox) -> None:
    """An organization per plan with a registered admin each, an agent and two groups."""
    gold = sandbox.add_organization("Gold Corp", {"support_plan": "gold",
                                                  "support_location": "usa"})
    silver = sandbox.add_organization("Silver Ltd", {"support_plan": "silver",
                                                     "support_location": "europe"})
    sandbox.add_user("Grace Gold", "grace@gold.test", gold["id"], tags=["support_admin"])
    sandbox.add_user("Sam Silver", "sam@silver.test", silver["id"], tags=["support_admin"])
    sandbox.add_agent("Avery Agent", "avery@vendor.test")
    sandbox.add_group("Support")
    sandbox.add_group("Escalations")


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
                        help="create an organization per plan, customers and agents")
    args = parser.parse_args(argv)
    sandbox = Sandbox(host=args.host, port=args.port, api_email=args.email,
                      api_token=args.token, webhook_secret=args.webhook_secret)
    if args.demo_data:
        seed_demo_data(sandbox)
    return run_standalone(sandbox, title=Sandbox.title)


if __name__ == "__main__":
    raise SystemExit(main())
