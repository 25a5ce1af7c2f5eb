"""A new ticket's triage: severity re-categorisation (suggested and applied), the intake
checklist, and entitlements (registered admins, channels, consultation)."""

from __future__ import annotations

from datetime import datetime

from ._cast import ANSWERED, COMPLETE, VAGUE, at, code42_scene, local
from ._driver import AgentUpdate, Customer, HelpdeskDriver, Organization, Scene
from ._view import BRIDGE

HOW_TO = ("How do I exclude the Downloads folder from backup for one user? Just asking for "
          "information. " + COMPLETE)
REVIEWED = "We have reviewed this ticket"


def test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer(
        helpdesk_driver: HelpdeskDriver) -> None:
    """"Each time you report an issue to us, we categorize it": a "Severity 1" that is a
    how-to question (Gold, Mon 30 Nov 09:00) does not keep Gold Sev 1's 1-hour target."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    ticket = desk.open_ticket("Dana", "URGENT: how do I exclude a folder?", HOW_TO,
                              severity="1", at=at("2026-11-30 09:00"))
    view = desk.view(ticket)
    [told] = view.starting(REVIEWED)
    assert told.public
    assert told.body.startswith(
        "We have reviewed this ticket and categorised it as severity 4 (Low) under our support "
        "policy: asks a question and reports nothing broken (a request for information)")
    assert told.body.endswith("You chose severity 1; both are recorded on the ticket.")
    assert view.severity == "4"
    # No time was used at 09:00, so Severity 4's 3 business days = 27 h from 09:00: 8 h Mon,
    # 9 h Tue, 9 h Wed, 1 h Thu -> Thu 3 Dec 09:00.
    assert view.due["first_response"] == at("2026-12-03 09:00")
    # An agent's later change wins, and nothing is categorised again.
    desk.agent_update(ticket, "Avery", AgentUpdate(severity="3"), at=at("2026-11-30 09:30"))
    view = desk.view(ticket)
    assert view.severity == "3"
    assert len(view.starting(REVIEWED)) == 1


def test_ownbackup_applies_the_severity_and_tells_the_customer(
        helpdesk_driver: HelpdeskDriver) -> None:
    """ownbackup: "OwnBackup may recategorize a support incident categorized by the
    customer" (applied when the classifier is at least 70 % sure). Standard plan, the
    customer's defined zone is Europe/London (09:00-18:00)."""
    desk = helpdesk_driver
    desk.begin(Scene(start=at("2026-11-30 00:00"), policies=("ownbackup",),
                     organizations=(Organization("Northwind", "standard", "Europe/London"),),
                     customers=(Customer("Nora", "Northwind", admin=False),)))
    ticket = desk.open_ticket(
        "Nora", "Feature request: export the backup report as CSV",
        "Feature request: it would be nice to export the backup report as CSV. Nothing is "
        "broken.", severity="High", at=datetime.fromisoformat("2026-11-30T10:00:00+00:00"))
    view = desk.view(ticket)
    assert view.severity == "Low"
    [told] = view.by_bridge(public=True)
    assert told.body.startswith(
        "We have reviewed this ticket and categorised it as severity Low (Low) under our "
        "support policy: asks for a new feature or improvement")
    assert told.body.endswith("You chose severity High; both are recorded on the ticket.")
    assert local(told.at, "%H:%M") == "04:00"  # 10:00 London, at once
    # Standard Low: 2 business days = 18 business hours from Mon 10:00 London: 8 h Mon,
    # 9 h Tue, 1 h Wed -> Wed 2 Dec 10:00 London (High would have been Mon 14:00).
    assert view.due["first_response"] == datetime.fromisoformat("2026-12-02T10:00:00+00:00")
    assert view.by_bridge(public=False) == []  # nothing only suggested


def test_missing_intake_information_is_asked_for_once(helpdesk_driver: HelpdeskDriver) -> None:
    """The checklist is asked once, however the conversation goes on."""
    desk = helpdesk_driver
    desk.begin(code42_scene())
    vague = desk.open_ticket("Gil", "Cannot restore anything", VAGUE, severity="1",
                             at=at("2026-11-30 09:00"))
    complete = desk.open_ticket("Dana", "Restores fail", ANSWERED, severity="2",
                                at=at("2026-11-30 09:00"))
    # Gil gives part of it, Avery asks something else, Gil answers again: no second ask.
    desk.customer_reply(vague, "Code42 app 11.2 on Windows 11.", at=at("2026-11-30 10:00"))
    desk.agent_update(vague, "Avery", AgentUpdate(comment="Which devices fail first?"),
                      at=at("2026-11-30 11:00"))
    desk.customer_reply(vague, "All of them.", at=at("2026-11-30 12:00"))

    view = desk.view(vague)
    [ask] = view.by_bridge(public=True)
    assert ask.body == (
        "Thank you for contacting support. To help us diagnose this quickly, please reply "
        "with:\n- the product name\n- the operating system and its version\n- the version of "
        "the app you are running\n- the computer ID (GUID) of the affected devices\n- the "
        "logs from the app\n- the username or email address of the affected users\n- a "
        "detailed description of the problem\n- screenshots of the relevant settings or "
        "error messages\n- which cloud backup destinations you use")
    assert local(ask.at) == "Mon 09:00"
    # code42 does not set the ticket pending (set_pending_when_missing = false).
    assert view.status_changes(by=BRIDGE) == []
    # The bridge's own reply is not the first response: Silver Severity 1 (1 business day
    # from 09:00: 8 h Mon, 1 h Tue) was met by Avery at 11:00 and stays as written.
    assert view.due["first_response"] == at("2026-12-01 09:00")
    assert desk.view(complete).by_bridge(public=True) == []
    assert [d.kind for d in desk.decisions(complete) if d.kind.startswith("intake")] == [
        "intake.complete"]


def test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop(
        helpdesk_driver: HelpdeskDriver) -> None:
    """Registered admins (Silver 1, Gold 4), channels (Silver: web), consultation (not in
    Silver): each breach a note for the agents and a reply for the customer."""
    desk = helpdesk_driver
    # Acme (Gold) registers four more admins after Dana: only the first four may open.
    desk.begin(code42_scene(*(Customer(name, "Acme") for name in ("Eli", "Fay", "Gus", "Hal"))))

    def opens(name: str, channel: str, tags: tuple[str, ...] = ()) -> str:
        return desk.open_ticket(name, "Restore question", "Restores from one device are slow "
                                "since the upgrade. " + COMPLETE, severity="3",
                                channel=channel, tags=tags, at=at("2026-11-30 09:00"))

    carl = opens("Carl", "chat")  # Globex (Silver): not its registered admin; web only
    hal = opens("Hal", "phone")  # Acme (Gold): the fifth admin; phone is in Gold
    gil = opens("Gil", "web", ("consultation",))  # Silver asks for a consultation
    gus = opens("Gus", "chat")  # Acme's fourth admin, chat is in Gold: entitled

    assert [(c.public, c.body) for c in desk.view(carl).by_bridge()] == [
        (False, f"Entitlement: requester {desk.person_id('Carl')} is not one of the first 1 "
                "registered admins of the organization (Code42 Silver Support allows one "
                "administrator)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan allows one "
               "administrator of your organization to contact support; please ask a "
               "registered administrator to open the ticket, or contact your account manager "
               "to change who is registered."),
        (False, "Entitlement: the ticket came in by chat, which Code42 Silver Support does not "
                "include (web)."),
        (True, "Thank you for your request. Your Code42 Silver Support plan includes support by "
               "web; we have recorded your request and will answer it here.")]
    assert [(c.public, c.body) for c in desk.view(hal).by_bridge()] == [
        (False, f"Entitlement: requester {desk.person_id('Hal')} is not one of the first 4 "
                "registered admins of the organization (Code42 Gold Support allows 4 "
                "administrators)."),
        (True, "Thank you for your request. Your Code42 Gold Support plan allows 4 "
               "administrators of your organization to contact support; please ask a "
               "registered administrator to open the ticket, or contact your account manager "
               "to change who is registered.")]
    assert [(c.public, c.body) for c in desk.view(gil).by_bridge()] == [
        (False, "Entitlement: pre-planning and best-practice consultation is not part of Code42 "
                "Silver Support."),
        (True, "Thank you for your request. Consultation for pre-planning and best practices "
               "is not included in your Code42 Silver Support plan; your account manager can "
               "tell you about plans that include it.")]
    assert desk.view(gus).by_bridge() == []
    # Every one of them still gets its SLA: Severity 3, 9 business hours from Mon 09:00.
    for ticket in (carl, hal, gil, gus):
        assert desk.view(ticket).due["first_response"] == at("2026-12-01 09:00")


__all__ = [
    "test_code42_categorises_a_how_to_filed_as_severity_1_and_tells_the_customer",
    "test_entitlement_breaches_get_a_note_and_a_polite_reply_never_a_silent_drop",
    "test_missing_intake_information_is_asked_for_once",
    "test_ownbackup_applies_the_severity_and_tells_the_customer",
]
