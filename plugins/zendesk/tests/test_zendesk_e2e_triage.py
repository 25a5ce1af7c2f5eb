"""End to end, a new ticket's triage: severity re-categorisation (suggest and apply), the
intake checklist, and entitlements (registered admins, channels, consultation).

See ``test_zendesk_end_to_end.py`` for how these stories run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from zendesk_e2e import COMPLETE, People, at, seen

from sla_bridge_zendesk.loop import BridgeOnSandbox

FIRST = "SLA first response due"
HOW_TO = ("How do I exclude the Downloads folder from backup for one user? Just asking for "
          "information. " + COMPLETE)


def test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    # "Each time you report an issue to us, we categorize it": a "Severity 1" (urgent) that
    # is a how-to question, Gold, Mon 30 Nov 09:00, does not keep Gold Sev 1's 1-hour target.
    ticket = code42[0].step(at("2026-11-30 09:00"), "Acme: an urgent how-to",
                            lambda: code42[0].sandbox.open_ticket(
                                code42[1]["Dana"], "URGENT: how do I exclude a folder?", HOW_TO,
                                priority="urgent"))
    view = seen(code42[0].sandbox, ticket["id"])
    [told] = view.starting("We have reviewed this ticket")
    assert told.public
    assert told.body.startswith(
        "We have reviewed this ticket and categorised it as severity 4 (Low) under our support "
        "policy: asks a question and reports nothing broken (a request for information)")
    assert told.body.endswith("You chose severity 1; both are recorded on the ticket.")
    assert view.priority == "low"  # the vendor's severity 4
    # No time was used at 09:00, so Severity 4's 3 business days = 27 h from 09:00: 8 h Mon,
    # 9 h Tue, 9 h Wed, 1 h Thu -> Thu 3 Dec 09:00.
    assert view.fields[FIRST] == "2026-12-03T09:00:00-06:00"
    # An agent's later change wins, and nothing is categorised again.
    code42[0].step(at("2026-11-30 09:30"), "Avery sets severity 3",
                   lambda: code42[0].sandbox.agent_update(ticket["id"], code42[1]["Avery"],
                                                          priority="normal"))
    view = seen(code42[0].sandbox, ticket["id"])
    assert view.priority == "normal"
    assert len(view.starting("We have reviewed this ticket")) == 1


def test_ownbackup_applies_the_severity_and_tells_the_customer(
        make_world: Callable[..., BridgeOnSandbox]) -> None:
    # ownbackup: "OwnBackup may recategorize a support incident categorized by the
    # customer" (recategorise = apply, when the classifier is at least 70 % sure).
    # Standard plan, the customer's defined zone is Europe/London (09:00-18:00).
    world = make_world(start=at("2026-11-30 00:00"), policies=["ownbackup"])
    org = world.sandbox.add_organization("Northwind", {"support_plan": "standard",
                                                       "support_location": "Europe/London"})
    nora = world.sandbox.add_user("Nora", "nora@northwind.test", org["id"])["id"]
    world.start()
    ticket = world.step(datetime.fromisoformat("2026-11-30T10:00:00+00:00"),
                        "Nora: a feature request marked High",
                        lambda: world.sandbox.open_ticket(
                            nora, "Feature request: export the backup report as CSV",
                            "Feature request: it would be nice to export the backup report "
                            "as CSV. Nothing is broken.", priority="urgent"))
    view = seen(world.sandbox, ticket["id"])
    # The vendor severity (Low) is the priority now; the customer's (High, urgent) stays in
    # the audit the ticket was created with.
    assert view.priority == "low"
    created = [e["value"] for e in world.sandbox.audits(ticket["id"])[0]["events"]
               if e.get("field_name") == "priority"]
    assert created == ["urgent"]
    [told] = view.by_bridge(public=True)
    assert told.body.startswith(
        "We have reviewed this ticket and categorised it as severity Low (Low) under our "
        "support policy: asks for a new feature or improvement")
    assert told.body.endswith("You chose severity High; both are recorded on the ticket.")
    assert f"{told.at:%H:%M}" == "04:00"  # 10:00 London, at once
    # Standard Low: 2 business days = 18 business hours from Mon 10:00 London: 8 h Mon,
    # 9 h Tue, 1 h Wed -> Wed 2 Dec 10:00 London (High would have been Mon 14:00).
    assert view.fields[FIRST] == "2026-12-02T10:00:00+00:00"
    assert view.by_bridge(public=False) == []  # nothing only suggested


def test_missing_intake_information_is_asked_for_once(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    vague = world.step(at("2026-11-30 09:00"), "Globex: a vague Severity 1",
                       lambda: sandbox.open_ticket(
                           people["Gil"], "Cannot restore anything",
                           "Nobody in the company can restore files since last night.",
                           priority="urgent"))
    complete = world.step(at("2026-11-30 09:00"), "Acme: everything given",
                          lambda: sandbox.open_ticket(
                              people["Dana"], "Restores fail",
                              "Restores fail from many devices since the upgrade. " + COMPLETE,
                              priority="high"))
    # Gil gives part of it, Avery asks something else, Gil answers again: no second ask.
    world.step(at("2026-11-30 10:00"), "Gil answers in part",
               lambda: sandbox.customer_reply(vague["id"], "Code42 app 11.2 on Windows 11."))
    world.step(at("2026-11-30 11:00"), "Avery asks a question",
               lambda: sandbox.agent_update(vague["id"], people["Avery"],
                                            comment="Which devices fail first?"))
    world.step(at("2026-11-30 12:00"), "Gil answers",
               lambda: sandbox.customer_reply(vague["id"], "All of them."))

    view = seen(sandbox, vague["id"])
    [ask] = view.by_bridge(public=True)
    assert ask.body == (
        "Thank you for contacting support. To help us diagnose this quickly, please reply "
        "with:\n- the product name\n- the operating system and its version\n- the version of "
        "the app you are running\n- the computer ID (GUID) of the affected devices\n- the "
        "logs from the app\n- the username or email address of the affected users\n- a "
        "detailed description of the problem\n- screenshots of the relevant settings or "
        "error messages\n- which cloud backup destinations you use")
    assert f"{ask.at:%a %H:%M}" == "Mon 09:00"
    # code42 does not set the ticket pending (set_pending_when_missing = false).
    assert [who for _, _, who in view.status_changes if who == "sla-bridge"] == []
    # The bridge's own reply is not the first response: Silver Severity 1 (1 business day
    # from 09:00: 8 h Mon, 1 h Tue) was met by Avery at 11:00 and stays as written.
    assert view.fields[FIRST] == "2026-12-01T09:00:00-06:00"
    assert seen(sandbox, complete["id"]).by_bridge(public=True) == []
    assert [d.kind for d in world.decisions(complete["id"]) if d.kind.startswith("intake")
            ] == ["intake.complete"]


def test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop(
        code42: tuple[BridgeOnSandbox, People]) -> None:
    world, people = code42
    sandbox = world.sandbox
    # Acme (Gold) registers four more admins after Dana: only the first four may open.
    for name in ("Eli", "Fay", "Gus", "Hal"):
        people.customer(name, "Acme", sandbox=sandbox)
    world.advance(at("2026-11-30 09:00"))

    def opens(name: str, channel: str, tags: tuple[str, ...] = ()) -> dict[str, Any]:
        return world.step(at("2026-11-30 09:00"), f"{name} opens by {channel}",
                          lambda: sandbox.open_ticket(
                              people[name], "Restore question",
                              "Restores from one device are slow since the upgrade. " + COMPLETE,
                              priority="normal", channel=channel, tags=tags))

    carl = opens("Carl", "chat")  # Globex (Silver): not its registered admin; web only
    hal = opens("Hal", "voice")  # Acme (Gold): the fifth admin; phone is in Gold
    gil = opens("Gil", "web", ("consultation",))  # Silver asks for a consultation
    gus = opens("Gus", "chat")  # Acme's fourth admin, chat is in Gold: entitled

    assert [(c.public, c.body) for c in seen(sandbox, carl["id"]).by_bridge()] == [
        (False, f"Entitlement: requester {people['Carl']} is not one of the first 1 registered "
                "admins of the organization (Code42 Silver Support allows one administrator)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan allows one "
               "administrator of your organization to contact support; please ask a "
               "registered administrator to open the ticket, or contact your account manager "
               "to change who is registered."),
        (False, "Entitlement: the ticket came in by chat, which Code42 Silver Support does not "
                "include (web)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan includes support by "
               "web; we have recorded your request and will answer it here.")]
    assert [(c.public, c.body) for c in seen(sandbox, hal["id"]).by_bridge()] == [
        (False, f"Entitlement: requester {people['Hal']} is not one of the first 4 registered "
                "admins of the organization (Code42 Gold Support allows 4 administrators)."),
        (True, "Thank you for your request. Your Code42 Gold Support plan allows 4 "
               "administrators of your organization to contact support; please ask a "
               "registered administrator to open the ticket, or contact your account manager "
               "to change who is registered.")]
    assert [(c.public, c.body) for c in seen(sandbox, gil["id"]).by_bridge()] == [
        (False, "Entitlement: pre-planning and best-practice consultation is not part of Code42 "
                "Silver Support."),
        (True, "Thank you for your request. Consultation for pre-planning and best practices "
               "is not included in your Code42 Silver Support plan; your account manager can "
               "tell you about plans that include it.")]
    assert seen(sandbox, gus["id"]).by_bridge() == []
    # Every one of them still gets its SLA: Severity 3, 9 business hours from Mon 09:00.
    for ticket in (carl, hal, gil, gus):
        assert seen(sandbox, ticket["id"]).fields[FIRST] == (
            "2026-12-01T09:00:00-06:00")
