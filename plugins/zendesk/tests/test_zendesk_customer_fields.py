"""The fields customers fill in to request an escalation are visible and editable in the Help
Center, and the organization fields the mapping reads exist: the sandbox keeps Zendesk's
rules (a customer's value for a field they cannot edit is ignored, an organization holds
values of defined organization fields only), and ``setup`` makes the account so."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result
from zendesk_driver import ZendeskDriver
from zendesk_testing import Account, settings_for

from sla_bridge.clock import SystemClock
from sla_bridge.testing.conformance import at, code42_scene
from sla_bridge_zendesk.cli import zendesk_group
from sla_bridge_zendesk.client import ZendeskClient
from sla_bridge_zendesk.platform import ZendeskPlatform
from sla_bridge_zendesk.sandbox import Sandbox

CUSTOMER_FIELDS = ("SLA escalation reason", "SLA escalation severity", "SLA escalation contact")
REASON = "Restores have failed for five days; our audit is on Wednesday."


def setup(*args: str) -> Result:
    result = CliRunner().invoke(zendesk_group, ["setup", "--bridge-url",
                                                "https://bridge.example.test", *args])
    assert result.exit_code == 0, result.output
    return result


def zenpy_as(sandbox: Sandbox, email: str, token: str) -> Any:
    """zenpy signed in as the user with this e-mail and API token."""
    return ZendeskClient(settings_for(sandbox, email=email, api_token=token)).zenpy


def customer(sandbox: Sandbox, org_id: int | None = None) -> tuple[dict[str, Any], Any]:
    """Grace, a customer with her own API token, and zenpy signed in as her."""
    grace = sandbox.add_user("Grace Gold", "grace.portal@gold.test", org_id,
                             token="grace-token")
    return grace, zenpy_as(sandbox, grace["email"], "grace-token")


def ask_to_escalate(sandbox: Sandbox, zenpy: Any) -> int:
    """The customer submits the Help Center's form with the escalation fields filled in."""
    from zenpy.lib.api_objects import Comment, CustomField, Request

    values = {"SLA escalation reason": REASON, "SLA escalation severity": "1",
              "SLA escalation contact": "+1 612 555 0100"}
    created = zenpy.requests.create(Request(
        subject="Restores fail", comment=Comment(body="Nothing restores since Monday."),
        custom_fields=[CustomField(id=sandbox.field_id(t), value=v) for t, v in values.items()]))
    return int(created.id)


def values(sandbox: Sandbox, ticket_id: int) -> dict[str, Any]:
    """The ticket's custom field values by title, as an agent sees them."""
    titles = {f["id"]: f["title"] for f in sandbox.state.ticket_fields.values()}
    return {titles[f["id"]]: f["value"] for f in sandbox.ticket(ticket_id)["custom_fields"]}


def test_setup_creates_the_fields_customers_fill_in_visible_and_editable(
        configured: Sandbox) -> None:
    setup()
    _, zenpy = customer(configured)
    # In the Help Center the customer sees (and fills in) the escalation fields only.
    assert sorted(f.title for f in zenpy.ticket_fields()) == sorted(CUSTOMER_FIELDS)
    ticket = ask_to_escalate(configured, zenpy)
    assert values(configured, ticket)["SLA escalation reason"] == REASON
    assert configured.ticket(ticket)["via"]["channel"] == "web"


def test_setup_makes_agent_only_escalation_fields_editable_by_customers(
        configured: Sandbox, account: Account) -> None:
    _, zenpy = customer(configured, account.org["id"])
    before = ask_to_escalate(configured, zenpy)
    # Agents only (as an older setup left them): Zendesk ignores what the customer sent.
    assert values(configured, before)["SLA escalation reason"] is None
    result = setup()
    for title in CUSTOMER_FIELDS:
        assert (f"update     ticket field {title!r}: visible_in_portal, editable_in_portal "
                "differ") in result.output
    assert "unchanged  ticket field 'SLA first response due': text" in result.output
    assert "unchanged  ticket field 'SLA escalation decision reason': text" in result.output
    after = ask_to_escalate(configured, zenpy)
    assert values(configured, after)["SLA escalation severity"] == "1"
    platform = ZendeskPlatform(settings_for(configured), SystemClock())
    assert platform.fetch_ticket(str(after)).fields["escalation_reason"] == REASON
    again = setup()
    assert "Nothing to change." in again.output


def test_setup_creates_the_organization_fields_the_mapping_reads(
        configured: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from zenpy.lib.api_objects import Organization

    admin = zenpy_as(configured, configured.api_email, configured.api_token)
    org = configured.add_organization("Gold Corp")
    grace = configured.add_user("Grace", "grace@gold.test", org["id"])
    ticket = configured.open_ticket(grace["id"], "Restore fails", "Since Monday")
    platform = ZendeskPlatform(settings_for(configured), SystemClock())

    def set_plan() -> None:
        admin.organizations.update(Organization(
            id=org["id"], organization_fields={"support_plan": "gold",
                                               "support_location": "usa"}))

    set_plan()  # no such organization fields yet: Zendesk keeps nothing
    assert platform.fetch_ticket(str(ticket["id"])).plan is None
    monkeypatch.setenv("SLA_BRIDGE_ZENDESK__FIELDS__PRODUCT", "org:product_line, tag:product_")
    result = setup()
    assert "create     organization field 'support_plan': text, read as plan" in result.output
    assert ("create     organization field 'support_location': text, read as location"
            in result.output)
    assert ("create     organization field 'product_line': text, read as product"
            in result.output)
    set_plan()
    found = platform.fetch_ticket(str(ticket["id"]))
    assert (found.plan, found.location) == ("gold", "usa")
    keys = [f.key for f in admin.organization_fields()]
    assert keys == ["support_plan", "support_location", "product_line"]
    assert "Nothing to change." in setup().output


def test_a_customer_uses_the_requests_api_and_nothing_else(
        configured: Sandbox, account: Account) -> None:
    import requests

    grace, zenpy = customer(configured, account.org["id"])
    mine = ask_to_escalate(configured, zenpy)
    other = configured.open_ticket(account.customer["id"], "Someone else's", "Not yours")
    session = requests.Session()
    session.auth = (f"{grace['email']}/token", "grace-token")
    root = f"{configured.base_url}/api/v2"
    assert session.get(f"{root}/tickets/{mine}.json").status_code == 403  # agents' API
    assert session.get(f"{root}/requests/{other['id']}.json").status_code == 404
    assert [r.id for r in zenpy.requests()] == [mine]
    assert zenpy.users.me().id == grace["id"]
    # A customer's view of the request leaves out the fields for agents only.
    shown = session.get(f"{root}/requests/{mine}.json").json()["request"]
    assert shown["custom_fields"] == []
    assert session.put(f"{root}/requests/{mine}.json", json={"request": {
        "comment": {"body": "Any news?"}}}).status_code == 200
    assert configured.comments(mine)[-1]["author_id"] == grace["id"]


def test_a_customer_asks_to_escalate_in_the_help_center_and_the_managers_are_asked(
        zendesk: ZendeskDriver) -> None:
    zendesk.begin(code42_scene())
    sandbox = zendesk.sandbox
    sandbox.give_token(int(zendesk.person_id("Dana")), "dana-token")
    zenpy = zenpy_as(sandbox, "dana@acme.test", "dana-token")
    ticket = zendesk.harness.step(at("2026-11-30 09:00"), "Dana asks to escalate in the "
                                  "Help Center", lambda: ask_to_escalate(sandbox, zenpy))
    view = zendesk.view(str(ticket))
    assert view.awaiting_approval
    [approval] = view.approvals
    assert f"Reason: {REASON.rstrip('.')}" in approval.summary
    assert "Expected severity: 1" in approval.summary
